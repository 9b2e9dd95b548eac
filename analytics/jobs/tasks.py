"""What the server's workers run: one outbox delivery, one tick of the schedules.

:func:`deliver_outbox` reads the ``[smtp]`` configuration each time (no provider: nothing is
sent, nothing logged; an unusable one: said in the log) and runs one delivery
(``analytics.notices.delivery``), logging a line when it handed anything to the server.
:func:`run_schedules` runs each scheduled job once for its current period
(``analytics.jobs.monthly_report``) and reminds the next level of every escalation left
unacknowledged (``analytics.jobs.escalation_reminders``).
"""
from __future__ import annotations

import logging
from datetime import datetime

from analytics.jobs import escalation_reminders, monthly_report
from analytics.notices.delivery import deliver
from analytics.notices.smtp import NotConfigured, load_config
from analytics.store.database import Database

LOG = logging.getLogger("vigie.workers")


def deliver_outbox(db: Database):
    """One delivery run when a provider is configured; its :class:`Run` (None: no provider)."""
    try:
        config = load_config()
    except NotConfigured as exc:
        LOG.warning("outbox: not delivering: %s", exc)
        return None
    if config is None:
        return None
    run = deliver(db, config=config)
    if run.accepted or run.retrying or run.failed:
        LOG.info("outbox via %s: %s", config.describe(), run.line())
    return run


def run_schedules(db: Database, now: datetime | None = None) -> list:
    """One tick: every scheduled job whose period is due and not done yet runs (their outcomes)."""
    monthly = monthly_report.tick(db, now=now)
    outcomes = ([monthly] if monthly is not None else []) + escalation_reminders.tick(db, now=now)
    for outcome in outcomes:
        LOG.info("job %s %s: %s (%s)", outcome.job, outcome.period, outcome.outcome, outcome.detail)
    return outcomes
