"""The rules of post-incident reviews and RCA reports, as data and pure functions (no database).

What a review holds (:class:`ReviewContent`, :class:`ActionItemInput`), the lifecycle of a
revision (draft -> in review -> published, frozen once published), which fields are internal,
and the validation of a review: a draft may be partial but never malformed, a review sent
for review must be complete. Each check returns one clear message per field, shared by the
service (``analytics.rca.service``) and the form (``pages/rca_review.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from analytics.kernel.roles import ADMIN, ROLES, SUPERVISOR
from analytics.kernel.times import to_utc

ACT_ROLES = (SUPERVISOR, ADMIN)  # who declares, changes and records (pages and services read these)
VIEW_ROLES = ROLES
REVIEWABLE_INCIDENT_STATUSES = ("resolved", "post_mortem", "closed")

STATUSES = ("draft", "in_review", "published")
STATUS_LABELS = {"draft": "draft", "in_review": "in review", "published": "published", "none": "no RCA yet"}
ACTION_STATUSES = ("open", "in_progress", "done", "cancelled")
ACTION_STATUS_LABELS = {"open": "open", "in_progress": "in progress", "done": "done", "cancelled": "cancelled"}

TEXT_MAX = 10_000
NAME_MAX = 120
EVENT_MAX = 300

FIELD_LABELS = {
    "participants": "Participants", "overview": "Overview", "measures_taken": "Measures taken",
    "went_well": "What went well", "went_badly": "What went badly", "failure_causes": "Causes of the failures",
    "contributing_factors": "Contributing factors", "internal_notes": "Internal notes",
    "customers_affected": "Customers affected", "impact_minutes": "Impact duration (minutes)",
    "tickets": "Support tickets", "root_causes": "Root causes", "timeline": "Timeline",
    "action_items": "Action items", "reason": "Reason for the revision",
}
INTERNAL_FIELDS = ("participants", "went_well", "went_badly", "failure_causes", "internal_notes")


def missing(value) -> bool:
    """True for an empty cell of a table editor: None, NaN, NaT or pandas' NA (pandas only loaded then)."""
    if value is None or (isinstance(value, (str, int, bool, date)) and value == value):  # NaT is not equal to itself
        return value is None
    import pandas as pd  # a table editor's values come from pandas, already loaded by the page

    return bool(pd.isna(value))


def clean_text(value) -> str:
    """Text stripped; None, NaN and other missing values (as a table editor gives them) become ''."""
    if value is None or (not isinstance(value, (str, list, tuple)) and missing(value)):
        return ""
    return str(value).strip()



def _flag(value) -> bool:
    return False if value is None or missing(value) else bool(value)


