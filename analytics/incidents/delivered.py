"""A customer communication recorded by its delivery: the notification track fed by the outbox.

When the SMTP server accepts a customer notice that Vigie sent (``analytics.notices``), the
notice's delivery run calls :func:`record_delivery` inside the transaction that stores the
acceptance. It records the communication as the notification form does (same table, same
audit action), dated at the server's acceptance: so the first accepted delivery is the
instant the 20/30-minute figures and the clocks measure. The first communication an incident's
customers get is its first notification, whatever template composed it; a later one is a
status report, with its next one due ``incident.status_update_minutes`` later while the incident
is open. The same ``token`` twice records once, at the earlier acceptance: two replicas delivering
one notice's messages may commit in the other order than their server accepted them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from analytics.audit import service as audit
from analytics.incidents.rules import OPEN_STATUSES
from analytics.kernel.roles import Actor


def record_delivery(cur, *, actor: Actor, incident_id: int, sent_at: datetime, sent_by: str,
                    company_ids: list[int], message: str, token: str, interval_minutes: int) -> int | None:
    """Record an accepted notice as the incident's notification or status report; its id (None: known token)."""
    known = cur.execute("SELECT id, sent_at, next_update_due FROM incident_notifications WHERE idempotency_token = ?",
                        [token]).fetchone()
    if known:
        if sent_at < known[1]:  # another replica's delivery of the same notice was accepted earlier, committed later
            due = None if known[2] is None else known[2] - (known[1] - sent_at)
            cur.execute("UPDATE incident_notifications SET sent_at = ?, next_update_due = ? WHERE id = ?",
                        [sent_at, due, known[0]])
        return None
    row = cur.execute("SELECT reference, status FROM incidents WHERE id = ?", [incident_id]).fetchone()
    if row is None:
        return None
    reference, status = row
    notified = cur.execute("SELECT count(*) FROM incident_notifications WHERE incident_id = ? "
                           "AND kind = 'notification'", [incident_id]).fetchone()[0]
    kind = "status_update" if notified else "notification"
    due = sent_at + timedelta(minutes=interval_minutes) if status in OPEN_STATUSES else None
    new_id = cur.execute(
        "INSERT INTO incident_notifications (incident_id, kind, sent_at, sent_by, all_customers, company_ids, "
        "message, next_update_due, recorded_by, recorded_at, idempotency_token) "
        "VALUES (?, ?, ?, ?, false, ?, ?, ?, ?, ?, ?) RETURNING id",
        [incident_id, kind, sent_at, sent_by, sorted(set(company_ids)), message[:5000], due, actor.label,
         sent_at, token]).fetchone()[0]
    audit.record(cur, actor=actor, action=f"incident.{kind}", entity="incident", entity_id=reference,
                 after={"notification_id": new_id, "sent_at": sent_at, "sent_by": sent_by, "delivered": True,
                        "company_ids": sorted(set(company_ids)), "next_update_due": due})
    return int(new_id)
