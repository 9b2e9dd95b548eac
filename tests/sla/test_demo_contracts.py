"""The demo's contracts (issue 18): a Premium contract on the 24/7 calendar with severity 1 and 2 targets halved,
three companies under it from the first day and one from 1 March 2026 (a change of contract mid-history), the
ledger built once under it, and the SLA figures of each contract (the session's demo: seed 11, 12 companies,
3,000 tickets ending DEMO_NOW)."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.sla import stats, versions
from analytics.sla.contracts import assignments_table, contract_choices, contracts_table, targets_of
from analytics.sla.demo_contracts import switch_day
from analytics.sla.filters import TicketFilter
from tests.conftest import DEMO_NOW
from tests.sla.test_sla_ledger import assert_ledger_equals_engine

HISTORY = Period(date(2025, 5, 1), date(2026, 12, 1), "Europe/Paris")  # the whole demo (21 May 2025 - 20 Nov 2026)
COLUMNS = ["severity", "measure", "target_value", "target_unit", "calendar_name", "met", "breached", "pending"]


@pytest.fixture
def demo(demo_db_path, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    db = open_store(path)
    yield db
    db.close()


def grid(db, flt: TicketFilter = TicketFilter()) -> list[tuple]:
    table = stats.severity_table(db, HISTORY, flt, as_of=DEMO_NOW)
    return [tuple(row) for row in table[COLUMNS].itertuples(index=False)]


def test_the_demo_has_a_premium_contract_and_four_companies_under_it(demo):
    assert contract_choices(demo) == {1: "Standard", 2: "Premium"}
    assert [tuple(r) for r in contracts_table(demo)[["contract", "companies"]].itertuples(index=False)] == [
        ("Standard", 8), ("Premium", 4)]  # 12 companies: ids 3, 7, 9 and 4 under Premium, the 8 others under none
    assert [tuple(r) for r in targets_of(demo, 2).itertuples(index=False)] == [
        (1, "response", 15.0, "minutes", "24/7"), (1, "resolution", 1.0, "hours", "24/7"),
        (2, "response", 30.0, "minutes", "24/7"), (2, "resolution", 90.0, "minutes", "24/7"),
        (3, "response", 2.0, "hours", "24/7"), (3, "resolution", 12.0, "hours", "24/7"),
        (4, "response", 24.0, "hours", "24/7"), (4, "resolution", 3.0, "business_days", "24/7")]
    # From the first ticket's day (21 May 2025, Paris); Opale Logistique from the first of the month after the
    # middle of the history (21 May 2025 - 20 Nov 2026: 20 Feb 2026, so 1 March 2026). None has a later contract.
    table = assignments_table(demo)
    assert [(r.company, r.contract, r.starts_on.date()) for r in table.itertuples()] == [
        ("Kestrel Logistique", "Premium", date(2025, 5, 21)), ("Lumen Énergie", "Premium", date(2025, 5, 21)),
        ("Opale Logistique", "Premium", date(2026, 3, 1)), ("Pollen Services", "Premium", date(2025, 5, 21))]
    assert table["until"].isna().all()
    assert demo.scalar("SELECT min(opened_at) FROM tickets").strftime("%Y-%m-%d %H:%M %z") == "2025-05-21 08:06 +0200"
    assert switch_day(date(2025, 5, 21), date(2026, 11, 20)) == date(2026, 3, 1)


def test_the_ledger_is_built_once_under_the_contract(demo):
    """The rules with the contract were in force before the tickets were written: one version holds the ledger,
    none is building, and it equals the on-read engine."""
    assert [(v.version, v.state) for v in versions.versions(demo)] == [(2, "complete"), (1, "complete")]
    assert demo.scalar("SELECT count(*) FROM tickets") == 2998  # 3,000 drawn; 2 opened after DEMO_NOW - 1 min dropped
    assert demo.rows("SELECT version, count(*) FROM sla_ledger GROUP BY 1") == [(2, 2 * 2998)]  # two measures each
    assert demo.scalar("SELECT count(*) FROM sla_version_contracts WHERE version = 2") == 4
    assert_ledger_equals_engine(demo, as_of=DEMO_NOW)


def test_opale_logistique_is_measured_under_standard_then_premium_from_1_march_2026(demo):
    rows = demo.rows("""
        SELECT opened_at >= TIMESTAMPTZ '2026-03-01 00:00:00+01:00' AS since_switch, contract_id, count(*)
        FROM sla_ledger WHERE version = 2 AND measure = 'resolution'
          AND company_id = (SELECT id FROM companies WHERE name = 'Opale Logistique')
        GROUP BY ALL ORDER BY ALL""")
    assert rows == [(False, 1, 105), (True, 2, 119)]  # its 224 tickets: 105 opened before the day, 119 from it


def test_the_severity_table_filtered_on_premium_shows_premium_targets_and_its_figures(demo):
    assert grid(demo, TicketFilter(contract_ids=(2,))) == [
        (1, "response", 15.0, "minutes", "24/7", 13, 2, 0), (1, "resolution", 1.0, "hours", "24/7", 8, 7, 0),
        (2, "response", 30.0, "minutes", "24/7", 39, 14, 0), (2, "resolution", 90.0, "minutes", "24/7", 30, 23, 0),
        (3, "response", 2.0, "hours", "24/7", 199, 6, 0), (3, "resolution", 12.0, "hours", "24/7", 193, 12, 0),
        (4, "response", 24.0, "hours", "24/7", 430, 10, 0), (4, "resolution", 3.0, "business_days", "24/7", 407, 33, 0)]
    # Standard's: its own targets (severity 4's resolution on business hours) and the other tickets.
    assert grid(demo, TicketFilter(contract_ids=(1,))) == [
        (1, "response", 30.0, "minutes", "24/7", 24, 3, 0), (1, "resolution", 2.0, "hours", "24/7", 22, 5, 0),
        (2, "response", 1.0, "hours", "24/7", 161, 12, 0), (2, "resolution", 3.0, "hours", "24/7", 147, 26, 0),
        (3, "response", 2.0, "hours", "24/7", 639, 63, 0), (3, "resolution", 12.0, "hours", "24/7", 616, 86, 0),
        (4, "response", 24.0, "hours", "24/7", 1352, 30, 1),
        (4, "resolution", 3.0, "business_days", "Business hours (Paris)", 1334, 45, 4)]
    # Halved targets breach far more of the same kind of tickets: severity 1-2 resolutions 56 % met under
    # Premium (38 of 68) against 85 % under Standard (169 of 200); the unfiltered table adds both up.
    assert grid(demo)[1][5:7] == (8 + 22, 7 + 5)


def test_the_breakdown_by_contract(demo):
    table = stats.compliance(demo, HISTORY, as_of=DEMO_NOW, by="contract", per_severity=False)
    assert [tuple(r) for r in table[["contract", "measure", "met", "breached", "pending", "compliance_pct"]]
            .itertuples(index=False)] == [
        ("Premium", "resolution", 638, 75, 0, 89.5), ("Premium", "response", 681, 32, 0, 95.5),
        ("Standard", "resolution", 2119, 162, 4, 92.9), ("Standard", "response", 2176, 108, 1, 95.3)]
