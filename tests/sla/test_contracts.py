"""Contracts per customer: a ticket is measured against the targets of the contract its company was under
when it was opened; a change of contract applies from its day on, history keeps the old one; Standard (the
SLA targets table) measures a company without a contract; the ledger equals the on-read engine."""
from __future__ import annotations

from datetime import date

import pytest

from analytics.kernel.periods import Period
from analytics.kernel.roles import MANAGER, Actor, PermissionDenied, system_actor
from analytics.sla import stats, versions
from analytics.sla.clock import explain_clock
from analytics.sla.contracts import (
    ContractError,
    assign_contract,
    assignments_table,
    change_contract_target,
    contract_choices,
    contracts_table,
    create_contract,
    remove_assignment,
    targets_of,
)
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import ON_READ, measures_of
from tests.factories import add_company, add_ticket, paris
from tests.sla.test_sla_ledger import assert_ledger_equals_engine

ADMIN = system_actor("admin-test")
AS_OF = paris(2026, 7, 1, 12, 0)
JUNE = Period(date(2026, 6, 1), date(2026, 7, 1), "Europe/Paris")
TWENTY_FOUR_SEVEN = 1  # the calendar of migration 002


def states(db, version=None) -> dict[tuple[str, str], str]:
    frame = measures_of(db, as_of=AS_OF, version=version)
    refs = dict(db.rows("SELECT id, reference FROM tickets"))
    return {(refs[r.ticket_id], r.measure): r.state for r in frame.itertuples()}


def deadlines(db, version=None) -> dict[str, object]:
    frame = measures_of(db, as_of=AS_OF, version=version)
    refs = dict(db.rows("SELECT id, reference FROM tickets"))
    return {refs[r.ticket_id]: r.deadline.to_pydatetime() for r in frame.itertuples() if r.measure == "resolution"}


def premium(db) -> int:
    """Premium: severity 3 resolved within 4 hours instead of Standard's 12."""
    number = create_contract(db, actor=ADMIN, name="Premium", description="Faster resolution")
    change_contract_target(db, actor=ADMIN, contract_id=number, severity=3, measure="resolution", target_value=4,
                           target_unit="hours", calendar_id=TWENTY_FOUR_SEVEN)
    return number


def test_a_change_of_contract_applies_from_its_day_and_history_keeps_the_old_one(db):
    acme = add_company(db, "Acme")
    add_ticket(db, "BEFORE", severity=3, opened=paris(2026, 6, 9, 10, 0), resolved=paris(2026, 6, 9, 16, 0))
    add_ticket(db, "AFTER", severity=3, opened=paris(2026, 6, 10, 0, 0), resolved=paris(2026, 6, 10, 6, 0))
    add_ticket(db, "OTHER", severity=3, opened=paris(2026, 6, 11, 10, 0), resolved=paris(2026, 6, 11, 16, 0),
               company="Globex")
    assert {k: v for k, v in states(db).items() if k[1] == "resolution"} == {
        ("BEFORE", "resolution"): "met", ("AFTER", "resolution"): "met", ("OTHER", "resolution"): "met"}
    number = premium(db)
    assign_contract(db, actor=ADMIN, company_id=acme, contract_id=number, starts_on=date(2026, 6, 10))
    # 6 hours to resolve: met on Standard's 12 hours, breached on Premium's 4 (from midnight of 10 June on)
    expected = {("BEFORE", "resolution"): "met", ("AFTER", "resolution"): "breached",
                ("OTHER", "resolution"): "met"}
    for version in (None, ON_READ):
        assert {k: v for k, v in states(db, version).items() if k[1] == "resolution"} == expected
    assert_ledger_equals_engine(db, as_of=AS_OF)
    by_contract = stats.compliance(db, JUNE, as_of=AS_OF, by="contract", per_severity=False)
    rows = {(r.contract, r.measure): (r.met, r.breached) for r in by_contract.itertuples()}
    # no first response recorded: the response ends at the resolution, 6 h against 2 h on both contracts
    assert rows == {("Standard", "resolution"): (2, 0), ("Premium", "resolution"): (0, 1),
                    ("Standard", "response"): (0, 2), ("Premium", "response"): (0, 1)}
    only_premium = stats.severity_table(db, JUNE, TicketFilter(contract_ids=(number,)), as_of=AS_OF)
    sev3 = only_premium[(only_premium["severity"] == 3) & (only_premium["measure"] == "resolution")].iloc[0]
    assert (sev3["met"], sev3["breached"], sev3["target_value"], sev3["target_unit"]) == (0, 1, 4, "hours")
    everyone = stats.severity_table(db, JUNE, as_of=AS_OF)
    sev3 = everyone[(everyone["severity"] == 3) & (everyone["measure"] == "resolution")].iloc[0]
    assert (sev3["met"], sev3["breached"], sev3["target_value"]) == (2, 1, 12)   # Standard's target shown
    clock = {e["measure"]: e["lines"][2] for e in explain_clock(db, "AFTER", as_of=AS_OF)}
    assert clock["resolution"].startswith("Severity 3 under the Premium contract allows ")
    assert explain_clock(db, "BEFORE", as_of=AS_OF)[1]["lines"][2].startswith("Severity 3 allows ")
    # withdrawn: back to Standard for every ticket
    remove_assignment(db, actor=ADMIN, company_id=acme, starts_on=date(2026, 6, 10))
    assert states(db)[("AFTER", "resolution")] == "met"
    assert_ledger_equals_engine(db, as_of=AS_OF)


