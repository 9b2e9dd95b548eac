"""The ticket clock of a measure on business hours: it names the calendar's days and hours. Before, it asked
DuckDB for ``strftime`` of a TIME, which DuckDB does not have: the clock of every such measure (the resolution of
severity 3 and 4 tickets) failed, and the SLA page showed an error box where the clock should be."""
from __future__ import annotations

from datetime import UTC, datetime

from analytics.sla.clock import explain_clock
from tests.factories import add_ticket


def test_a_resolution_on_business_hours_names_the_days_and_hours(db):
    opened = datetime(2026, 11, 30, 15, 19, tzinfo=UTC)  # Monday 16:19 in Paris
    add_ticket(db, "BIZ", severity=4, opened=opened)
    clocks = {item["measure"]: item for item in explain_clock(db, "BIZ", as_of=datetime(2026, 12, 1, 9, tzinfo=UTC))}
    assert clocks["resolution"]["lines"][1] == (
        "It runs on Business hours (Paris): Mon 09:00-18:00, Tue 09:00-18:00, Wed 09:00-18:00, Thu 09:00-18:00, "
        "Fri 09:00-18:00 (Europe/Paris), public holidays FR; 1 business day = 9 working hours.")
    assert clocks["response"]["lines"][1] == "It runs on 24/7 (round the clock)."
