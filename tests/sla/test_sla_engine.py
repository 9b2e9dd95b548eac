"""The SLA arithmetic of DOMAIN.md section 2, table-driven: boundaries, weekends, holidays, DST."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from analytics.kernel.periods import Period
from analytics.sla.calendars import load_calendars, rebuild_intervals
from analytics.sla.engine import ticket_measures
from analytics.sla.filters import TicketFilter
from analytics.sla.stats import compliance_cli_rows
from tests.factories import add_ticket, paris

FAR_FUTURE = datetime(2030, 1, 1, tzinfo=UTC)


def measure(db, reference, which, as_of=FAR_FUTURE):
    tid = db.scalar("SELECT id FROM tickets WHERE reference = ?", [reference])
    frame = ticket_measures(db, TicketFilter(ticket_ids=(tid,)), as_of=as_of)
    return frame[frame["measure"] == which].iloc[0]


# (case, severity, measure, opened, ended, expected state, expected deadline)
CASES = [
    ("sev1 response exactly at 30 min is met", 1, "response",
     paris(2026, 6, 3, 10, 0), paris(2026, 6, 3, 10, 30), "met", paris(2026, 6, 3, 10, 30)),
    ("sev1 response one second late is breached", 1, "response",
     paris(2026, 6, 3, 10, 0), paris(2026, 6, 3, 10, 30, 1), "breached", paris(2026, 6, 3, 10, 30)),
    ("24/7 targets run through the night", 2, "resolution",
     paris(2026, 6, 3, 23, 0), paris(2026, 6, 4, 1, 59), "met", paris(2026, 6, 4, 2, 0)),
    ("sev4 resolution: Friday 17:00 plus 27 working hours is Wednesday 17:00", 4, "resolution",
     paris(2026, 11, 20, 17, 0), paris(2026, 11, 25, 17, 0), "met", paris(2026, 11, 25, 17, 0)),
    ("sev4 resolution one minute after the business deadline", 4, "resolution",
     paris(2026, 11, 20, 17, 0), paris(2026, 11, 25, 17, 1), "breached", paris(2026, 11, 25, 17, 0)),
    ("opened on Saturday: the clock starts Monday 09:00", 4, "resolution",
     paris(2026, 11, 21, 10, 0), paris(2026, 11, 25, 18, 0), "met", paris(2026, 11, 25, 18, 0)),
    ("resolved in the evening after a deadline at closing time is met (no working time passed)", 4,
     "resolution", paris(2026, 11, 21, 10, 0), paris(2026, 11, 25, 20, 0), "met", paris(2026, 11, 25, 18, 0)),
    ("Christmas: 24 Dec 8 h, 25 Dec closed, 28 and 29 Dec 9 h each, 1 h on 30 Dec", 4, "resolution",
     paris(2026, 12, 24, 10, 0), paris(2026, 12, 30, 10, 30), "breached", paris(2026, 12, 30, 10, 0)),
    ("spring DST: 3 real hours from 01:30 CET end at 05:30 CEST", 2, "resolution",
     paris(2026, 3, 29, 1, 30), paris(2026, 3, 29, 5, 30), "met", paris(2026, 3, 29, 5, 30)),
    ("spring DST: 04:31 CEST local is 3 h 01 real", 2, "resolution",
     paris(2026, 3, 29, 1, 30), paris(2026, 3, 29, 5, 31), "breached", paris(2026, 3, 29, 5, 30)),
    ("autumn DST: 3 real hours from 01:30 CEST end at 03:30 CET", 2, "resolution",
     datetime(2026, 10, 25, 1, 30, tzinfo=timezone(timedelta(hours=2))),
     datetime(2026, 10, 25, 3, 30, tzinfo=timezone(timedelta(hours=1))), "met",
     datetime(2026, 10, 25, 3, 30, tzinfo=timezone(timedelta(hours=1)))),
    ("business hours across spring DST keep 09:00-18:00 local", 4, "resolution",
     paris(2026, 3, 27, 17, 0), paris(2026, 4, 1, 17, 0), "met", paris(2026, 4, 1, 17, 0)),
    ("Easter Monday is closed", 4, "resolution",
     paris(2026, 4, 3, 17, 0), paris(2026, 4, 9, 17, 0), "met", paris(2026, 4, 9, 17, 0)),
]


@pytest.mark.parametrize("case,severity,which,opened,ended,state,deadline", CASES, ids=[c[0] for c in CASES])
def test_decided_measures(db, case, severity, which, opened, ended, state, deadline):
    kwargs = {"response": ended} if which == "response" else {"resolved": ended}
    add_ticket(db, "T", severity=severity, opened=opened, **kwargs)
    row = measure(db, "T", which)
    assert row["state"] == state
    assert row["deadline"].to_pydatetime() == deadline
    expected_decision = ended if state == "met" else deadline
    assert row["decided_at"].to_pydatetime() == expected_decision


@pytest.mark.parametrize("minutes_open,state,used", [
    (10, "pending", 10 / 30), (22, "pending", 22 / 30), (23, "at_risk", 23 / 30), (30, "at_risk", 1.0),
    (31, "breached", 31 / 30),
])
def test_open_ticket_states(db, minutes_open, state, used):
    opened = paris(2026, 6, 3, 10, 0)
    add_ticket(db, "OPEN", severity=1, opened=opened)
    row = measure(db, "OPEN", "response", as_of=opened + timedelta(minutes=minutes_open))
    assert row["state"] == state
    assert row["used_share"] == pytest.approx(used)
    assert row["left_s"] == pytest.approx((30 - minutes_open) * 60)


def test_open_breach_is_decided_at_its_deadline(db):
    add_ticket(db, "LATE", severity=2, opened=paris(2026, 6, 3, 10, 0))
    row = measure(db, "LATE", "resolution", as_of=paris(2026, 6, 4, 9, 0))
    assert row["state"] == "breached"
    assert row["decided_at"].to_pydatetime() == paris(2026, 6, 3, 13, 0)


def test_resolution_without_response_counts_as_response(db):
    add_ticket(db, "R", severity=3, opened=paris(2026, 6, 3, 10, 0), resolved=paris(2026, 6, 3, 11, 0))
    row = measure(db, "R", "response")
    assert (row["state"], row["elapsed_s"]) == ("met", 3600)


def test_final_severity_is_measured_from_opening(db):
    tid = add_ticket(db, "S", severity=3, opened=paris(2026, 6, 3, 10, 0), response=paris(2026, 6, 3, 10, 45))
    assert measure(db, "S", "response")["state"] == "met"
    with db.transaction() as cur:
        cur.execute("UPDATE tickets SET severity = 1 WHERE id = ?", [tid])
    assert measure(db, "S", "response")["state"] == "breached"


def test_changed_target_reevaluates_history(db):
    add_ticket(db, "H", severity=3, opened=paris(2026, 6, 3, 10, 0), response=paris(2026, 6, 3, 11, 30))
    assert measure(db, "H", "response")["state"] == "met"
    with db.transaction() as cur:
        cur.execute("UPDATE sla_targets SET target_value = 1 WHERE severity = 3 AND measure = 'response'")
    assert measure(db, "H", "response")["state"] == "breached"


def test_added_closure_day_moves_the_deadline(db):
    add_ticket(db, "C", severity=4, opened=paris(2026, 6, 1, 9, 0), resolved=paris(2026, 6, 4, 10, 0))
    assert measure(db, "C", "resolution")["deadline"].to_pydatetime() == paris(2026, 6, 3, 18, 0)
    with db.transaction() as cur:
        cur.execute("INSERT INTO calendar_closures VALUES (2, DATE '2026-06-02', 'Company day off')")
    db.write(rebuild_intervals, load_calendars(db))
    row = measure(db, "C", "resolution")
    assert row["deadline"].to_pydatetime() == paris(2026, 6, 4, 18, 0)
    assert row["state"] == "met"


def test_period_cuts_at_midnight_paris(db):
    # 23:30 UTC on 31 October is 00:30 on 1 November in Paris: a November decision.
    add_ticket(db, "OCT", severity=3, opened=paris(2026, 10, 31, 23, 0), response=paris(2026, 10, 31, 23, 30))
    add_ticket(db, "NOV", severity=3, opened=datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
               response=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    october = compliance_cli_rows(db, Period(date(2026, 10, 1), date(2026, 11, 1)), as_of=FAR_FUTURE)
    november = compliance_cli_rows(db, Period(date(2026, 11, 1), date(2026, 12, 1)), as_of=FAR_FUTURE)
    pick = lambda f: f[(f.severity == 3) & (f.measure == "response")].iloc[0]  # noqa: E731
    assert (pick(october)["met"], pick(november)["met"]) == (1, 1)


def test_cli_rows_count_each_decision_once(db):
    add_ticket(db, "A", severity=2, opened=paris(2026, 5, 31, 23, 0), response=paris(2026, 5, 31, 23, 45),
               resolved=paris(2026, 6, 1, 1, 0))
    add_ticket(db, "B", severity=2, opened=paris(2026, 6, 10, 8, 0), response=paris(2026, 6, 10, 10, 0))
    add_ticket(db, "C", severity=2, opened=paris(2026, 6, 30, 23, 30))
    rows = compliance_cli_rows(db, Period(date(2026, 6, 1), date(2026, 7, 1)), as_of=paris(2026, 7, 1, 0, 0))
    got = {(r.severity, r.measure): (r.met, r.breached, r.pending) for r in rows.itertuples()}
    assert got[(2, "response")] == (0, 1, 1)    # A met in May, B breached at 09:00 on 10 June, C pending
    assert got[(2, "resolution")] == (1, 1, 1)  # A met on 1 June, B breached at 11:00 on 10 June, C pending
    assert got[(1, "response")] == (0, 0, 0)
    pct = {(r.severity, r.measure): r.compliance_pct for r in rows.itertuples()}
    assert pct[(2, "resolution")] == 50.0 and pct[(2, "response")] == 0.0
