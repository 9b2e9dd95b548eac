"""The date-sensitive figures at the instants that break naive code, with the clock frozen there.

Each case freezes the process clock (``time-machine``: ``datetime.now``, ``date.today``,
``time.time``) at one instant and passes the same instant as ``as_of`` / ``now``, then asserts the
exact figure: the month chosen, the days and seconds counted. The instants:

- 31 December 23:30 Paris (22:30 UTC): still December and 2026 in Paris, already 1 January in
  Tokyo (this file also runs under ``TZ=Asia/Tokyo`` and ``TZ=America/Los_Angeles``, scripts/test.sh);
- the last Sunday of March 02:30 Paris, a wall time that does not exist (the clocks jump from 02:00
  to 03:00): Python reads it as 01:30 UTC, i.e. 03:30 CEST;
- the last Sunday of October 02:30 Paris, a wall time that happens twice: the second one (fold=1,
  01:30 UTC, CET);
- 29 February (2028) at noon.

The durations below each span 40 minutes of real time that, around the DST changes, cover a
wall-clock jump: code subtracting wall-clock times counts 100 or -20 minutes instead.

DuckDB's now()/current_timestamp are not frozen by time-machine: every figure here takes its
instant from Python (``as_of``, ``now``, ``at``), none from the database clock.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pandas as pd
import pytest
import time_machine

from analytics.escalations import service as escalations
from analytics.escalations.stats import open_escalations
from analytics.incidents import service as incidents
from analytics.incidents.queries import NotifySettings, clock, countdown_text, get_incident
from analytics.kernel.periods import Period
from analytics.kernel.roles import Actor
from analytics.rca import service as rca
from analytics.rca.stats import RcaFilter
from analytics.rca.stats import action_items as rca_action_items
from analytics.reports.monthly import month_choices
from analytics.sla import stats as sla
from analytics.sla.filters import TicketFilter
from tests.factories import PARIS, add_ticket, paris
from tests.incidents.factories import draft as incident_draft
from tests.rca.factories import SUPERVISOR, complete_review, resolved_incident
from tests.rca.factories import action_items as planned_actions

MANAGER = Actor("Mia Manager", "mia@example.test", frozenset({"manager"}))

# (id, instant, the Paris month it falls in, the last complete month offered first by the monthly report)
INSTANTS = [
    ("new-year-eve", paris(2026, 12, 31, 23, 30), date(2026, 12, 1), "2026-11"),
    ("dst-gap", paris(2026, 3, 29, 2, 30), date(2026, 3, 1), "2026-02"),
    ("dst-overlap", paris(2026, 10, 25, 2, 30).replace(fold=1), date(2026, 10, 1), "2026-09"),
    ("leap-day", paris(2028, 2, 29, 12, 0), date(2028, 2, 1), "2028-01"),
]
# the UTC instants, written out so that a wrong reading of the wall times above fails here first
UTC_INSTANTS = {
    "new-year-eve": datetime(2026, 12, 31, 22, 30, tzinfo=UTC),
    "dst-gap": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    "dst-overlap": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    "leap-day": datetime(2028, 2, 29, 11, 0, tzinfo=UTC),
}


@pytest.fixture(params=INSTANTS, ids=[case[0] for case in INSTANTS])
def instant(request):
    """The case, with the process clock frozen at its instant (ticking stopped)."""
    name, at, month, last_complete = request.param
    with time_machine.travel(at, tick=False):
        yield name, at.astimezone(UTC), month, last_complete


def test_the_instants_are_the_ones_meant(instant):
    name, at, _, _ = instant
    assert at == UTC_INSTANTS[name]
    assert datetime.now(UTC) == at  # frozen


def test_sla_severity_table_and_trend_count_real_time_in_the_paris_month(db, instant):
    _, at, month, _ = instant
    # severity 1 answers within 30 minutes on the 24/7 calendar: opened 40, answered 15 minutes before
    # the instant, 25 real minutes: met (wall-clock subtraction gives 85 minutes at the gap, -35 at the overlap)
    add_ticket(db, "EDGE", severity=1, opened=at - timedelta(minutes=40), response=at - timedelta(minutes=15))
    period = Period(month, (month + timedelta(days=32)).replace(day=1), db.timezone)
    table = sla.severity_table(db, period, TicketFilter(), as_of=at)
    row = table[(table["severity"] == 1) & (table["measure"] == "response")].iloc[0]
    assert (int(row["met"]), int(row["breached"]), int(row["pending"]), float(row["median_s"])) == (1, 0, 0, 1500.0)
    resolution = table[(table["severity"] == 1) & (table["measure"] == "resolution")].iloc[0]
    assert (int(resolution["met"]), int(resolution["breached"]), int(resolution["pending"])) == (0, 0, 1)
    trend = sla.monthly_trend(db, period, TicketFilter(), as_of=at)
    # one month, the Paris month of the answer: the month the SLA page draws as "so far"
    assert [(pd.Timestamp(m).date(), measure, int(met), int(breached)) for m, measure, met, breached in
            zip(trend["month"], trend["measure"], trend["met"], trend["breached"])] == [(month, "response", 1, 0)]
    assert at.astimezone(PARIS).date().replace(day=1) == month  # what pages/sla.py marks as the month so far


def test_incident_notification_clock_counts_real_minutes(db, instant):
    _, at, _, _ = instant
    # impact defined 25 real minutes ago: past the 20-minute target, 5 minutes before the 30-minute deadline
    defined = at - timedelta(minutes=25)
    declared = incidents.declare(db, actor=SUPERVISOR, draft=incident_draft(db, defined=defined),
                                 token=uuid4().hex)  # now: the frozen clock
    row = get_incident(db, reference=declared.reference, settings=NotifySettings(target=20, deadline=30), as_of=at)
    shown = clock(row, at)
    # due_at compared in UTC: Python never finds an ambiguous wall time (02:35 fold=1) equal to an instant
    # of another zone (PEP 495)
    assert (shown.kind, shown.state, shown.seconds_left, shown.due_at.astimezone(UTC)) == (
        "first notification", "past target", 300.0, at + timedelta(minutes=5))
    assert countdown_text(shown) == "First notification due in 05:00"
    assert declared.reference == f"INC-{at.astimezone(PARIS).year}-0001"  # the year in Paris, not the machine's


def test_escalation_age_and_unacknowledged_flag(db, instant):
    _, at, _, _ = instant
    raised = at - timedelta(hours=4, minutes=40)  # past the 4-hour acknowledgement limit by 40 real minutes
    add_ticket(db, "CS-1", severity=2, opened=raised - timedelta(hours=1), company="Acme")
    state = escalations.raise_escalation(db, actor=MANAGER, ticket_reference="CS-1", reason="No answer for an hour",
                                         reason_code="sla_breach", raised_by="Jean Client", owner="Desk", at=raised)
    assert state.reference == f"ESC-{raised.astimezone(PARIS).year}-0001"
    frame = open_escalations(db, now=at)
    assert (frame["age_s"].tolist(), frame["flagged"].tolist()) == ([16800.0], [True])


def test_rca_action_item_days_overdue_counted_in_paris_days(db, instant):
    _, at, _, _ = instant
    today = at.astimezone(PARIS).date()
    started = at - timedelta(days=20)
    incident = resolved_incident(db, started=started)
    with time_machine.travel(started + timedelta(days=1), tick=False):  # the review written the day after
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=complete_review(started=started),
                       actions=planned_actions(due=today - timedelta(days=10)))
    frame = rca_action_items(db, RcaFilter(), as_of=at)
    # the first action due ten Paris days before the instant's Paris date, the second due four days after it
    assert [(bool(late), None if pd.isna(days) else int(days))
            for late, days in zip(frame["overdue"], frame["days_overdue"])] == [(True, 10), (False, None)]


def test_monthly_report_offers_the_last_complete_paris_month_first(db, instant):
    _, at, month, last_complete = instant
    add_ticket(db, "OLD", severity=3, opened=paris(2025, 11, 15, 9, 0))
    today = datetime.now(UTC).astimezone(PARIS).date()  # as pages/monthly_report.py reads it, frozen here
    choices = [m.key for m in month_choices(db, today)]
    assert choices[0] == last_complete
    assert choices[-1] == "2025-11"
    months_back = (month.year - 2025) * 12 + month.month - 11
    assert len(choices) == months_back  # every month from November 2025 to the last complete one
