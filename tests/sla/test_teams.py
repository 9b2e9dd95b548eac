"""Reopenings, first-contact resolution and workload (issue 18, items 3 and 4) on hand-built tickets, with the
numbers worked out by hand.

November 2026 in Paris is the period; "now" is Friday 20 November, 12:00. T0 was opened in October (outside
the period) and is resolved on 10 November. The first-contact window is the default, 10 minutes.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.kernel.periods import Period
from analytics.kernel.roles import system_actor
from analytics.settings.service import change_setting
from analytics.sla import reopenings, workload
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import ON_READ
from tests.factories import add_event, add_ticket, paris

NOW = paris(2026, 11, 20, 12, 0)
NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1))
FIGURES = list(reopenings.FIGURES)


@pytest.fixture
def tickets(db):
    t0 = add_ticket(db, "T0", severity=3, opened=paris(2026, 10, 20, 9, 0), resolved=paris(2026, 11, 10, 12, 0))
    add_ticket(db, "T1", severity=3, opened=paris(2026, 11, 2, 9, 0), response=paris(2026, 11, 2, 9, 5),
                resolved=paris(2026, 11, 2, 9, 12), assignee="Ana", category="login")  # 7 min: first contact
    t2 = add_ticket(db, "T2", severity=3, opened=paris(2026, 11, 3, 10, 0), response=paris(2026, 11, 3, 10, 30),
                    resolved=paris(2026, 11, 3, 12, 0), channel="email", assignee="Ana", category="login")
    add_ticket(db, "T3", severity=3, opened=paris(2026, 11, 4, 8, 0), resolved=paris(2026, 11, 4, 8, 30),
               team="Network", assignee="Bo", category="network")  # no separate response: first contact
    t4 = add_ticket(db, "T4", severity=3, opened=paris(2026, 11, 5, 9, 0), response=paris(2026, 11, 5, 9, 2),
                    resolved=paris(2026, 11, 5, 9, 10), team="Network", category="network")  # reopened twice
    t5 = add_ticket(db, "T5", severity=4, opened=paris(2026, 11, 6, 10, 0), response=paris(2026, 11, 6, 10, 5),
                    channel="portal", team="Network", category="network")  # open
    t6 = add_ticket(db, "T6", severity=4, opened=paris(2026, 11, 9, 10, 0), team="Platforms")  # reopened, open
    for ticket, at in ((t0, paris(2026, 11, 3, 9, 0)), (t2, paris(2026, 11, 4, 9, 0)), (t4, paris(2026, 11, 5, 9, 5)),
                       (t4, paris(2026, 11, 5, 9, 7)), (t6, paris(2026, 11, 12, 9, 0))):
        add_event(db, ticket, "reopened", at, from_value="resolved", to_value="open")
    for ticket, a, b, minute in ((t0, "Service desk", "Network", 0), (t0, "Network", "Service desk", 5),
                                 (t2, "Service desk", "Network", 40), (t2, "Network", "Service desk", 50),
                                 (t4, "Network", "Platforms", 3), (t4, "Platforms", "Network", 4),
                                 (t5, "Service desk", "Network", 20)):
        add_event(db, ticket, "reassigned", paris(2026, 11, 20, 8, minute), from_value=a, to_value=b)
    return db


def rows(frame, key):
    return {r[key]: tuple(r[c] for c in FIGURES) for r in frame.to_dict("records")}


def test_reopen_rate_and_first_contact_resolution_per_team(tickets):
    table = reopenings.reopen_and_fcr(tickets, NOVEMBER, by="team")
    assert table["team"].tolist() == ["Network", "Service desk", "Platforms"]  # most tickets first
    got = rows(table, "team")
    # tickets, resolved once, reopened, reopenings, reopen %, resolved, first contact, first contact %
    assert got["Service desk"] == (2, 2, 1, 1, 50.0, 2, 1, 50.0)  # T1 first contact; T2 reopened (T0 is October's)
    assert got["Network"] == (3, 2, 1, 2, 50.0, 2, 1, 50.0)       # T3 first contact, T4 reopened twice, T5 open
    platforms = got["Platforms"]                                   # T6 reopened and open again: nothing resolved
    assert platforms[:5] == (1, 1, 1, 1, 100.0) and platforms[5:7] == (0, 0) and platforms[7] != platforms[7]


def test_reopen_rate_and_first_contact_resolution_per_channel_and_category(tickets):
    channels = rows(reopenings.reopen_and_fcr(tickets, NOVEMBER, by="channel"), "channel")
    assert channels["phone"] == (4, 4, 2, 3, 50.0, 3, 2, 66.7)
    assert channels["email"] == (1, 1, 1, 1, 100.0, 1, 0, 0.0)
    categories = reopenings.reopen_and_fcr(tickets, NOVEMBER, by="category")
    assert categories["category"].tolist()[:2] == ["network", "login"]
    assert rows(categories, "category")["login"] == (2, 2, 1, 1, 50.0, 2, 1, 50.0)


def test_the_totals_of_the_period_and_a_team_filter(tickets):
    assert reopenings.totals(tickets, NOVEMBER) == {
        "tickets": 6, "resolved_once": 5, "reopened": 3, "reopenings": 4, "reopen_pct": 60.0, "resolved": 4,
        "first_contact": 2, "fcr_pct": 50.0}
    network = reopenings.totals(tickets, NOVEMBER, TicketFilter(teams=("Network",)))
    assert (network["tickets"], network["reopened"], network["first_contact"]) == (3, 1, 1)


def test_the_first_contact_window_is_the_setting_sla_fcr_window_minutes(tickets):
    assert reopenings.totals(tickets, NOVEMBER)["first_contact"] == 2  # T1 (7 min) and T3
    change_setting(tickets, actor=system_actor("test"), name="sla.fcr_window_minutes", value=0)
    assert reopenings.totals(tickets, NOVEMBER)["first_contact"] == 1  # T3 only: resolved at its first response
    change_setting(tickets, actor=system_actor("test"), name="sla.fcr_window_minutes", value=7)
    assert reopenings.totals(tickets, NOVEMBER)["first_contact"] == 2  # 7 minutes is within 7 minutes


def test_open_and_handled_per_team_and_week(tickets):
    table = workload.weekly(tickets, Period(date(2026, 11, 1), date(2026, 11, 21)), as_of=NOW, by="team")
    got = {(str(r["week"])[:10], r["team"]): (r["open_at_end"], r["handled"], r["so_far"])
           for r in table.to_dict("records")}
    assert got == {
        ("2026-10-26", "Service desk"): (1, 0, False),  # T0 open on Monday 2 November 00:00
        ("2026-11-02", "Service desk"): (1, 2, False),  # T1 and T2 resolved, T0 still open
        ("2026-11-02", "Network"): (1, 2, False),       # T3 and T4 resolved, T5 open
        ("2026-11-09", "Service desk"): (0, 1, False),  # T0 resolved on the 10th
        ("2026-11-09", "Network"): (1, 0, False),
        ("2026-11-09", "Platforms"): (1, 0, False),     # T6
        ("2026-11-16", "Network"): (1, 0, True),        # the week in progress: open now
        ("2026-11-16", "Platforms"): (1, 0, True),
    }


def test_handled_per_assignee(tickets):
    table = workload.weekly(tickets, NOVEMBER, as_of=NOW, by="assignee")
    week = table[table["week"].astype(str).str.startswith("2026-11-02")]
    assert week["assignee"].tolist()[:2] == ["Ana", "Bo"] and week["handled"].tolist() == [2, 1, 1]


def test_reassignments_per_ticket_and_the_teams_passing_tickets_back_and_forth(tickets):
    per_team = workload.reassignments_per_team(tickets, NOVEMBER)
    assert per_team.to_dict("records") == [
        {"team": "Network", "tickets": 3, "reassigned": 2, "reassignments": 3, "per_ticket": 1.0, "most": 2},
        {"team": "Service desk", "tickets": 2, "reassigned": 1, "reassignments": 2, "per_ticket": 1.0, "most": 2},
        {"team": "Platforms", "tickets": 1, "reassigned": 0, "reassignments": 0, "per_ticket": 0.0, "most": 0}]
    pairs = workload.back_and_forth(tickets, NOVEMBER)
    assert pairs.to_dict("records") == [  # T0 passed too, but was opened in October; T5 went one way only
        {"team_a": "Network", "team_b": "Platforms", "tickets": 1, "passes": 2},
        {"team_a": "Network", "team_b": "Service desk", "tickets": 1, "passes": 2}]


@pytest.mark.parametrize("version", [None, ON_READ])
def test_at_risk_tickets_per_team_now(db, version):
    add_ticket(db, "R1", severity=1, opened=NOW - timedelta(minutes=20), team="Network")  # 67% of 30 min
    add_ticket(db, "R2", severity=1, opened=NOW - timedelta(minutes=25), team="Network")  # 83%: at risk
    add_ticket(db, "R3", severity=2, opened=NOW - timedelta(hours=5), team="Network")     # past both deadlines
    add_ticket(db, "R4", severity=3, opened=NOW - timedelta(hours=10), response=NOW - timedelta(hours=9),
               team="Platforms")                                                          # 10 h of 12: at risk
    add_ticket(db, "R5", severity=3, opened=NOW - timedelta(hours=10), response=NOW - timedelta(hours=9),
               resolved=NOW - timedelta(hours=1), team="Platforms")                       # resolved
    table = workload.at_risk_now(db, as_of=NOW, version=version)
    assert table.to_dict("records") == [{"team": "Network", "open": 3, "at_risk": 1, "breached": 1},
                                        {"team": "Platforms", "open": 1, "at_risk": 1, "breached": 0}]


@pytest.mark.parametrize("as_of", [paris(2026, 11, 18, 15, 30), paris(2026, 10, 28, 9, 0), paris(2026, 3, 30, 1, 0)])
def test_the_weekly_workload_equals_a_count_ticket_by_ticket_on_the_demo(demo_db_path, as_of):
    """The arithmetic and ASOF shortcuts of ``weekly`` against the definition, week end by week end (a week in
    progress, tickets resolved after ``as_of``, the weeks around the change of time)."""
    from analytics.domains import open_store

    db = open_store(demo_db_path, read_only=True)
    try:
        period = Period(date(2026, 1, 5), date(2026, 11, 21))
        got = workload.weekly(db, period, as_of=as_of, by="assignee")
        tickets = db.query("SELECT assignee, opened_at, resolved_at FROM tickets")
    finally:
        db.close()
    expected = {}
    for monday, start_s, end_s, _ in workload.weeks_of(period, as_of):
        opened = tickets["opened_at"].map(lambda v: v.timestamp())
        stop = tickets["resolved_at"].map(lambda v: 1e12 if v is None or v != v else v.timestamp())
        for who, open_now, done in zip(tickets["assignee"], (opened <= end_s) & (stop > end_s),
                                       (stop >= start_s) & (stop < end_s)):
            if open_now or done:
                counts = expected.setdefault((str(monday), who), [0, 0])
                counts[0] += int(open_now)
                counts[1] += int(done)
    assert {(str(r["week"])[:10], r["assignee"]): [r["open_at_end"], r["handled"]]
            for r in got.to_dict("records")} == expected
