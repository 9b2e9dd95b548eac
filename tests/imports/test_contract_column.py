"""The import's optional ``contract`` column (issue 18, item 1): a company goes under the contract its tickets
name from the day of the first ticket naming it, history before keeps the old one, a re-import changes
nothing, an unknown name rejects the row in words, a ticket contradicting a later change is warned about,
and the SLA figures follow (the ledger equals the on-read engine); a mapping names the calendar its tickets
run on through a contract on that calendar."""
from __future__ import annotations

from datetime import date, time

from analytics.imports.columns import CANONICAL_COLUMNS
from analytics.imports.profiles import parse_profile
from analytics.imports.service import import_file, import_tickets
from analytics.kernel.roles import system_actor
from analytics.sla.calendar_edits import CalendarSpec, save_calendar
from analytics.sla.contracts import assign_contract, assignments_table, change_contract_target, create_contract
from analytics.sla.measures import ON_READ, measures_of
from tests.factories import paris
from tests.imports.test_ticket_import import row, write_csv
from tests.sla.test_sla_ledger import assert_ledger_equals_engine

ADMIN = system_actor("admin-test")
AS_OF = paris(2026, 7, 1, 12, 0)
TWENTY_FOUR_SEVEN = 1  # the calendar of migration 002


def premium(db) -> int:
    """Premium: severity 2 resolved within 1 hour on the 24/7 calendar."""
    number = create_contract(db, actor=ADMIN, name="Premium")
    change_contract_target(db, actor=ADMIN, contract_id=number, severity=2, measure="resolution", target_value=1,
                           target_unit="hours", calendar_id=TWENTY_FOUR_SEVEN)
    return number


def ticket(reference: str, day: int, contract: str, company: str = "Acme") -> dict:
    return row(reference=reference, company=company, contract=contract, opened_at=f"2026-06-{day:02d}T10:00:00+02:00",
               first_response_at=f"2026-06-{day:02d}T10:10:00+02:00", resolved_at=f"2026-06-{day:02d}T12:00:00+02:00")


def spans(db) -> list[tuple]:
    return [(r.company, r.contract, r.starts_on.date()) for r in assignments_table(db).itertuples()]


def resolution_deadlines(db) -> dict[str, str]:
    """Each ticket's resolution deadline (local time), from the on-read engine."""
    refs = dict(db.rows("SELECT id, reference FROM tickets"))
    frame = measures_of(db, as_of=AS_OF, version=ON_READ)
    return {refs[r.ticket_id]: r.deadline.tz_convert("Europe/Paris").strftime("%d %H:%M")
            for r in frame.itertuples() if r.measure == "resolution"}


def test_the_contract_applies_from_the_day_of_the_first_ticket_naming_it(db, tmp_path):
    premium(db)
    rows = [ticket("R-1", 2, "Standard"), ticket("R-2", 3, ""), ticket("R-3", 9, " premium "),
            ticket("R-4", 10, "Premium"), ticket("B-1", 4, "", company="Beta")]
    report = import_tickets(db, write_csv(tmp_path / "t.csv", rows), actor=ADMIN)
    assert (report.inserted, report.rejected, report.warnings) == (5, 0, [])
    assert report.contracts == ["Acme: Premium from 2026-06-09"]
    assert report.summary().endswith("; contracts set: Acme: Premium from 2026-06-09")
    assert spans(db) == [("Acme", "Premium", date(2026, 6, 9))]
    # from the 9th Premium's hour on the 24/7 calendar; before it, and for Beta, Standard's 3 hours
    assert resolution_deadlines(db) == {"R-1": "02 13:00", "R-2": "03 13:00", "R-3": "09 11:00",
                                        "R-4": "10 11:00", "B-1": "04 13:00"}
    audit = db.rows("SELECT actor, action, entity, entity_id FROM audit_log WHERE entity = 'company_contract'")
    assert audit == [("admin-test", "assign", "company_contract", "1@2026-06-09")]
    assert_ledger_equals_engine(db, AS_OF)


def test_a_second_import_of_the_same_file_changes_no_contract(db, tmp_path):
    premium(db)
    path = write_csv(tmp_path / "t.csv", [ticket("R-1", 2, "Standard"), ticket("R-2", 9, "Premium")])
    import_tickets(db, path, actor=ADMIN)
    again = import_tickets(db, path, actor=ADMIN)
    assert (again.unchanged, again.contracts, again.warnings) == (2, [], [])
    assert spans(db) == [("Acme", "Premium", date(2026, 6, 9))]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity = 'company_contract'") == 1


