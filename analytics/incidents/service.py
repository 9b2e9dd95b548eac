"""Major incidents (DOMAIN.md section 4): declaration, lifecycle, notifications, investigation.

The service owns every write to the incident tables of migration 020. Each function
takes keyword-only, typed arguments, checks the actor's role at the moment of
writing (supervisors and admins act; everyone else is refused server-side), runs
one transaction and records an audit row in it. Validation lives in
``analytics.incidents.rules`` (pure functions) so forms and tests share the messages.
Reads (lists, clocks, timeline) are in ``analytics.incidents.queries``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.audit import service as audit
from analytics.incidents.rules import (
    ACT_ROLES,
    FIELD_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    STEP_LABELS,
    STEPS,
    TRANSITIONS,
    IncidentDraft,
    validate_communication,
    validate_draft,
)
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, require_role
from analytics.kernel.sql import assignments
from analytics.kernel.times import to_utc, utc_now
from analytics.settings.queries import get_setting
from analytics.store.database import Database
from analytics.store.errors import ConstraintViolation

__all__ = ["ACT_ROLES", "OPEN_STATUSES", "STATUS_LABELS", "STEPS", "STEP_LABELS", "TRANSITIONS",
           "IncidentDraft", "Declared", "declare", "transition",
           "notify", "record_update", "complete_step"]

TIMED_COLUMNS = ("status", "acknowledged_at", "identified_at", "resolved_at", "postmortem_at", "closed_at")


@dataclass(frozen=True)
class Declared:
    """The outcome of a declaration: the incident, and whether this call created it."""

    incident_id: int
    reference: str
    created: bool




def _severities(db: Database) -> set[int]:
    return {int(r[0]) for r in db.rows("SELECT severity FROM severities")}


def _existing(cur, token: str) -> Declared | None:
    row = cur.execute("SELECT id, reference FROM incidents WHERE idempotency_token = ?", [token]).fetchone()
    return Declared(int(row[0]), row[1], False) if row else None


def declare(db: Database, *, actor: Actor, draft: IncidentDraft, token: str, now: datetime | None = None) -> Declared:
    """Declare a major incident; the same ``token`` twice returns the first incident unchanged."""
    require_role(actor, *ACT_ROLES, action="declare an incident")
    now = utc_now(now)
    draft = draft.normalized(db.timezone)
    errors = validate_draft(draft, now=now, severities=_severities(db))
    if not token:
        raise RuleRefused("The form has no idempotency token; reload the page.")
    if errors:
        raise ValidationError(errors, FIELD_LABELS)
    try:
        return db.write(_insert_incident, actor=actor, draft=draft, token=token, now=now)
    except ConstraintViolation:  # another process used the token between check and insert
        with db.transaction() as cur:
            found = _existing(cur, token)
        if found is None:
            raise
        return found


def _insert_incident(cur, *, actor: Actor, draft: IncidentDraft, token: str, now: datetime) -> Declared:
    found = _existing(cur, token)
    if found:
        return found
    if draft.company_ids:
        known = cur.execute("SELECT count(*) FROM companies WHERE list_contains(?, id)",
                            [list(draft.company_ids)]).fetchone()[0]
        if known != len(set(draft.company_ids)):
            raise ValidationError({"customers": "Some of the chosen customers no longer exist; reload the page."}, FIELD_LABELS)
    year = now.astimezone(ZoneInfo(cur.execute("SELECT current_setting('TimeZone')").fetchone()[0])).year
    number = cur.execute("SELECT coalesce(max(ref_number), 0) + 1 FROM incidents WHERE ref_year = ?",
                         [year]).fetchone()[0]
    incident_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM incidents").fetchone()[0]
    reference = f"INC-{year}-{number:04d}"
    cur.execute(
        "INSERT INTO incidents (id, reference, ref_year, ref_number, title, severity, security_breach, "
        "all_customers, platforms, description, status, started_at, detected_at, impact_defined_at, "
        "declared_at, declared_by, commander, notification_lead, investigation_lead, idempotency_token, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'declared', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [incident_id, reference, year, number, draft.title, draft.severity, draft.security_breach,
         draft.all_customers, list(draft.platforms), draft.description, draft.started_at, draft.detected_at,
         draft.impact_defined_at, now, actor.label, draft.commander, draft.notification_lead,
         draft.investigation_lead, token, now])
    if not draft.all_customers:
        cur.executemany("INSERT INTO incident_companies VALUES (?, ?)",
                        [[incident_id, cid] for cid in sorted(set(draft.company_ids))])
    cur.execute("INSERT INTO incident_transitions (incident_id, from_status, to_status, occurred_at, actor) "
                "VALUES (?, NULL, 'declared', ?, ?)", [incident_id, now, actor.label])
    audit.record(cur, actor=actor, action="incident.declare", entity="incident", entity_id=reference,
                 after={**asdict(draft), "reference": reference})
    return Declared(incident_id, reference, True)


def _incident(cur, incident_id: int) -> dict:
    result = cur.execute("SELECT * FROM incidents WHERE id = ?", [incident_id])
    row = result.fetchone()
    if row is None:
        raise RuleRefused(f"No incident with id {incident_id}.")
    return dict(zip([d[0] for d in result.description], row))


def _last_transition_at(cur, incident_id: int) -> datetime:
    return cur.execute("SELECT max(occurred_at) FROM incident_transitions WHERE incident_id = ?",
                       [incident_id]).fetchone()[0]


def transition(db: Database, *, actor: Actor, incident_id: int, to_status: str, at: datetime | None = None,
               note: str | None = None, now: datetime | None = None) -> str:
    """Move an incident to ``to_status`` if the lifecycle allows it; returns the new status."""
    require_role(actor, *ACT_ROLES, action="change the status of an incident")
    now = utc_now(now)
    at = to_utc(at, db.timezone) or now
    if to_status not in TRANSITIONS:
        raise RuleRefused(f"Unknown status {to_status!r}.")
    return db.write(_apply_transition, actor=actor, incident_id=incident_id, to_status=to_status,
                    at=at, note=(note or "").strip() or None, now=now)


def _apply_transition(cur, *, actor, incident_id, to_status, at, note, now) -> str:
    incident = _incident(cur, incident_id)
    current = incident["status"]
    if to_status == current:
        raise RuleRefused(f"{incident['reference']} is already {STATUS_LABELS[current]}.")
    if to_status not in TRANSITIONS[current]:
        allowed = ", ".join(STATUS_LABELS[s] for s in TRANSITIONS[current]) or "none (it is closed)"
        raise RuleRefused(f"{incident['reference']} cannot go from {STATUS_LABELS[current]} to "
                            f"{STATUS_LABELS[to_status]}. Possible next steps: {allowed}.")
    last = _last_transition_at(cur, incident_id)
    if at > now + timedelta(seconds=1):
        raise RuleRefused("A status change cannot be dated in the future.")
    if last is not None and at < last:
        raise RuleRefused(f"A status change cannot be dated before the previous one ({last:%d %b %Y %H:%M}).")
    changes = {"status": to_status}
    if current == "declared":
        changes["acknowledged_at"] = at
    if to_status == "identified" and incident["identified_at"] is None:
        changes["identified_at"] = at
    if to_status == "resolved":
        changes["resolved_at"] = at
    elif current == "resolved" and to_status in OPEN_STATUSES:
        changes["resolved_at"] = None  # reopened: the resolution did not hold
    if to_status == "post_mortem":
        changes["postmortem_at"] = at
    if to_status == "closed":
        changes["closed_at"] = at
    cur.execute(f"UPDATE incidents SET {assignments(changes, TIMED_COLUMNS)}, updated_at = ? WHERE id = ?",
                [*changes.values(), now, incident_id])
    cur.execute("INSERT INTO incident_transitions (incident_id, from_status, to_status, occurred_at, actor, note) "
                "VALUES (?, ?, ?, ?, ?, ?)", [incident_id, current, to_status, at, actor.label, note])
    audit.record(cur, actor=actor, action="incident.transition", entity="incident",
                 entity_id=incident["reference"], before={"status": current},
                 after={**changes, "at": at, "note": note})
    return to_status


def notify(db: Database, *, actor: Actor, incident_id: int, sent_at: datetime, sent_by: str, company_ids: tuple[int, ...],
           all_customers: bool, message: str, token: str, next_update_due: datetime | None = None,
           now: datetime | None = None) -> int:
    """Record a written notification sent to customers; returns its id (the same for the same token)."""
    return _communicate(db, kind="notification", actor=actor, incident_id=incident_id, sent_at=sent_at,
                        sent_by=sent_by, company_ids=company_ids, all_customers=all_customers, message=message,
                        token=token, next_update_due=next_update_due, now=now)


def record_update(db: Database, *, actor: Actor, incident_id: int, sent_at: datetime, sent_by: str,
                  company_ids: tuple[int, ...], all_customers: bool, message: str, token: str,
                  next_update_due: datetime | None = None, now: datetime | None = None) -> int:
    """Record a periodic status report sent to customers, with when the next one is due."""
    return _communicate(db, kind="status_update", actor=actor, incident_id=incident_id, sent_at=sent_at,
                        sent_by=sent_by, company_ids=company_ids, all_customers=all_customers, message=message,
                        token=token, next_update_due=next_update_due, now=now)


def _communicate(db: Database, *, kind, actor, incident_id, sent_at, sent_by, company_ids, all_customers, message,
                 token, next_update_due, now) -> int:
    action = "record a customer notification" if kind == "notification" else "record a status update"
    require_role(actor, *ACT_ROLES, action=action)
    now = utc_now(now)
    if not token:
        raise RuleRefused("The form has no idempotency token; reload the page.")
    sent_at, next_update_due = to_utc(sent_at, db.timezone), to_utc(next_update_due, db.timezone)
    interval = int(get_setting(db, "incident.status_update_minutes"))
    return db.write(_insert_communication, kind=kind, actor=actor, incident_id=incident_id, sent_at=sent_at,
                    sent_by=(sent_by or "").strip(), company_ids=tuple(company_ids), all_customers=all_customers,
                    message=(message or "").strip(), token=token, next_update_due=next_update_due,
                    interval=interval, now=now)


def _insert_communication(cur, *, kind, actor, incident_id, sent_at, sent_by, company_ids, all_customers,
                          message, token, next_update_due, interval, now) -> int:
    existing = cur.execute("SELECT id FROM incident_notifications WHERE idempotency_token = ?", [token]).fetchone()
    if existing:
        return int(existing[0])
    incident = _incident(cur, incident_id)
    notified = cur.execute("SELECT count(*) FROM incident_notifications WHERE incident_id = ? "
                           "AND kind = 'notification'", [incident_id]).fetchone()[0]
    if incident["status"] in ("post_mortem", "closed"):
        raise RuleRefused(f"{incident['reference']} is {STATUS_LABELS[incident['status']]}: "
                            "customer communications are over.")
    if kind == "status_update" and not notified:
        raise RuleRefused("Record the first customer notification before any status update.")
    still_open = incident["status"] in OPEN_STATUSES
    if next_update_due is None and still_open and sent_at is not None:
        next_update_due = sent_at + timedelta(minutes=interval)
    errors = validate_communication(sent_at=sent_at, sent_by=sent_by, company_ids=company_ids,
                                    all_customers=all_customers, message=message,
                                    next_update_due=next_update_due if still_open else None,
                                    detected_at=incident["detected_at"], now=now)
    if errors:
        raise ValidationError(errors, FIELD_LABELS)
    new_id = cur.execute(
        "INSERT INTO incident_notifications (incident_id, kind, sent_at, sent_by, all_customers, company_ids, "
        "message, next_update_due, recorded_by, recorded_at, idempotency_token) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [incident_id, kind, sent_at, sent_by, all_customers, [] if all_customers else sorted(set(company_ids)),
         message, next_update_due if still_open else None, actor.label, now, token]).fetchone()[0]
    audit.record(cur, actor=actor, action=f"incident.{kind}", entity="incident", entity_id=incident["reference"],
                 after={"notification_id": new_id, "sent_at": sent_at, "sent_by": sent_by,
                        "all_customers": all_customers, "company_ids": sorted(set(company_ids)),
                        "next_update_due": next_update_due if still_open else None})
    return int(new_id)


def complete_step(db: Database, *, actor: Actor, incident_id: int, step: str, owner: str, completed_at: datetime | None = None,
                  note: str | None = None, now: datetime | None = None) -> None:
    """Record a step of the investigation track (in order, once each) with its owner and time."""
    require_role(actor, *ACT_ROLES, action="record an investigation step")
    now = utc_now(now)
    completed_at = to_utc(completed_at, db.timezone) or now
    if step not in STEPS:
        raise RuleRefused(f"Unknown investigation step {step!r}.")
    if not (owner or "").strip():
        raise ValidationError({"owner": "Name the owner of this step."}, FIELD_LABELS)
    db.write(_insert_step, actor=actor, incident_id=incident_id, step=step, owner=owner.strip(),
             completed_at=completed_at, note=(note or "").strip() or None, now=now)


def _insert_step(cur, *, actor, incident_id, step, owner, completed_at, note, now) -> None:
    incident = _incident(cur, incident_id)
    done = dict(cur.execute("SELECT step, completed_at FROM incident_steps WHERE incident_id = ?",
                            [incident_id]).fetchall())
    label = STEP_LABELS[step]
    if step in done:
        raise RuleRefused(f"'{label}' is already recorded for {incident['reference']}.")
    if incident["status"] == "closed":
        raise RuleRefused(f"{incident['reference']} is closed.")
    previous = STEPS[STEPS.index(step) - 1] if STEPS.index(step) else None
    if previous and previous not in done:
        raise RuleRefused(f"Record '{STEP_LABELS[previous]}' before '{label}'.")
    if completed_at > now + timedelta(seconds=1):
        raise ValidationError({"completed_at": "A step cannot be completed in the future."}, FIELD_LABELS)
    earliest = done[previous] if previous else incident["detected_at"]
    if completed_at < earliest:
        raise ValidationError({"completed_at": f"'{label}' cannot come before {earliest:%d %b %Y %H:%M}."}, FIELD_LABELS)
    cur.execute("INSERT INTO incident_steps VALUES (?, ?, ?, ?, ?, ?, ?)",
                [incident_id, step, owner, completed_at, note, actor.label, now])
    audit.record(cur, actor=actor, action="incident.step", entity="incident", entity_id=incident["reference"],
                 after={"step": step, "owner": owner, "completed_at": completed_at, "note": note})
