"""Satisfaction beside the SLA on hand-built tickets, with the numbers worked out by hand.

The period is November 2026 (Paris). Resolution targets (24/7): severity 1 in 2 h, 2 in 3 h, 3 in 12 h.
Seven tickets resolved in the period, one resolved before it, one still open; each figure is read through
the ledger and through the on-read engine (``version=ON_READ``): the same numbers.

| ticket | severity | team | resolved after | resolution | score |
|---|---|---|---|---|---|
| S1 | 1 | Network | 1 h | met | 5 |
| S2 | 1 | Network | 3 h | breached | 2 |
| S3 | 2 | Service desk | 2 h | met | 4 |
| S4 | 2 | Service desk | 8 h | breached | 1 |
| S5 | 3 | Service desk | 4 h | met | none |
| S6 | 3 | Network | 2 h | met | 5 |
| S7 | 3 | no team | 1 h | met | 3 |
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.kernel.periods import Period
from analytics.sla import satisfaction
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import ON_READ, reading_version
from tests.factories import add_ticket, paris

NOVEMBER = Period(date(2026, 11, 1), date(2026, 12, 1), "Europe/Paris")
AS_OF = paris(2026, 11, 20, 12, 0)
VERSIONS = [None, ON_READ]
TICKETS = [("S1", 1, "Network", 2, 1, 5), ("S2", 1, "Network", 3, 3, 2), ("S3", 2, "Service desk", 4, 2, 4),
           ("S4", 2, "Service desk", 5, 8, 1), ("S5", 3, "Service desk", 6, 4, None), ("S6", 3, "Network", 9, 2, 5),
           ("S7", 3, None, 10, 1, 3)]


def score(db, reference, value):
    with db.transaction() as cur:
        cur.execute("UPDATE tickets SET satisfaction = ? WHERE reference = ?", [value, reference])


@pytest.fixture
def tickets(db):
    for reference, severity, team, day, hours, value in TICKETS:
        opened = paris(2026, 11, day, 10, 0)
        add_ticket(db, reference, severity=severity, team=team, opened=opened, resolved=opened + timedelta(hours=hours))
        score(db, reference, value)
    add_ticket(db, "BEFORE", severity=1, opened=paris(2026, 10, 20, 10, 0), resolved=paris(2026, 10, 20, 11, 0))
    score(db, "BEFORE", 1)
    add_ticket(db, "OPEN", severity=2, opened=paris(2026, 11, 10, 10, 0))
    return db


def rows(frame, key):
    return {r[key]: tuple(r[f] for f in satisfaction.FIGURES) for r in frame.to_dict("records")}


def test_the_ledger_is_read(tickets):
    assert reading_version(tickets) is not None


@pytest.mark.parametrize("version", VERSIONS, ids=["ledger", "on-read"])
def test_satisfaction_per_team(tickets, version):
    tables = satisfaction.figures(tickets, NOVEMBER, as_of=AS_OF, version=version)
    frame = tables["team"].fillna({"team": "none"})
    assert rows(frame, "team") == {"Network": (3, 3, 100.0, 4.0, 2, 66.7),
                                   "Service desk": (3, 2, 66.7, 2.5, 1, 50.0),
                                   "none": (1, 1, 100.0, 3.0, 0, 0.0)}
    assert satisfaction.responses(tables) == 6


@pytest.mark.parametrize("version", VERSIONS, ids=["ledger", "on-read"])
def test_satisfaction_per_severity(tickets, version):
    frame = satisfaction.figures(tickets, NOVEMBER, as_of=AS_OF, version=version)["severity"]
    assert rows(frame, "severity") == {1: (2, 2, 100.0, 3.5, 1, 50.0), 2: (2, 2, 100.0, 2.5, 1, 50.0),
                                       3: (3, 2, 66.7, 4.0, 1, 50.0)}


@pytest.mark.parametrize("version", VERSIONS, ids=["ledger", "on-read"])
def test_what_a_breach_costs(tickets, version):
    frame = satisfaction.figures(tickets, NOVEMBER, as_of=AS_OF, version=version)["resolution_sla"]
    assert list(frame["resolution_sla"]) == ["met", "breached"]
    assert rows(frame, "resolution_sla") == {"met": (5, 4, 80.0, 4.25, 3, 75.0), "breached": (2, 2, 100.0, 1.5, 0, 0.0)}


def test_the_filter_applies(tickets):
    tables = satisfaction.figures(tickets, NOVEMBER, TicketFilter(teams=("Network",)), as_of=AS_OF)
    assert rows(tables["severity"], "severity") == {1: (2, 2, 100.0, 3.5, 1, 50.0), 3: (1, 1, 100.0, 5.0, 1, 100.0)}


def test_a_group_without_a_response_has_no_average(tickets):
    tables = satisfaction.figures(tickets, NOVEMBER, TicketFilter(ticket_ids=(5,)), as_of=AS_OF)
    resolved, answered, share, average, satisfied, satisfied_pct = rows(tables["severity"], "severity")[3]
    assert (resolved, answered, share, satisfied) == (1, 0, 0.0, 0)
    assert average != average and satisfied_pct != satisfied_pct  # NaN: shown as a dash
    assert satisfaction.responses(tables) == 0


def test_no_score_in_the_period(tickets):
    october = Period(date(2026, 9, 1), date(2026, 10, 1), "Europe/Paris")
    tables = satisfaction.figures(tickets, october, as_of=AS_OF)
    assert satisfaction.responses(tables) == 0 and all(frame.empty for frame in tables.values())


@pytest.mark.parametrize("version", VERSIONS, ids=["ledger", "on-read"])
def test_totals_of_the_period_with_the_split_by_verdict(tickets, version):
    whole, verdicts = satisfaction.totals(tickets, NOVEMBER, as_of=AS_OF, version=version)
    # 7 resolved, 6 answered (S5 not); S1, S3 and S6 scored 4 or 5; (5 + 2 + 4 + 1 + 5 + 3) / 6 = 3.33
    assert tuple(whole[f] for f in satisfaction.FIGURES) == (7, 6, 85.7, 3.33, 3, 50.0)
    assert rows(verdicts, "resolution_sla") == rows(satisfaction.figures(
        tickets, NOVEMBER, as_of=AS_OF, version=version)["resolution_sla"], "resolution_sla")


def test_totals_of_a_period_without_a_resolved_ticket(tickets):
    whole, verdicts = satisfaction.totals(tickets, Period(date(2026, 9, 1), date(2026, 10, 1), "Europe/Paris"),
                                          as_of=AS_OF)
    assert whole == {"resolved": 0, "responses": 0, "response_pct": None, "average_score": None, "satisfied": 0,
                     "satisfied_pct": None}
    assert verdicts.empty and list(verdicts.columns) == ["resolution_sla", *satisfaction.FIGURES]


def test_the_demo_scores_a_share_of_the_resolved_tickets_lower_after_a_breach(demo_db_path, tmp_path):
    import shutil

    from analytics.domains import open_store
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    db = open_store(path)
    try:
        assert db.rows("SELECT satisfaction, count(*) FROM tickets GROUP BY 1 ORDER BY 1 NULLS LAST") == [
            (1, 34), (2, 48), (3, 100), (4, 292), (5, 411), (None, 2113)]
        assert db.scalar("SELECT count(*) FROM tickets WHERE satisfaction IS NOT NULL AND resolved_at IS NULL") == 0
        tables = satisfaction.figures(db, Period(date(2026, 8, 1), date(2026, 11, 21), "Europe/Paris"))
        # Under the demo's Premium contract 13 of these resolutions met under Standard are breached (1 of severity 1
        # and 5 of severity 2 between the halved target and Standard's, 7 of severity 4 past 72 wall-clock hours on
        # the 24/7 calendar but within 27 working hours); one of them scored 1, so it moved from met to breached.
        assert rows(tables["resolution_sla"], "resolution_sla") == {"met": (622, 194, 31.2, 4.21, 163, 84.0),
                                                                    "breached": (62, 17, 27.4, 2.71, 5, 29.4)}
    finally:
        db.close()
