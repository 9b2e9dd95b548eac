"""The rules of major incidents, as data and pure functions (no database).

The lifecycle and which moves it allows, the investigation steps, who may act,
and the validation of a declaration and of a customer communication, each
returning one clear message per field. The service (``analytics.incidents.service``)
enforces them at write time; forms show the same messages.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from analytics.kernel.roles import ADMIN, ROLES, SUPERVISOR
from analytics.kernel.times import to_utc

ACT_ROLES = (SUPERVISOR, ADMIN)  # who declares, changes and records (pages and services read these)
VIEW_ROLES = ROLES

STATUSES = ("declared", "investigating", "identified", "monitoring", "resolved", "post_mortem", "closed")
OPEN_STATUSES = ("declared", "investigating", "identified", "monitoring")
STATUS_LABELS = {"declared": "declared", "investigating": "investigating", "identified": "identified",
                 "monitoring": "monitoring", "resolved": "resolved", "post_mortem": "post-mortem",
                 "closed": "closed"}
# Forward along the lifecycle (skipping is allowed while open), back to investigating when a fix
# does not hold, a resolution reopened; a post-mortem only after resolution, closing only after it.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "declared": ("investigating", "identified", "monitoring", "resolved"),
    "investigating": ("identified", "monitoring", "resolved"),
    "identified": ("investigating", "monitoring", "resolved"),
    "monitoring": ("investigating", "identified", "resolved"),
    "resolved": ("investigating", "post_mortem"),
    "post_mortem": ("closed",),
    "closed": (),
}

STEPS = ("scope_assessed", "experts_gathered", "plan_established", "plan_executed")
STEP_LABELS = {"scope_assessed": "Scope assessed", "experts_gathered": "Experts gathered",
               "plan_established": "Resolution plan established", "plan_executed": "Resolution plan executed"}

TITLE_MIN, TITLE_MAX = 5, 120
DESCRIPTION_MAX = 5000
MESSAGE_MAX = 5000
NAME_MAX = 120

FIELD_LABELS = {
    "title": "Title", "severity": "Severity", "platforms": "Impacted platforms / services",
    "customers": "Impacted customers", "started_at": "Started at", "detected_at": "Detected at",
    "impact_defined_at": "Impact defined at", "description": "Description",
    "commander": "Incident commander", "notification_lead": "Notification lead",
    "investigation_lead": "Investigation lead",
}




@dataclass(frozen=True)
class IncidentDraft:
    """What the declare form collects (times may be naive: read in the deployment time zone)."""

    title: str
    severity: int | None
    security_breach: bool
    platforms: tuple[str, ...]
    company_ids: tuple[int, ...]
    all_customers: bool
    started_at: datetime | None
    detected_at: datetime | None
    impact_defined_at: datetime | None
    description: str
    commander: str
    notification_lead: str
    investigation_lead: str

    def normalized(self, tz: str) -> IncidentDraft:
        """Text stripped, lists de-duplicated, times as aware UTC instants."""
        return replace(
            self, title=(self.title or "").strip(), description=(self.description or "").strip(),
            commander=(self.commander or "").strip(), notification_lead=(self.notification_lead or "").strip(),
            investigation_lead=(self.investigation_lead or "").strip(),
            platforms=tuple(dict.fromkeys(p.strip() for p in self.platforms if p and p.strip())),
            company_ids=tuple(dict.fromkeys(int(c) for c in self.company_ids)),
            started_at=to_utc(self.started_at, tz), detected_at=to_utc(self.detected_at, tz),
            impact_defined_at=to_utc(self.impact_defined_at, tz))


def _time_errors(draft: IncidentDraft, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    started, detected, defined = draft.started_at, draft.detected_at, draft.impact_defined_at
    for field, value, missing in (("started_at", started, "Say when the disruption started."),
                                  ("detected_at", detected, "Say when the disruption was detected."),
                                  ("impact_defined_at", defined, "Say when the impact was defined.")):
        if value is None:
            errors[field] = missing
        elif value > now:
            errors[field] = f"{FIELD_LABELS[field]} cannot be in the future."
    if not {"started_at", "detected_at"} & set(errors) and detected < started:
        errors["detected_at"] = "Detection cannot come before the start of the disruption."
    if not {"detected_at", "impact_defined_at"} & set(errors) and defined < detected:
        errors["impact_defined_at"] = "The impact cannot be defined before the disruption was detected."
    return errors


def validate_draft(draft: IncidentDraft, *, now: datetime, severities: set[int]) -> dict[str, str]:
    """One message per invalid field of a normalised draft (empty when it can be declared)."""
    errors: dict[str, str] = {}
    if not draft.title:
        errors["title"] = "Give the incident a title."
    elif len(draft.title) < TITLE_MIN:
        errors["title"] = f"The title needs at least {TITLE_MIN} characters."
    elif len(draft.title) > TITLE_MAX:
        errors["title"] = f"The title may have at most {TITLE_MAX} characters (it has {len(draft.title)})."
    if draft.severity is None:
        errors["severity"] = "Choose a severity."
    elif int(draft.severity) not in severities:
        errors["severity"] = f"Severity {draft.severity} is not defined."
    if not draft.platforms:
        errors["platforms"] = "Pick at least one impacted platform or service."
    if not draft.all_customers and not draft.company_ids:
        errors["customers"] = "Pick the impacted customers, or tick 'All customers'."
    elif not draft.all_customers and len(draft.company_ids) < 2 and not draft.security_breach:
        errors["customers"] = ("A major incident impacts several customers: pick at least two, "
                               "tick 'All customers', or flag a security breach.")
    errors.update(_time_errors(draft, now))
    if not draft.description:
        errors["description"] = "Describe the incident: what customers see and what is affected."
    elif len(draft.description) > DESCRIPTION_MAX:
        errors["description"] = f"The description may have at most {DESCRIPTION_MAX} characters."
    for field, missing in (("commander", "Name the incident commander."),
                           ("notification_lead", "Name who leads the customer notifications."),
                           ("investigation_lead", "Name who leads the investigation and resolution.")):
        value = getattr(draft, field)
        if not value:
            errors[field] = missing
        elif len(value) > NAME_MAX:
            errors[field] = f"{FIELD_LABELS[field]} may have at most {NAME_MAX} characters."
    return errors


def validate_communication(*, sent_at: datetime | None, sent_by: str, company_ids: tuple[int, ...],
                           all_customers: bool, message: str, next_update_due: datetime | None,
                           detected_at: datetime, now: datetime) -> dict[str, str]:
    """One message per invalid field of a notification or status update."""
    errors: dict[str, str] = {}
    if sent_at is None:
        errors["sent_at"] = "Say when it was sent."
    elif sent_at > now:
        errors["sent_at"] = "It cannot have been sent in the future."
    elif sent_at < detected_at:
        errors["sent_at"] = "It cannot have been sent before the disruption was detected."
    if not sent_by:
        errors["sent_by"] = "Name who sent it."
    if not all_customers and not company_ids:
        errors["recipients"] = "Pick the customers it went to, or tick 'All impacted customers'."
    if not message:
        errors["message"] = "Paste the text that was sent."
    elif len(message) > MESSAGE_MAX:
        errors["message"] = f"The text may have at most {MESSAGE_MAX} characters."
    if next_update_due is not None and sent_at is not None and next_update_due <= sent_at:
        errors["next_update_due"] = "The next update must be due after this one was sent."
    return errors
