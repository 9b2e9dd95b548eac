"""Reading the outbox: who a notice goes to, the messages of an incident with their delivery state,
their events for the incident's timeline, and the outbox's state for ``notices status``.

Bound-parameter SQL over migration 070 and the customer tables (``companies``, ``contacts``:
a company's administrators are its contacts with ``is_admin``).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.incidents import queries as incidents_queries
from analytics.notices.rules import PURPOSE_LABELS, valid_address
from analytics.store.database import Database
from analytics.store.reading import read_rows

QUEUED_TEXT = "queued, not delivered yet"


def incident_facts(db: Database, *, incident_id: int) -> dict | None:
    """What a template may name of an incident."""
    found = db.rows("SELECT reference, title, severity, description, status FROM incidents WHERE id = ?",
                    [incident_id])
    if not found:
        return None
    return dict(zip(("reference", "title", "severity", "description", "status"), found[0]))


def recipients(source, *, incident_id: int) -> dict[int, dict]:
    """Per impacted company (id): its name and its administrators' valid addresses, by name."""
    rows = read_rows(source, """
        SELECT c.id, c.name, ct.email FROM incident_impacted_companies ic
        JOIN companies c ON c.id = ic.company_id
        LEFT JOIN contacts ct ON ct.company_id = c.id AND ct.is_admin AND ct.email IS NOT NULL
        WHERE ic.incident_id = ? ORDER BY c.name, ct.email""", [incident_id])
    found: dict[int, dict] = {}
    for cid, name, email in rows:
        entry = found.setdefault(int(cid), {"name": name, "addresses": []})
        address = (email or "").strip()
        if valid_address(address) and address not in entry["addresses"]:
            entry["addresses"].append(address)
    return found


def delivery_state(row: dict, tz: str) -> str:
    """'accepted by the server at 14:32:05', 'queued, not delivered yet (...)', 'failed: ...'."""
    zone = ZoneInfo(tz)
    if row["status"] == "accepted":
        return f"accepted by the server at {pd.Timestamp(row['accepted_at']).astimezone(zone):%d %b %Y %H:%M:%S}"
    if row["status"] == "failed":
        return f"failed after {int(row['attempts'])} attempt(s): {row['last_reply']}"
    if row["status"] == "sending":
        return f"being handed to the server (claimed {pd.Timestamp(row['claimed_at']).astimezone(zone):%H:%M:%S})"
    if int(row["attempts"]) == 0:
        return QUEUED_TEXT
    nxt = pd.Timestamp(row["next_attempt_at"]).astimezone(zone)
    return f"{QUEUED_TEXT} (attempt {int(row['attempts'])} failed: {row['last_reply']}; next try {nxt:%H:%M:%S})"


def message_delivery(db: Database, *, message_id: int) -> str | None:
    """The delivery state of one message (None: no such message)."""
    frame = db.query("SELECT status, attempts, accepted_at, claimed_at, next_attempt_at, last_reply FROM outbox "
                     "WHERE id = ?", [message_id])
    return None if frame.empty else delivery_state(frame.iloc[0].to_dict(), db.timezone)


def incident_messages(db: Database, *, incident_id: int) -> pd.DataFrame:
    """The outbox messages of an incident, oldest first, with a ``delivery`` text per message."""
    frame = db.query("""
        SELECT o.id, o.purpose, o.company_id, c.name AS company, array_to_string(o.recipients, ', ') AS recipients,
               o.subject, o.body_text, o.status, o.attempts, o.queued_at, o.queued_by, o.next_attempt_at,
               o.claimed_at, o.accepted_at, o.last_reply
        FROM outbox o LEFT JOIN companies c ON c.id = o.company_id
        WHERE o.entity = 'incident' AND o.entity_id = ? ORDER BY o.queued_at, o.id""", [str(incident_id)])
    frame["kind"] = frame["purpose"].map(PURPOSE_LABELS)
    frame["delivery"] = [delivery_state(r, db.timezone) for r in frame.to_dict("records")]
    return frame


def timeline_events(db: Database, *, incident_id: int) -> pd.DataFrame:
    """Each message as timeline events (queued, then accepted or failed), in the incident timeline's columns."""
    messages = incident_messages(db, incident_id=incident_id)
    events = []
    for m in messages.to_dict("records"):
        label = f"{m['kind']} e-mail to {m['company']}"
        events.append({"occurred_at": m["queued_at"], "track": "notification", "event": f"{label} queued",
                       "who": m["queued_by"], "detail": f"{m['subject']} · {m['delivery']}"})
        if m["status"] == "accepted":
            events.append({"occurred_at": m["accepted_at"], "track": "notification",
                           "event": f"{label} accepted by the mail server", "who": None, "detail": m["recipients"]})
    return pd.DataFrame(events, columns=["occurred_at", "track", "event", "who", "detail"])


def incident_timeline(db: Database, *, incident_id: int) -> pd.DataFrame:
    """The incident's timeline (``analytics.incidents.queries.timeline``) with its e-mails' events merged in."""
    base = incidents_queries.timeline(db, incident_id=incident_id)
    mails = timeline_events(db, incident_id=incident_id)
    if mails.empty:
        return base
    merged = pd.concat([base, mails.astype(base.dtypes.to_dict())], ignore_index=True)
    return merged.sort_values(["occurred_at", "track"], kind="stable").reset_index(drop=True)


def outbox_summary(db: Database, *, now: datetime) -> dict[str, int]:
    """Messages per state, and how many queued ones are due now."""
    counts = dict(db.rows("SELECT status, count(*) FROM outbox GROUP BY status"))
    due = db.scalar("SELECT count(*) FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?", [now])
    return {"queued": int(counts.get("queued", 0)), "due": int(due or 0), "sending": int(counts.get("sending", 0)),
            "accepted": int(counts.get("accepted", 0)), "failed": int(counts.get("failed", 0))}
