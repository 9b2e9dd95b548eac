"""Incoming-request figures on hand-built tickets, and the page that shows them."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import time_machine
from streamlit.testing.v1 import AppTest

from analytics.intake import stats as intake
from analytics.kernel.periods import Period
from analytics.sla.filters import TicketFilter
from tests.factories import add_ticket, paris

ROOT = Path(__file__).resolve().parents[2]
JUNE = Period(date(2026, 6, 1), date(2026, 7, 1))


def seed(db):
    a = add_ticket(db, "A", severity=4, opened=paris(2026, 6, 2, 10, 0), channel="email")
    b = add_ticket(db, "B", severity=3, opened=paris(2026, 6, 3, 10, 0), channel="email")
    c = add_ticket(db, "C", severity=2, opened=paris(2026, 6, 4, 10, 0), channel="phone", company="Beta")
    add_ticket(db, "D", severity=2, opened=paris(2026, 7, 1, 0, 30), channel="phone")  # July: outside
    with db.transaction() as cur:
        cur.execute("UPDATE tickets SET initial_severity = 4 WHERE id = ?", [b])
        cur.execute("UPDATE tickets SET raised_by_admin = (id = ?), resolution_code = CASE id WHEN ? THEN "
                    "'third-party software' END", [a, c])
        cur.execute("INSERT INTO ticket_events (ticket_id, occurred_at, kind, from_value, to_value) VALUES "
                    "(?, now(), 'reassigned', 'Service desk', 'Network'), "
                    "(?, now(), 'reassigned', 'Network', 'Platforms')", [c, c])
        cur.execute("UPDATE tickets SET contact_name = 'n', contact_phone = 'p', contact_email = 'e@x', "
                    "user_id = 'u', transaction_ids = 'J1', event_at = opened_at, description = 'd', "
                    "error_messages = 'E' WHERE id = ?", [a])


def test_summary_counts(db):
    seed(db)
    s = intake.intake_summary(db, JUNE)
    assert s == {"tickets": 3, "by_admin": 1, "admin_known": 3, "reassigned": 1, "reassignments": 2,
                 "out_of_scope": 1, "complete_reports": 1, "email_raised": 1, "email": 2}
    assert intake.intake_summary(db, JUNE, TicketFilter(channels=("phone",)))["tickets"] == 1


def test_reassignments_count_the_period_s_tickets_only(db):
    """A ticket opened after the period, reassigned three times, adds nothing to the period's reassignments."""
    seed(db)
    july = db.scalar("SELECT id FROM tickets WHERE reference = 'D'")
    with db.transaction() as cur:
        for _ in range(3):
            cur.execute("INSERT INTO ticket_events (ticket_id, occurred_at, kind, from_value, to_value) VALUES "
                        "(?, now(), 'reassigned', 'Network', 'Platforms')", [july])
    s = intake.intake_summary(db, JUNE)
    assert (s["tickets"], s["reassigned"], s["reassignments"]) == (3, 1, 2)


def test_tickets_per_channel_are_the_weekly_volume_s_totals(db):
    seed(db)
    assert intake.tickets_per_channel(db, JUNE) == {"email": 2, "phone": 1}
    weekly = intake.volume_by_channel(db, JUNE)
    assert weekly.groupby("channel")["tickets"].sum().to_dict() == {"email": 2, "phone": 1}
    assert intake.tickets_per_channel(db, JUNE, TicketFilter(severities=(3, 4))) == {"email": 2}


def test_tables(db):
    seed(db)
    flows = intake.reassignment_flows(db, JUNE)
    assert flows[["from_team", "to_team", "reassignments"]].values.tolist() == [
        ["Network", "Platforms", 1], ["Service desk", "Network", 1]]
    completeness = intake.report_completeness(db, JUNE).set_index("channel")
    assert completeness.loc["email", "error messages"] == 50.0
    assert completeness.loc["phone", "tickets"] == 1
    scope = intake.out_of_scope_by_company(db, JUNE)
    assert scope.values.tolist() == [["Beta", "third-party software", 1]]


# frozen (ticking on) on 2 December 2026, 10:00 in Paris: the tickets of the day before sit in the page's default
# period whatever the day the suite runs
@time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), tick=True)
def test_page_shows_the_figures(tmp_path, monkeypatch):
    from analytics.domains import open_store
    from analytics.sla.calendars import ensure_intervals

    database = open_store(tmp_path / "intake.duckdb")
    ensure_intervals(database)
    now = datetime.now(UTC)
    for n in range(4):
        add_ticket(database, f"I-{n}", severity=4, opened=now - timedelta(days=1, hours=n), channel="email")
    database.close()
    monkeypatch.setenv("VIGIE_DB", str(tmp_path / "intake.duckdb"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    at.switch_page("pages/intake.py").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tickets opened"] == "4"
    assert metrics["Reassigned"] == "0.0%"
    assert len(at.get("plotly_chart")) == 1