def test_a_contract_on_a_24_7_calendar_beside_one_on_business_hours(db):
    # severity 4: 3 business days; opened on Friday 5 June 2026 at 17:00 Paris
    add_ticket(db, "OFFICE", severity=4, opened=paris(2026, 6, 5, 17, 0), company="Office hours Ltd")
    round_the_clock = add_company(db, "Always On SA")
    add_ticket(db, "ALWAYS", severity=4, opened=paris(2026, 6, 5, 17, 0), company="Always On SA")
    number = create_contract(db, actor=ADMIN, name="24/7", calendar_id=TWENTY_FOUR_SEVEN)
    assign_contract(db, actor=ADMIN, company_id=round_the_clock, contract_id=number, starts_on=date(2026, 1, 1))
    for version in (None, ON_READ):
        found = deadlines(db, version)
        # 9-hour business days: 1 h on Friday, 9 on Monday and Tuesday, 8 on Wednesday
        assert found["OFFICE"] == paris(2026, 6, 10, 17, 0)
        # the same 3 "business days" on a 24-hour calendar: 72 hours of wall-clock time
        assert found["ALWAYS"] == paris(2026, 6, 8, 17, 0)
    assert_ledger_equals_engine(db, as_of=AS_OF)


def test_a_company_without_a_contract_and_a_store_without_contracts_measure_as_before(db):
    add_ticket(db, "PLAIN", severity=2, opened=paris(2026, 6, 9, 10, 0), resolved=paris(2026, 6, 9, 12, 0))
    rules_before = versions.current_rules(db.cursor())[0]
    figures_before = stats.severity_table(db, JUNE, as_of=AS_OF)
    number = create_contract(db, actor=ADMIN, name="Gold")
    assert versions.current_rules(db.cursor())[0] != rules_before          # a new version of the rules
    assert stats.severity_table(db, JUNE, as_of=AS_OF).equals(figures_before)
    with db.transaction() as cur:                                           # the contract removed by hand
        cur.execute("DELETE FROM contract_targets WHERE contract_id = ?", [number])
        cur.execute("DELETE FROM contracts WHERE id = ?", [number])
    assert versions.current_rules(db.cursor())[0] == rules_before          # no contract: the old fingerprint


