"""Backlog aging and the next-to-breach queue on hand-built tickets, with the numbers worked out by hand.

Monday 16 November 2026, 10:00 in Paris is "now". The default rules: severities 1-3 and the
response of severity 4 on the 24/7 clock; the resolution of severity 4 in 3 business days
(27 working hours) on the business calendar (Mon-Fri 09:00-18:00 Paris, French holidays:
Wednesday 11 November is one). Each figure is read through the ledger and through the on-read
engine (``version=ON_READ``): the same numbers.
"""
from __future__ import annotations

from datetime import date

import pytest

from analytics.kernel.periods import Period
from analytics.kernel.roles import system_actor
from analytics.settings.service import change_setting
from analytics.sla import backlog
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import ON_READ, reading_version
from analytics.sla.next_to_breach import next_to_breach
from tests.factories import add_ticket, paris

NOW = paris(2026, 11, 16, 10, 0)
VERSIONS = [None, ON_READ]


@pytest.fixture
def tickets(db):
    """Six open tickets at NOW, two resolved ones, three more for the queue."""
    add_ticket(db, "C", severity=4, opened=paris(2026, 10, 1, 10, 0))
    add_ticket(db, "F", severity=4, opened=paris(2026, 10, 28, 10, 0))
    add_ticket(db, "E", severity=3, opened=paris(2026, 11, 5, 10, 0), team="Network", company="Globex")
    add_ticket(db, "H", severity=3, opened=paris(2026, 11, 3, 10, 0), resolved=paris(2026, 11, 10, 10, 0))
    add_ticket(db, "B", severity=2, opened=paris(2026, 11, 10, 10, 0))
    add_ticket(db, "D", severity=1, opened=paris(2026, 11, 12, 10, 0), resolved=paris(2026, 11, 12, 11, 0))
    add_ticket(db, "FRI", severity=4, opened=paris(2026, 11, 13, 17, 0))
    add_ticket(db, "A", severity=3, opened=paris(2026, 11, 16, 4, 0))
    add_ticket(db, "N1", severity=1, opened=paris(2026, 11, 16, 9, 45))
    add_ticket(db, "N3", severity=4, opened=paris(2026, 11, 10, 13, 30), response=paris(2026, 11, 10, 14, 0))
    add_ticket(db, "N4", severity=3, opened=paris(2026, 11, 16, 9, 0), response=paris(2026, 11, 16, 9, 30))
    return db


def test_the_ledger_is_read(tickets):
    assert reading_version(tickets) is not None


@pytest.mark.parametrize("version", VERSIONS)
def test_a_ticket_opened_friday_at_17_is_two_working_hours_old_on_monday_at_10(tickets, version):
    ages = backlog.ages(tickets, TicketFilter(), as_of=NOW, version=version).set_index("ticket_id")
    fri = tickets.scalar("SELECT id FROM tickets WHERE reference = 'FRI'")
    assert ages.loc[fri, "business_s"] == 7200.0  # Friday 17:00-18:00 and Monday 09:00-10:00
    assert round(ages.loc[fri, "age_days"] * 24, 6) == 65.0  # wall clock: Friday 17:00 to Monday 10:00


