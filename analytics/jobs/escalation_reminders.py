"""The escalation reminder: an escalation left unacknowledged past ``escalation.ack_hours`` at its
level is e-mailed to the contact of the next level of the chain.

Which escalations: exactly those the Escalations page flags (``escalations.stats.open_escalations``,
one definition). Whom: the next level's entry in ``escalation.contacts`` when it has an ``email``
(``{"Support supervisor": {"name": "Noor", "phone": "+33 ...", "email": "noor@corp.example"}}``);
a level whose contact has no address gets no reminder (the job is off for it, as the monthly report
is off without recipients), and the top level has no next level. How often: once per escalation and
level: the run's period is ``<reference>@<level>`` in ``job_runs`` (one per period across replicas),
written in the transaction that queues the message, so a restart never sends it twice and an
escalation moved up a level and left unacknowledged again is reminded again, to the level above.
The outbox worker delivers the message; the escalation's timeline shows it as an e-mail.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.escalations.rules import REASON_CODES
from analytics.escalations.service import level_contact
from analytics.escalations.stats import open_escalations
from analytics.jobs import runs
from analytics.jobs.monthly_report import Outcome
from analytics.kernel.addresses import valid_address
from analytics.kernel.errors import ValidationError
from analytics.kernel.roles import system_actor
from analytics.kernel.times import utc_now
from analytics.notices.delivery import worker_name
from analytics.notices.outbox import queue_with_files
from analytics.settings.queries import get_setting
from analytics.sla.clock import format_duration
from analytics.store.database import Database

JOB = "escalation_reminder"
JOB_ACTOR = system_actor("scheduler")


def tick(db: Database, *, now: datetime | None = None) -> list[Outcome]:
    """Queue a reminder for every flagged escalation not yet reminded at its level; what was done."""
    now = utc_now(now)
    ack_hours = float(get_setting(db, "escalation.ack_hours"))
    flagged = open_escalations(db, now=now, ack_hours=ack_hours)
    outcomes = []
    for row in flagged[flagged["flagged"].astype(bool)].to_dict("records"):
        if not isinstance(row["next_level"], str):
            continue  # the top of the chain: nobody above to call
        contact = level_contact(db, row["next_level"])
        address = str(contact.get("email") or "").strip()
        if not valid_address(address):
            continue
        period = f"{row['reference']}@{int(row['level'])}"
        if runs.already_run(db, job=JOB, period=period):
            continue
        done = db.write(_run, row=row, period=period, contact=contact, address=address, ack_hours=ack_hours,
                        now=now, tz=db.timezone, worker=worker_name())
        if done is not None:
            outcomes.append(done)
    return outcomes


def message(row: dict, *, contact: dict, ack_hours: float, tz: str) -> tuple[str, str]:
    """The reminder's subject and plain text (user text stays text: the HTML part escapes it)."""
    waited = format_duration(float(row["at_level_s"]))
    raised = row["raised_at"].astimezone(ZoneInfo(tz))
    greeting = f"Hello {contact['name']}," if contact.get("name") else "Hello,"
    lines = [
        greeting, "",
        f"Escalation {row['reference']} ({row['company']}) has been at level {int(row['level'])}, "
        f"{row['level_name']}, for {waited} without acknowledgement (threshold {ack_hours:g} h). "
        f"It now falls to the next level: {row['next_level']}.", "",
        f"Reason: {REASON_CODES.get(row['reason_code'], row['reason_code'])}: {row['reason']}",
        f"Raised by: {row['raised_by']}, on {raised:%d %b %Y %H:%M} ({tz})",
        f"Owner: {row['owner']}",
    ]
    if isinstance(row.get("ticket"), str):
        lines.append(f"Ticket: {row['ticket']}")
    if isinstance(row.get("incident"), str):
        lines.append(f"Incident: {row['incident']}")
    lines += ["", "Acknowledge it or take it over on Vigie's Escalations page.", "",
              "Sent by Vigie (escalation reminder)."]
    subject = f"[{row['reference']}] Unacknowledged for {waited} at {row['level_name']}: {row['company']}"
    return subject, "\n".join(lines)


def _run(cur, *, row, period, contact, address, ack_hours, now, tz, worker) -> Outcome | None:
    if cur.execute("SELECT count(*) FROM job_runs WHERE job = ? AND period = ?", [JOB, period]).fetchone()[0]:
        return None  # another process reminded it since the check above
    subject, body = message(row, contact=contact, ack_hours=ack_hours, tz=tz)
    try:
        message_id = queue_with_files(cur, actor=JOB_ACTOR, batch=f"job:{JOB}:{period}", entity="escalation",
                                      entity_id=str(row["reference"]), purpose="escalation_reminder",
                                      recipients=[address], subject=subject, body=body, files=[], now=now)
        outcome, detail = "done", f"outbox message {message_id} to {row['next_level']} ({address})"
    except ValidationError as exc:
        outcome, detail = "failed", f"not queued: {exc}"
    due_at = row["level_since"] + timedelta(hours=ack_hours)  # the instant it was flagged
    runs.record_run(cur, actor=JOB_ACTOR, job=JOB, period=period, due_at=due_at, started_at=now, outcome=outcome,
                    detail=detail, worker=worker)
    return Outcome(JOB, period, outcome, detail)