def test_the_tables_of_the_settings_page(db):
    acme = add_company(db, "Acme")
    add_company(db, "Globex")                                               # under no contract: Standard
    number = premium(db)
    assign_contract(db, actor=ADMIN, company_id=acme, contract_id=number, starts_on=date(2026, 1, 1))
    assign_contract(db, actor=ADMIN, company_id=acme, contract_id=1, starts_on=date(2030, 1, 1))
    assert contract_choices(db) == {1: "Standard", number: "Premium"}
    table = contracts_table(db)
    assert list(zip(table["contract"], table["companies"])) == [("Standard", 1), ("Premium", 1)]
    assigned = assignments_table(db)
    assert [(r.company, r.contract, r.starts_on.date()) for r in assigned.itertuples()] == [
        ("Acme", "Premium", date(2026, 1, 1)), ("Acme", "Standard", date(2030, 1, 1))]
    assert assigned["until"].iloc[0].date() == date(2030, 1, 1) and assigned["until"].isna().iloc[1]
    targets = targets_of(db, number)
    sev3 = targets[(targets["severity"] == 3) & (targets["measure"] == "resolution")].iloc[0]
    assert (sev3["target_value"], sev3["target_unit"], sev3["calendar_name"]) == (4, "hours", "24/7")
    assert len(targets) == 8
    assert db.rows("SELECT action, entity, entity_id FROM audit_log WHERE entity LIKE '%contract%' ORDER BY id") == [
        ("create", "contract", str(number)), ("change", "contract_target", f"{number}/3/resolution"),
        ("assign", "company_contract", f"{acme}@2026-01-01"), ("assign", "company_contract", f"{acme}@2030-01-01")]


@pytest.mark.parametrize("write,message", [
    (lambda db: create_contract(db, actor=ADMIN, name="  "), "The contract needs a name."),
    (lambda db: create_contract(db, actor=ADMIN, name="x" * 61), "The name is 61 characters long; at most 60."),
    (lambda db: create_contract(db, actor=ADMIN, name="standard"), "A contract named “standard” already exists."),
    (lambda db: create_contract(db, actor=ADMIN, name="Gold", calendar_id=99), "There is no calendar with id 99."),
    (lambda db: change_contract_target(db, actor=ADMIN, contract_id=premium(db), severity=3, measure="resolution",
                                       target_value=0, target_unit="hours", calendar_id=1),
     "The target must be a number above 0."),
    (lambda db: change_contract_target(db, actor=ADMIN, contract_id=premium(db), severity=3, measure="resolution",
                                       target_value=2, target_unit="weeks", calendar_id=1),
     "The unit must be one of minutes, hours, business_days."),
    (lambda db: change_contract_target(db, actor=ADMIN, contract_id=premium(db), severity=9, measure="resolution",
                                       target_value=2, target_unit="hours", calendar_id=1),
     "has no target for severity 9, resolution."),
    (lambda db: assign_contract(db, actor=ADMIN, company_id=add_company(db), contract_id=42,
                                starts_on=date(2026, 1, 1)), "There is no contract with id 42."),
    (lambda db: assign_contract(db, actor=ADMIN, company_id=404, contract_id=1, starts_on=date(2026, 1, 1)),
     "There is no company with id 404."),
    (lambda db: remove_assignment(db, actor=ADMIN, company_id=add_company(db), starts_on=date(2026, 1, 1)),
     "has no contract starting on 01 Jan 2026."),
])
def test_a_refused_write_says_why_and_writes_nothing(db, write, message):
    audited = db.scalar("SELECT count(*) FROM audit_log WHERE entity LIKE '%contract%'")
    contracts = db.scalar("SELECT count(*) FROM contracts")
    with pytest.raises(ContractError, match=message.replace("(", r"\(").replace(")", r"\)")):
        write(db)
    grew = db.scalar("SELECT count(*) FROM contracts") - contracts
    assert grew in (0, 1)   # the Premium made before the refused write, nothing of the refused one
    assert db.scalar("SELECT count(*) FROM audit_log WHERE entity LIKE '%contract%'") - audited == 2 * grew


def test_only_an_administrator_manages_contracts(db):
    manager = Actor(name="manager-test", roles=frozenset({MANAGER}))
    with pytest.raises(PermissionDenied, match="Only a admin may create a contract"):
        create_contract(db, actor=manager, name="Premium")
    with pytest.raises(PermissionDenied, match="You must be signed in to assign a contract"):
        assign_contract(db, actor=None, company_id=add_company(db), contract_id=1,
                        starts_on=date(2026, 1, 1))
    assert db.scalar("SELECT count(*) FROM contracts") == 1