@pytest.mark.parametrize("version", VERSIONS)
def test_open_tickets_per_severity_and_age_band_on_the_wall_clock(tickets, version):
    table = backlog.aging(tickets, as_of=NOW, by="severity", clock="wall", version=version)
    rows = {r.severity: (r.tickets, r.under_1d, r.d1_3, r.d3_7, r.d7_14, r.d14_30, r.over_30d, r.p90_days)
            for r in table.itertuples()}
    assert rows == {
        1: (1, 1, 0, 0, 0, 0, 0, 0.0),  # N1, 15 minutes
        2: (1, 0, 0, 1, 0, 0, 0, 6.0),  # B, 6 days
        3: (3, 2, 0, 0, 1, 0, 0, 8.9),  # N4 1 h, A 6 h, E 11 days: 0.25 + 0.8 x 10.75 = 8.85
        4: (4, 0, 1, 1, 0, 1, 1, 37.9),  # FRI 2.71, N3 5.85, F 19, C 46.04 days (summer time ended): 19 + 0.7 x 27.04
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_open_tickets_per_severity_and_age_band_on_the_business_calendar(tickets, version):
    table = backlog.aging(tickets, as_of=NOW, by="severity", clock="business", version=version)
    sev4 = table[table["severity"] == 4].iloc[0]
    # FRI 2 h = 0.2 day of 9 h; N3 23.5 h = 2.6 days; F 108 h = 12 days; C 279 h = 31 days
    assert [int(sev4[b]) for b, _, _ in backlog.BANDS] == [1, 1, 0, 1, 0, 1]
    assert sev4["p90_days"] == 25.3  # 12 + 0.7 x (31 - 12)
    ages = backlog.ages(tickets, as_of=NOW, version=version).merge(
        tickets.query("SELECT id AS ticket_id, reference FROM tickets"), on="ticket_id")
    business = dict(zip(ages["reference"], ages["business_s"] / 3600))
    assert {k: business[k] for k in ("C", "F", "N3", "FRI", "E")} == {"C": 279.0, "F": 108.0, "N3": 23.5,
                                                                       "FRI": 2.0, "E": 264.0}


@pytest.mark.parametrize("version", VERSIONS)
def test_open_tickets_per_team_and_company(tickets, version):
    teams = backlog.aging(tickets, as_of=NOW, by="team", version=version)
    assert dict(zip(teams["team"], teams["tickets"])) == {"Network": 1, "Service desk": 8}
    companies = backlog.aging(tickets, as_of=NOW, by="company", clock="business", version=version)
    assert companies[companies["company"] == "Globex"][["tickets", "d7_14"]].values.tolist() == [[1, 1]]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_backlog_at_the_end_of_each_week(tickets, version):
    weeks = backlog.weekly(tickets, Period(date(2026, 10, 19), date(2026, 11, 17)), as_of=NOW, version=version)
    # the week of 16 November has not ended at NOW; D opened and was resolved within a week
    assert weeks["week"].astype(str).tolist() == ["2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09"]
    assert weeks["open_at_end"].tolist() == [1, 2, 4, 6]  # C (summer time ended that Sunday); C, F; + E, H; + B, N3, FRI - H
    # ages at each Monday 00:00: [24.625]; [4.58, 31.625]; [3.58, 5.58, 11.58, 38.625]; [2.29, 5.44, 5.58, 10.58, 18.58, 45.625]
    assert weeks["p90_days"].tolist() == [24.6, 28.9, 30.5, 32.1]


@pytest.mark.parametrize("version", VERSIONS)
def test_the_oldest_open_tickets_with_their_clock(tickets, version):
    frame = backlog.oldest(tickets, as_of=NOW, limit=3, version=version)
    assert frame[["reference", "age_days", "business_age_days", "state", "left_h"]].values.tolist() == [
        ["C", 46.0, 31.0, "breached", -252.0], ["F", 19.0, 12.0, "breached", -81.0],
        ["E", 11.0, 11.0, "breached", -252.0]]


QUEUE = [("C", "response", -1081.0), ("F", "response", -432.0), ("E", "response", -262.0),
         ("C", "resolution", -252.0), ("E", "resolution", -252.0), ("B", "response", -143.0),
         ("B", "resolution", -141.0), ("F", "resolution", -81.0), ("FRI", "response", -41.0),
         ("A", "response", -4.0), ("N1", "response", 0.25), ("N1", "resolution", 1.75), ("N3", "resolution", 3.5)]


@pytest.mark.parametrize("version", VERSIONS)
def test_next_to_breach_lists_the_breached_first_then_the_least_time_left(tickets, version):
    queue = next_to_breach(tickets, as_of=NOW, version=version)
    assert list(zip(queue["reference"], queue["measure"], queue["left_h"])) == QUEUE
    assert queue["breached_while_open"].tolist() == [True] * 10 + [False] * 3
    assert queue["state"].tolist()[-3:] == ["pending", "pending", "at_risk"]  # N3 used 23.5 of 27 h
    network = next_to_breach(tickets, TicketFilter(teams=("Network",)), as_of=NOW, version=version)
    assert network["reference"].tolist() == ["E", "E"]


def test_the_horizon_is_the_setting_sla_next_to_breach_hours(tickets):
    change_setting(tickets, actor=system_actor("admin-test"), name="sla.next_to_breach_hours", value=12)
    queue = next_to_breach(tickets, as_of=NOW)
    later = list(zip(queue["reference"], queue["measure"], queue["left_h"]))[len(QUEUE):]
    assert later == [("A", "resolution", 6.0), ("N4", "resolution", 11.0)]
    assert len(next_to_breach(tickets, as_of=NOW, hours=0.25)) == 11  # N1's response has exactly 15 min left
