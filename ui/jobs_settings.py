"""The scheduled jobs on the Settings page (admins): what each job is set to do, the outbox at a glance,
and the latest runs with their outcome (``job_runs``), newest first. Logic is in ``analytics.jobs``."""
from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from analytics.escalations.service import escalation_chain, level_contact
from analytics.jobs.runs import recent_runs
from analytics.notices.queries import outbox_summary
from analytics.settings.queries import get_setting
from analytics.store.database import Database
from ui.columns import TIMESTAMP, Col, code
from ui.labels import plural
from ui.tables import show_table

RUNS = {"job": code("Job", "job"), "period": Col("Covers", help="The month reported, or the escalation and level"),
        "due_at": Col("Due", TIMESTAMP), "started_at": Col("Ran", TIMESTAMP), "outcome": code("Outcome", "job_outcome"),
        "detail": Col("What it did"), "worker": Col("Process", help="host:process:run of the replica that ran it")}


def schedule_lines(db: Database) -> list[str]:
    """One sentence per job: what it is set to do now."""
    recipients = list(get_setting(db, "reports.monthly_recipients"))
    day, hour = int(get_setting(db, "reports.monthly_day")), int(get_setting(db, "reports.monthly_hour"))
    monthly = (f"Monthly report: e-mailed on day {day} at {hour:02d}:00 ({db.timezone}) to "
               f"{plural(len(recipients), 'address', 'addresses')} (reports.monthly_recipients)." if recipients
               else "Monthly report: off (reports.monthly_recipients is empty).")
    levels = [name for name in escalation_chain(db)[1:] if level_contact(db, name).get("email")]
    ack = get_setting(db, "escalation.ack_hours")
    reminder = (f"Escalation reminder: after {ack:g} h unacknowledged, e-mailed to the next level for "
                f"{', '.join(levels)} (escalation.contacts)." if levels
                else "Escalation reminder: off (no level above the first has an e-mail in escalation.contacts).")
    return [monthly, reminder]


def jobs_section(db: Database) -> None:
    """The section: schedules, outbox, latest runs."""
    st.subheader("Scheduled jobs")
    for line in schedule_lines(db):
        st.text(line)
    s = outbox_summary(db, now=datetime.now(UTC))
    st.text(f"Outbox: {s['queued']} queued ({s['due']} due now), {s['sending']} being sent or interrupted, "
            f"{s['accepted']} accepted, {s['failed']} failed.")
    runs = recent_runs(db)
    if runs.empty:
        st.caption("No job has run yet.")
        return
    show_table(runs, key="settings_job_runs", tz=db.timezone, columns=RUNS, csv="job-runs.csv")