def test_a_switch_back_to_standard_and_two_companies(db, tmp_path):
    premium(db)
    rows = [ticket("R-1", 2, "Premium"), ticket("R-2", 5, "Standard"), ticket("R-3", 12, "Premium"),
            ticket("B-1", 3, "Premium", company="Beta")]
    report = import_tickets(db, write_csv(tmp_path / "t.csv", rows), actor=ADMIN)
    assert report.contracts == ["Acme: Premium from 2026-06-02", "Acme: Standard from 2026-06-05",
                                "Acme: Premium from 2026-06-12", "Beta: Premium from 2026-06-03"]
    assert resolution_deadlines(db) == {"R-1": "02 11:00", "R-2": "05 13:00", "R-3": "12 11:00", "B-1": "03 11:00"}
    assert_ledger_equals_engine(db, AS_OF)


def test_an_unknown_contract_rejects_the_row_naming_the_known_ones(db, tmp_path):
    premium(db)
    report = import_tickets(db, write_csv(tmp_path / "t.csv", [ticket("R-1", 2, "Gold"), ticket("R-2", 3, "")]),
                            actor=ADMIN)
    assert (report.inserted, report.rejected, report.contracts) == (1, 1, [])
    assert report.reasons == {"unknown contract": 1}
    assert db.rows("SELECT reason FROM import_rejections") == [
        ("unknown contract 'Gold' (define it on the Settings page first; known: Premium, Standard)",)]
    assert spans(db) == []


def test_a_file_without_the_column_leaves_contracts_alone(db, tmp_path):
    premium(db)
    columns = [c for c in CANONICAL_COLUMNS if c != "contract"]
    path = write_csv(tmp_path / "t.csv", [{c: v for c, v in ticket("R-1", 2, "").items() if c in columns}],
                     columns=columns)
    report = import_tickets(db, path, actor=ADMIN)
    assert (report.inserted, report.warnings, report.contracts) == (1, [], [])
    assert spans(db) == []


def test_a_ticket_contradicting_a_later_change_on_the_settings_page_is_warned_about(db, tmp_path):
    premium(db)
    import_tickets(db, write_csv(tmp_path / "a.csv", [ticket("R-1", 2, "Premium")]), actor=ADMIN)
    acme = db.scalar("SELECT id FROM companies WHERE name = 'Acme'")
    assign_contract(db, actor=ADMIN, company_id=acme, contract_id=1, starts_on=date(2026, 6, 8))
    report = import_tickets(db, write_csv(tmp_path / "b.csv", [ticket("R-1", 2, "Premium"), ticket("R-2", 10, "Premium")]),
                            actor=ADMIN)
    assert report.contracts == []
    assert report.warnings == [
        "contract: 1 ticket(s) name a contract other than the one their company was under when they were opened "
        "(e.g. R-2: two contracts named on one day, or a later change on the Settings page); they are measured "
        "under their company's contract"]
    assert spans(db) == [("Acme", "Premium", date(2026, 6, 2)), ("Acme", "Standard", date(2026, 6, 8))]


ITALIAN_MAPPING = """
[profile]
name = "helpdesk-it"
[fields]
reference = "Case"
company = "Client"
channel = { default = "phone" }
severity = "Prio"
opened_at = "Opened"
# every ticket of this export runs on the Italian calendar: its customers are under the Italia contract
contract = { default = "Italia" }
"""


def test_a_mapping_names_the_calendar_its_tickets_run_on_through_a_contract(db, tmp_path):
    week = {d: [(time(9), time(18))] for d in range(5)}
    milan = save_calendar(db, actor=ADMIN, calendar_id=None, spec=CalendarSpec(
        name="Business hours (Milan)", timezone="Europe/Rome", hours_per_day=9, holiday_country="it", hours=week))
    create_contract(db, actor=ADMIN, name="Italia", calendar_id=milan)
    path = tmp_path / "it.csv"
    path.write_text("Case,Client,Prio,Opened\nIT-1,Rossi SpA,4,2024-12-24T17:00:00+01:00\n", encoding="utf-8")
    report = import_file(db, path, profile=parse_profile(ITALIAN_MAPPING), actor=ADMIN)
    assert (report.inserted, report.warnings, report.contracts) == (1, [], ["Rossi SpA: Italia from 2024-12-24"])
    import_tickets(db, write_csv(tmp_path / "fr.csv", [row(reference="FR-1", severity="4", status="open",
                                                          opened_at="2024-12-24T17:00:00+01:00", first_response_at="",
                                                          resolved_at="")]), actor=ADMIN)
    # 3 business days of 9 hours from Christmas Eve 17:00: Santo Stefano (26th) is closed in Italy, not in France
    refs = dict(db.rows("SELECT id, reference FROM tickets"))
    frame = measures_of(db, as_of=paris(2025, 1, 15, 12, 0), version=ON_READ)
    deadlines = {refs[r.ticket_id]: r.deadline.tz_convert("Europe/Paris").strftime("%Y-%m-%d %H:%M")
                 for r in frame.itertuples() if r.measure == "resolution"}
    assert deadlines == {"IT-1": "2024-12-31 17:00", "FR-1": "2024-12-30 17:00"}
