"""Escalations (DOMAIN.md section 3): raise, acknowledge, escalate further, resolve.

A customer may escalate at any time. An escalation starts at the first level of the
chain (setting ``escalation.chain``) and climbs it one level at a time; each level
acknowledges it, and it ends resolved. The ``escalations`` row holds the current
state, ``escalation_events`` every step (raised, acknowledged, escalated, resolved),
so depth and time at level are computed in SQL (``analytics/escalations/stats.py``).

Every write here is one transaction that checks the actor's role at the moment of
writing (managers, supervisors, admins) and records an audit row. Bad input raises
:class:`ValidationError` (one message per field); an action the rules forbid
raises :class:`RuleRefused` with a sentence a user can read.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from analytics.audit import service as audit
from analytics.escalations.rules import (
    ACT_ROLES,
    CLOCK_SKEW,
    NAME_MAX_CHARS,
    REASON_CODES,
    REASON_MIN_CHARS,
    TEXT_MAX_CHARS,
    EscalationState,
    check_action,
    level_name,
)
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, require_role
from analytics.kernel.times import to_utc, utc_now
from analytics.settings.queries import get_setting
from analytics.store.database import Database


@dataclass(frozen=True)
class RaiseResult:
    """The escalation a submission created (or had already created: ``created`` is False)."""

    id: int
    reference: str
    created: bool


# -- the chain ---------------------------------------------------------------------
def escalation_chain(db: Database) -> list[str]:
    """The levels of the chain in order (setting ``escalation.chain``)."""
    chain = [str(level) for level in get_setting(db, "escalation.chain") if str(level).strip()]
    return chain or ["Customer support"]


def level_contact(db: Database, name: str) -> dict:
    """The configured contact of a level (setting ``escalation.contacts``): name and phone, or {}."""
    contact = get_setting(db, "escalation.contacts").get(name) or {}
    return {"name": contact} if isinstance(contact, str) else dict(contact)


# -- helpers -----------------------------------------------------------------------
def _instant(db: Database, at: datetime | None, field: str = "at") -> datetime:
    if at is None:
        return utc_now()
    at = to_utc(at, db.timezone)
    if at > utc_now() + CLOCK_SKEW:
        raise ValidationError({field: "The time cannot be in the future."})
    return at


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _load_state(cur, reference: str) -> EscalationState:
    row = cur.execute(
        "SELECT id, reference, level, level_since, owner, acknowledged_at, acknowledged_by, resolved_at, "
        "resolved_by FROM escalations WHERE reference = ?", [_text(reference).upper()]).fetchone()
    if row is None:
        raise RuleRefused(f"No escalation with reference {reference!r}.")
    return EscalationState(*row)


def _check_after(state: EscalationState, at: datetime) -> None:
    if at < state.level_since:
        raise ValidationError({"at": f"The time cannot be before {state.reference} reached its current "
                                          f"level ({state.level_since:%d %b %Y %H:%M})."})


def _event(cur, escalation_id: int, at: datetime, kind: str, to_level: int, actor: Actor,
           from_level: int | None = None, note: str | None = None) -> None:
    cur.execute("INSERT INTO escalation_events (escalation_id, occurred_at, kind, from_level, to_level, actor, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", [escalation_id, at, kind, from_level, to_level, actor.label, note])


def _state_json(state: EscalationState) -> dict:
    return {k: v for k, v in asdict(state).items() if k != "id"}


# -- raising -----------------------------------------------------------------------
def _find_incident(cur, incident: int | str) -> int | None:
    """The id of an incident given by id or INC-YYYY-NNNN reference (None when unknown or not installed)."""
    installed = cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'incidents'").fetchone()[0]
    if isinstance(incident, int):
        return incident if incident >= 1 and (not installed or cur.execute(
            "SELECT count(*) FROM incidents WHERE id = ?", [incident]).fetchone()[0]) else None
    row = cur.execute("SELECT id FROM incidents WHERE upper(reference) = upper(?)", [incident]).fetchone() \
        if installed else None
    return row[0] if row else None


def _validate_raise(cur, *, ticket_reference, company_id, incident, reason, reason_code, raised_by, owner):
    """Check the form; returns (errors, company_id, ticket_id, incident_id)."""
    errors: dict[str, str] = {}
    ticket_id = incident_id = None
    if ticket_reference:
        row = cur.execute("SELECT id, company_id FROM tickets WHERE reference = ? OR reference = upper(?) "
                          "ORDER BY reference = ? DESC LIMIT 1", [ticket_reference] * 3).fetchone()
        if row is None:
            errors["ticket_reference"] = f"No ticket with reference {ticket_reference!r}."
        elif company_id is not None and company_id != row[1]:
            name = cur.execute("SELECT name FROM companies WHERE id = ?", [row[1]]).fetchone()[0]
            errors["company"] = f"Ticket {ticket_reference} belongs to {name}; pick that company or leave it empty."
        else:
            ticket_id, company_id = row
    elif company_id is None:
        errors["ticket_reference"] = "Give the ticket reference, or pick the company that escalates."
    if company_id is not None and "company" not in errors and not cur.execute(
            "SELECT count(*) FROM companies WHERE id = ?", [company_id]).fetchone()[0]:
        errors["company"] = "Unknown company."
    if len(reason) < REASON_MIN_CHARS:
        errors["reason"] = f"Describe the reason in at least {REASON_MIN_CHARS} characters."
    elif len(reason) > TEXT_MAX_CHARS:
        errors["reason"] = f"Keep the reason under {TEXT_MAX_CHARS} characters ({len(reason)} now)."
    if incident is not None:
        incident_id = _find_incident(cur, incident)
        if incident_id is None:
            errors["incident"] = f"No incident {incident!r}."
    if reason_code not in REASON_CODES:
        errors["reason_code"] = f"Choose a reason code: {', '.join(REASON_CODES)}."
    for field, value, label in (("raised_by", raised_by, "who raised it (the customer's contact)"),
                                ("owner", owner, "the owner")):
        if not value:
            errors[field] = f"Give {label}."
        elif len(value) > NAME_MAX_CHARS:
            errors[field] = f"Keep it under {NAME_MAX_CHARS} characters."
    return errors, company_id, ticket_id, incident_id


def raise_escalation(db: Database, *, actor: Actor, reason: str, reason_code: str, raised_by: str, owner: str,
                     ticket_reference: str | None = None, company_id: int | None = None,
                     incident: int | str | None = None, at: datetime | None = None,
                     submission_key: str | None = None) -> RaiseResult:
    """Record a customer's escalation at the first level of the chain, with its ESC-YYYY-NNNN reference.

    ``incident`` is an incident id or its INC-YYYY-NNNN reference; ``submission_key`` makes a
    resubmitted form return the escalation it already created.
    """
    at = _instant(db, at, "raised_at")
    year = at.astimezone(ZoneInfo(db.timezone)).year
    ticket_reference = _text(ticket_reference) or None
    reason, raised_by, owner = (reason or "").strip(), _text(raised_by), _text(owner)
    incident = (_text(incident) or None) if isinstance(incident, str) else incident

    def work(cur) -> RaiseResult:
        require_role(actor, *ACT_ROLES, action="raise an escalation")
        if submission_key:
            done = cur.execute("SELECT id, reference FROM escalations WHERE submission_key = ?",
                               [submission_key]).fetchone()
            if done:
                return RaiseResult(done[0], done[1], created=False)
        errors, company, ticket_id, incident_id = _validate_raise(
            cur, ticket_reference=ticket_reference, company_id=company_id, incident=incident, reason=reason,
            reason_code=reason_code, raised_by=raised_by, owner=owner)
        if errors:
            raise ValidationError(errors)
        seq = cur.execute("SELECT coalesce(max(ref_seq), 0) + 1 FROM escalations WHERE ref_year = ?",
                          [year]).fetchone()[0]
        reference = f"ESC-{year}-{seq:04d}"
        new_id = cur.execute(
            "INSERT INTO escalations (reference, ref_year, ref_seq, company_id, ticket_id, incident_id, level, "
            "level_since, reason, reason_code, raised_by, raised_at, owner, recorded_by, submission_key) "
            "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [reference, year, seq, company, ticket_id, incident_id, at, reason, reason_code, raised_by, at,
             owner, actor.label, submission_key]).fetchone()[0]
        _event(cur, new_id, at, "raised", 1, actor, note=reason_code)
        audit.record(cur, actor=actor, action="escalation.raise", entity="escalation", entity_id=reference,
                     after={"reference": reference, "company_id": company, "ticket_id": ticket_id,
                            "incident_id": incident_id, "level": 1, "reason_code": reason_code,
                            "reason": reason, "raised_by": raised_by, "owner": owner, "raised_at": at})
        return RaiseResult(new_id, reference, created=True)

    return db.write(work)


# -- acting on an escalation -------------------------------------------------------
def acknowledge(db: Database, *, actor: Actor, reference: str, at: datetime | None = None) -> EscalationState:
    """Acknowledge an open escalation at its current level."""
    at, chain = _instant(db, at), escalation_chain(db)

    def work(cur) -> EscalationState:
        require_role(actor, *ACT_ROLES, action="acknowledge an escalation")
        before = _load_state(cur, reference)
        check_action("acknowledge", before, chain)
        _check_after(before, at)
        cur.execute("UPDATE escalations SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?",
                    [at, actor.label, before.id])
        _event(cur, before.id, at, "acknowledged", before.level, actor)
        after = _load_state(cur, before.reference)
        audit.record(cur, actor=actor, action="escalation.acknowledge", entity="escalation",
                     entity_id=before.reference, before=_state_json(before), after=_state_json(after))
        return after

    return db.write(work)


def escalate_further(db: Database, *, actor: Actor, reference: str, note: str = "", owner: str | None = None,
                     at: datetime | None = None) -> EscalationState:
    """Move an open escalation to the next level of the chain (never skipping one); it awaits acknowledgement there."""
    at, chain = _instant(db, at), escalation_chain(db)
    note, owner = _text(note), _text(owner)
    if len(note) > TEXT_MAX_CHARS or len(owner) > NAME_MAX_CHARS:
        raise ValidationError({"note" if len(note) > TEXT_MAX_CHARS else "owner": "Too long."})

    def work(cur) -> EscalationState:
        require_role(actor, *ACT_ROLES, action="escalate an escalation further")
        before = _load_state(cur, reference)
        check_action("escalate", before, chain)
        _check_after(before, at)
        target = before.level + 1
        new_owner = owner or level_contact(db, level_name(chain, target)).get("name") or level_name(chain, target)
        cur.execute("UPDATE escalations SET level = ?, level_since = ?, owner = ?, acknowledged_at = NULL, "
                    "acknowledged_by = NULL WHERE id = ?", [target, at, new_owner, before.id])
        _event(cur, before.id, at, "escalated", target, actor, from_level=before.level, note=note or None)
        after = _load_state(cur, before.reference)
        audit.record(cur, actor=actor, action="escalation.escalate", entity="escalation",
                     entity_id=before.reference, before=_state_json(before), after={**_state_json(after), "note": note})
        return after

    return db.write(work)


def resolve(db: Database, *, actor: Actor, reference: str, resolution: str, at: datetime | None = None) -> EscalationState:
    """Close an open escalation with a summary of how it was resolved."""
    at, chain = _instant(db, at), escalation_chain(db)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": "Say how the escalation was resolved."})
    if len(resolution) > TEXT_MAX_CHARS:
        raise ValidationError({"resolution": f"Keep it under {TEXT_MAX_CHARS} characters."})

    def work(cur) -> EscalationState:
        require_role(actor, *ACT_ROLES, action="resolve an escalation")
        before = _load_state(cur, reference)
        check_action("resolve", before, chain)
        _check_after(before, at)
        cur.execute("UPDATE escalations SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
                    [at, actor.label, resolution, before.id])
        _event(cur, before.id, at, "resolved", before.level, actor, note=resolution)
        after = _load_state(cur, before.reference)
        audit.record(cur, actor=actor, action="escalation.resolve", entity="escalation",
                     entity_id=before.reference, before=_state_json(before),
                     after={**_state_json(after), "resolution": resolution})
        return after

    return db.write(work)


def company_choices(db: Database) -> dict[str, int]:
    """Company name -> id, for the raise form."""
    return dict(db.rows("SELECT name, id FROM companies ORDER BY name"))
