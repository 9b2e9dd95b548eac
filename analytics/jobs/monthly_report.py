"""The scheduled monthly report: the PDF of the month before, e-mailed to a distribution list.

Settings: ``reports.monthly_recipients`` (empty: the job is off), ``reports.monthly_day`` and
``reports.monthly_hour`` (deployment time zone). :func:`tick` finds the period due
(:mod:`analytics.jobs.schedule`); when it has no run yet, the report is built and rendered
(outside any transaction: read-only, slow), then one write transaction records the run
(:mod:`analytics.jobs.runs`) and queues the message with its PDF (``notices.outbox``). The
outbox worker delivers it. A failure (the report or the recipients refused) is recorded as the
period's run with its reason, audited like a success.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analytics.jobs import runs
from analytics.jobs.schedule import monthly_due
from analytics.kernel.errors import ValidationError
from analytics.kernel.roles import system_actor
from analytics.kernel.times import utc_now
from analytics.notices.delivery import worker_name
from analytics.notices.outbox import queue_with_files
from analytics.notices.rules import valid_address
from analytics.settings.queries import get_setting
from analytics.store.database import Database

JOB = "monthly_report"
JOB_ACTOR = system_actor("scheduler")
BODY = ("Hello,\n\nThe monthly support report for {month} is attached (PDF).\n\n"
        "Sent by Vigie on schedule (day {day} at {hour:02d}:00, {tz}).")


@dataclass(frozen=True)
class Outcome:
    """What one run did."""

    job: str
    period: str
    outcome: str     # 'done' | 'failed'
    detail: str


def tick(db: Database, *, now: datetime | None = None, render=None) -> Outcome | None:
    """Run the job for the period due at ``now`` if it has not run; None when nothing was to do.

    ``render(db, month, now) -> bytes`` makes the PDF (default: the monthly report renderer).
    """
    now = utc_now(now)
    recipients = [str(a).strip() for a in get_setting(db, "reports.monthly_recipients")]
    if not recipients:
        return None
    day, hour = int(get_setting(db, "reports.monthly_day")), int(get_setting(db, "reports.monthly_hour"))
    due = monthly_due(now, db.timezone, day=day, hour=hour)
    if runs.already_run(db, job=JOB, period=due.period):
        return None
    from analytics.reports.monthly import ReportMonth

    month = ReportMonth.parse(due.period)
    bad = [a for a in recipients if not valid_address(a)]
    pdf, error = b"", f"not queued: not a plain e-mail address in reports.monthly_recipients: {bad[0]!r}" if bad else ""
    if not error:
        try:
            pdf = (render or _render)(db, month, now)
        except Exception as exc:  # noqa: BLE001 - the failure is the run's outcome, recorded and audited
            error = f"the report could not be rendered: {type(exc).__name__}: {exc}"
    body = BODY.format(month=month.label, day=day, hour=hour, tz=db.timezone)
    return db.write(_run, due=due, month=month, recipients=recipients, body=body, pdf=pdf, error=error, now=now,
                    worker=worker_name())


def _render(db: Database, month, now: datetime) -> bytes:
    from analytics.reports.monthly import build_report
    from analytics.reports.render import pdf_document

    return pdf_document(build_report(db, month, now=now))


def _run(cur, *, due, month, recipients, body, pdf, error, now, worker) -> Outcome | None:
    if cur.execute("SELECT count(*) FROM job_runs WHERE job = ? AND period = ?", [JOB, due.period]).fetchone()[0]:
        return None  # another process ran it since the check above
    outcome, detail = "failed", error
    if not error:
        try:  # validated before anything is written: a refusal leaves no message behind
            message_id = queue_with_files(
                cur, actor=JOB_ACTOR, batch=f"job:{JOB}:{due.period}", entity="job", entity_id=f"{JOB}:{due.period}",
                purpose="monthly_report", recipients=recipients, subject=f"Monthly support report: {month.label}",
                body=body, files=[(f"vigie-monthly-report-{month.key}.pdf", "application/pdf", pdf)], now=now)
            outcome, detail = "done", f"outbox message {message_id} to {len(recipients)} recipient(s)"
        except ValidationError as exc:
            detail = f"not queued: {exc}"
    runs.record_run(cur, actor=JOB_ACTOR, job=JOB, period=due.period, due_at=due.due_at, started_at=now,
                    outcome=outcome, detail=detail, worker=worker)
    return Outcome(JOB, due.period, outcome, detail)