def _count(value):
    """A whole number from an int / integral float; None when missing; anything else as given (refused later)."""
    if value is None or (not isinstance(value, str) and missing(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item") and not isinstance(value, bool):
        return _count(value.item())
    return value


def clean_date(value) -> date | None:
    """A date from a date / datetime / Timestamp; None when missing."""
    if value is None or missing(value):
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return value.date() if isinstance(value, datetime) else value




@dataclass(frozen=True)
class RootCause:
    """One root cause: a category of the taxonomy, the platform concerned, and what it was."""

    category: str
    platform: str
    description: str


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the reviewed timeline; ``who`` and ``internal_note`` never reach a customer."""

    occurred_at: datetime | None
    event: str
    who: str = ""
    internal_note: str = ""
    customer_visible: bool = True


@dataclass(frozen=True)
class ActionItemInput:
    """An action of the plan against recurrence; ``item_id`` is None for a new one."""

    description: str
    owner: str = ""
    due_date: date | None = None
    status: str = "open"
    item_id: int | None = None


@dataclass(frozen=True)
class ReviewContent:
    """Everything the post-incident review form collects (action items travel separately)."""

    participants: tuple[str, ...] = ()
    overview: str = ""
    measures_taken: str = ""
    went_well: str = ""
    went_badly: str = ""
    failure_causes: str = ""
    contributing_factors: str = ""
    internal_notes: str = ""
    customers_affected: int | None = None
    impact_minutes: int | None = None
    tickets: int | None = None
    root_causes: tuple[RootCause, ...] = ()
    timeline: tuple[TimelineEntry, ...] = field(default_factory=tuple)

    def normalized(self, tz: str) -> ReviewContent:
        """Text stripped, blank rows dropped, names de-duplicated, times as aware UTC instants."""
        causes = tuple(RootCause(clean_text(c.category), clean_text(c.platform), clean_text(c.description))
                       for c in self.root_causes)
        entries = tuple(TimelineEntry(to_utc(e.occurred_at, tz), clean_text(e.event), clean_text(e.who),
                                      clean_text(e.internal_note), _flag(e.customer_visible))
                        for e in self.timeline)
        names = (clean_text(p) for p in self.participants)
        return replace(
            self, participants=tuple(dict.fromkeys(n for n in names if n)),
            **{name: clean_text(getattr(self, name)) for name in
               ("overview", "measures_taken", "went_well", "went_badly", "failure_causes",
                "contributing_factors", "internal_notes")},
            customers_affected=_count(self.customers_affected), impact_minutes=_count(self.impact_minutes),
            tickets=_count(self.tickets),
            root_causes=tuple(c for c in causes if c.category or c.platform or c.description),
            timeline=tuple(sorted((e for e in entries if e.occurred_at or e.event or e.internal_note),
                                  key=lambda e: (e.occurred_at is None, e.occurred_at or datetime.min))))


def normalized_actions(items: tuple[ActionItemInput, ...]) -> tuple[ActionItemInput, ...]:
    """Action items with text stripped; rows left entirely blank are dropped."""
    cleaned = (replace(i, description=clean_text(i.description), owner=clean_text(i.owner),
                       status=clean_text(i.status) or "open", due_date=clean_date(i.due_date),
                       item_id=None if i.item_id is None or missing(i.item_id) else int(i.item_id))
               for i in items)
    return tuple(i for i in cleaned if i.description or i.owner or i.due_date or i.item_id is not None)


def _text_errors(content: ReviewContent) -> dict[str, str]:
    errors = {}
    for name in ("overview", "measures_taken", "went_well", "went_badly", "failure_causes",
                 "contributing_factors", "internal_notes"):
        value = getattr(content, name)
        if len(value) > TEXT_MAX:
            errors[name] = f"At most {TEXT_MAX:,} characters (it has {len(value):,})."
    long_names = [p for p in content.participants if len(p) > NAME_MAX]
    if long_names:
        errors["participants"] = f"A participant's name may have at most {NAME_MAX} characters."
    for name in ("customers_affected", "impact_minutes", "tickets"):
        value = getattr(content, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            errors[name] = "Enter a whole number of at least 0."
    return errors


def _cause_errors(causes, categories, platforms, *, complete: bool) -> str | None:
    for number, cause in enumerate(causes, start=1):
        if complete and not cause.category:
            return f"Root cause {number}: choose a category."
        if cause.category and cause.category not in categories:
            return (f"Root cause {number}: {cause.category!r} is not in the taxonomy "
                    f"({', '.join(categories)}).")
        if complete and not cause.platform:
            return f"Root cause {number}: choose the platform concerned."
        if cause.platform and cause.platform not in platforms:
            return f"Root cause {number}: {cause.platform!r} is not a known platform."
        if complete and not cause.description:
            return f"Root cause {number}: describe the cause."
        if len(cause.description) > TEXT_MAX:
            return f"Root cause {number}: at most {TEXT_MAX:,} characters."
    return None


def _timeline_errors(entries, now) -> str | None:
    for number, entry in enumerate(entries, start=1):
        if entry.occurred_at is None:
            return f"Line {number}: give the time of the event."
        if entry.occurred_at > now:
            return f"Line {number}: an event cannot be in the future."
        if not entry.event:
            return f"Line {number}: say what happened."
        if len(entry.event) > EVENT_MAX:
            return f"Line {number}: the event may have at most {EVENT_MAX} characters."
    return None


def _action_errors(items, *, complete: bool) -> str | None:
    for number, item in enumerate(items, start=1):
        if not item.description:
            return f"Action {number}: describe the action."
        if item.status not in ACTION_STATUSES:
            return f"Action {number}: status must be one of {', '.join(ACTION_STATUS_LABELS.values())}."
        if len(item.owner) > NAME_MAX:
            return f"Action {number}: the owner's name may have at most {NAME_MAX} characters."
        if complete and not item.owner:
            return f"Action {number}: name its owner."
        if complete and item.due_date is None:
            return f"Action {number}: give a due date."
    return None


def validate_review(content: ReviewContent, actions: tuple[ActionItemInput, ...], *, categories: list[str],
                    platforms: list[str], now: datetime, complete: bool) -> dict[str, str]:
    """One message per invalid field; ``complete`` adds what a review needs before it is sent for review."""
    errors = _text_errors(content)
    message = _cause_errors(content.root_causes, categories, platforms, complete=complete)
    if message:
        errors["root_causes"] = message
    message = _timeline_errors(content.timeline, now)
    if message:
        errors["timeline"] = message
    message = _action_errors(actions, complete=complete)
    if message:
        errors["action_items"] = message
    if complete:
        errors.update({k: v for k, v in _completeness_errors(content, actions).items() if k not in errors})
    return errors


def _completeness_errors(content: ReviewContent, actions) -> dict[str, str]:
    missing = {
        "participants": "List who took part in the analysis." if not content.participants else None,
        "overview": "Write the overview of the incident." if not content.overview else None,
        "measures_taken": "Say what was done to restore the service." if not content.measures_taken else None,
        "went_well": "Say what went well in the handling." if not content.went_well else None,
        "went_badly": "Say what went badly in the handling." if not content.went_badly else None,
        "failure_causes": "Explain why things failed." if not content.failure_causes else None,
        "root_causes": "Give at least one root cause." if not content.root_causes else None,
        "timeline": ("Keep at least one timeline line visible to customers."
                     if not any(e.customer_visible for e in content.timeline) else None),
        "action_items": ("Plan at least one action against recurrence."
                         if not [a for a in actions if a.status != "cancelled"] else None),
    }
    for name in ("customers_affected", "impact_minutes", "tickets"):
        if getattr(content, name) is None:
            missing[name] = "Enter the figure (0 when none)."
    return {k: v for k, v in missing.items() if v}
