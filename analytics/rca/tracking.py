"""Follow-up of published RCAs: progress of the action items, and customers' requests for a copy.

An action item's description, owner and due date are part of the review (edited in a
draft, see ``analytics.rca.service``); its progress is tracked here at any time, even once the RCA
is published and frozen. A customer's request for the RCA (DOMAIN.md section 4: available
on request) is recorded when it arrives and marked delivered when the published revision is
sent. Keyword-only, typed, role-checked, one audited transaction per write.
"""
from __future__ import annotations

from datetime import datetime

from analytics.audit import service as audit
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, require_role
from analytics.kernel.times import to_utc, utc_now
from analytics.rca.rules import ACT_ROLES, ACTION_STATUS_LABELS, ACTION_STATUSES, FIELD_LABELS, NAME_MAX
from analytics.store.database import Database


def update_action_item(db: Database, *, actor: Actor, item_id: int, status: str, completed_at: datetime | None = None,
                       now: datetime | None = None) -> None:
    """Record the progress of an action item (open, in progress, done, cancelled)."""
    require_role(actor, *ACT_ROLES, action="update an action item")
    now = utc_now(now)
    if status not in ACTION_STATUSES:
        raise ValidationError({"status": f"Choose one of {', '.join(ACTION_STATUS_LABELS.values())}."}, FIELD_LABELS)
    completed_at = to_utc(completed_at, db.timezone)
    if completed_at is not None and completed_at > now:
        raise ValidationError({"completed_at": "An action cannot be completed in the future."}, FIELD_LABELS)
    db.write(_update_item, actor=actor, item_id=item_id, status=status, completed_at=completed_at, now=now)


def _update_item(cur, *, actor, item_id, status, completed_at, now) -> None:
    row = cur.execute("SELECT a.status, a.completed_at, a.created_at, i.reference FROM rca_action_items a "
                      "JOIN rca_reports r ON r.id = a.report_id JOIN incidents i ON i.id = r.incident_id "
                      "WHERE a.id = ?", [item_id]).fetchone()
    if row is None:
        raise RuleRefused(f"No action item #{item_id}.")
    old_status, old_completed, created_at, reference = row
    if status in ("done", "cancelled"):
        completed_at = completed_at or (old_completed if old_status == status else None) or now
        if completed_at < created_at:
            raise ValidationError({"completed_at": "An action cannot be completed before it was planned "
                                                      f"({created_at:%d %b %Y})."}, FIELD_LABELS)
    else:
        completed_at = None
    cur.execute("UPDATE rca_action_items SET status = ?, completed_at = ?, updated_at = ?, updated_by = ? "
                "WHERE id = ?", [status, completed_at, now, actor.label, item_id])
    audit.record(cur, actor=actor, action="rca.action_item", entity="rca", entity_id=reference,
                 before={"item": item_id, "status": old_status, "completed_at": old_completed},
                 after={"item": item_id, "status": status, "completed_at": completed_at})


def record_request(db: Database, *, actor: Actor, incident_id: int, company_id: int, requested_by: str,
                   requested_at: datetime | None = None, now: datetime | None = None) -> int:
    """Record that a customer asked for the RCA of an incident; returns the request's id."""
    require_role(actor, *ACT_ROLES, action="record a customer's RCA request")
    now = utc_now(now)
    requested_at = to_utc(requested_at, db.timezone) or now
    requested_by = (requested_by or "").strip()
    errors = {}
    if not requested_by:
        errors["requested_by"] = "Name the customer's contact who asked."
    elif len(requested_by) > NAME_MAX:
        errors["requested_by"] = f"At most {NAME_MAX} characters."
    if requested_at > now:
        errors["requested_at"] = "A request cannot come from the future."
    if errors:
        raise ValidationError(errors, FIELD_LABELS)
    return db.write(_insert_request, actor=actor, incident_id=incident_id, company_id=company_id,
                    requested_by=requested_by, requested_at=requested_at, now=now)


def _insert_request(cur, *, actor, incident_id, company_id, requested_by, requested_at, now) -> int:
    incident = cur.execute("SELECT reference, started_at FROM incidents WHERE id = ?", [incident_id]).fetchone()
    if incident is None:
        raise RuleRefused(f"No incident with id {incident_id}.")
    if not cur.execute("SELECT count(*) FROM companies WHERE id = ?", [company_id]).fetchone()[0]:
        raise ValidationError({"company": "Choose a known customer."}, FIELD_LABELS)
    if requested_at < incident[1]:
        raise ValidationError({"requested_at": "The request cannot predate the incident."}, FIELD_LABELS)
    request_id = cur.execute(
        "INSERT INTO rca_requests (incident_id, company_id, requested_at, requested_by, recorded_by, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [incident_id, company_id, requested_at, requested_by, actor.label, now]).fetchone()[0]
    audit.record(cur, actor=actor, action="rca.request", entity="rca", entity_id=incident[0],
                 after={"request": request_id, "company_id": company_id, "requested_at": requested_at,
                        "requested_by": requested_by})
    return int(request_id)


def mark_delivered(db: Database, *, actor: Actor, request_id: int, delivered_at: datetime | None = None,
                   now: datetime | None = None) -> int:
    """Record that the published RCA was sent to the customer who asked; returns the revision sent."""
    require_role(actor, *ACT_ROLES, action="record the delivery of an RCA")
    now = utc_now(now)
    delivered_at = to_utc(delivered_at, db.timezone) or now
    if delivered_at > now:
        raise ValidationError({"delivered_at": "A delivery cannot be in the future."}, FIELD_LABELS)
    return db.write(_deliver, actor=actor, request_id=request_id, delivered_at=delivered_at)


def _deliver(cur, *, actor, request_id, delivered_at) -> int:
    row = cur.execute("SELECT q.incident_id, q.requested_at, q.delivered_at, i.reference FROM rca_requests q "
                      "JOIN incidents i ON i.id = q.incident_id WHERE q.id = ?", [request_id]).fetchone()
    if row is None:
        raise RuleRefused(f"No RCA request #{request_id}.")
    incident_id, requested_at, already, reference = row
    if already is not None:
        raise RuleRefused(f"Request #{request_id} was already delivered on {already:%d %b %Y}.")
    published = cur.execute("SELECT revision, published_at FROM rca_published WHERE incident_id = ?",
                            [incident_id]).fetchone()
    if published is None:
        raise RuleRefused(f"The RCA of {reference} is not published yet: nothing can be delivered.")
    if delivered_at < max(requested_at, published[1]):
        raise ValidationError({"delivered_at": "The delivery cannot predate the request or the publication."}, FIELD_LABELS)
    cur.execute("UPDATE rca_requests SET delivered_at = ?, delivered_revision = ? WHERE id = ?",
                [delivered_at, published[0], request_id])
    audit.record(cur, actor=actor, action="rca.deliver", entity="rca", entity_id=reference,
                 after={"request": request_id, "delivered_at": delivered_at, "revision": published[0]})
    return int(published[0])
