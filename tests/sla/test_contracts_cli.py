"""``python -m analytics contracts``: a CSV file puts companies under contracts in one transaction, a wrong
row refuses the whole file in one line (exit 2, nothing written), and ``list`` shows who is under what."""
from __future__ import annotations

import json

from analytics.cli.main import main
from analytics.domains import open_store
from analytics.kernel.roles import system_actor
from analytics.sla.contracts import create_contract
from tests.factories import add_company, add_ticket, paris


def store(tmp_path):
    path = tmp_path / "contracts.duckdb"
    db = open_store(path)
    add_company(db, "Acme")
    add_company(db, "Globex")
    add_ticket(db, "T-1", severity=3, opened=paris(2026, 6, 10, 9, 0))
    create_contract(db, actor=system_actor("admin-test"), name="Premium")
    db.close()
    return path


def rows(path, sql):
    db = open_store(path)
    try:
        return db.rows(sql)
    finally:
        db.close()


def test_a_file_puts_companies_under_contracts_and_list_shows_them(tmp_path, capsys):
    path = store(tmp_path)
    sheet = tmp_path / "contracts.csv"
    sheet.write_text("company,contract,from\nAcme,Premium,2026-01-01\nglobex,standard,2026-03-01\n", encoding="utf-8")
    assert main(["contracts", "assign", "--file", str(sheet), "--db", str(path)]) == 0
    assert capsys.readouterr().out == "2 companies put under a contract; the SLA figures are recomputed\n"
    assert rows(path, "SELECT co.name, cc.contract_id FROM company_contracts cc JOIN companies co ON co.id = cc.company_id "
                      "ORDER BY 1") == [("Acme", 2), ("Globex", 1)]
    assert main(["contracts", "list", "--format", "json", "--db", str(path)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["contract"], c["companies"]) for c in listed["contracts"]] == [("Standard", 1), ("Premium", 1)]
    assert [(c["company"], c["contract"], c["starts_on"][:10]) for c in listed["companies"]] == [
        ("Acme", "Premium", "2026-01-01"), ("Globex", "Standard", "2026-03-01")]
    assert main(["contracts", "assign", "--company", "Globex", "--contract", "Premium", "--from", "2026-06-01",
                 "--db", str(path)]) == 0
    assert capsys.readouterr().out == "1 company put under a contract; the SLA figures are recomputed\n"
    assert rows(path, "SELECT count(*) FROM audit_log WHERE entity = 'company_contract'") == [(3,)]


def test_a_wrong_row_refuses_the_whole_file_in_one_line(tmp_path, capsys):
    path = store(tmp_path)
    sheet = tmp_path / "contracts.csv"
    sheet.write_text("company,contract,from\nAcme,Premium,2026-01-01\nGlobex,Platinum,2026-03-01\n", encoding="utf-8")
    assert main(["contracts", "assign", "--file", str(sheet), "--db", str(path)]) == 2
    assert capsys.readouterr().err == ("error: Row 2: there is no contract named “Platinum” (known: Premium, Standard).\n")
    sheet.write_text("company,contract,from\nAcme,Premium,31/01/2026\n", encoding="utf-8")
    assert main(["contracts", "assign", "--file", str(sheet), "--db", str(path)]) == 2
    assert capsys.readouterr().err == "error: contracts.csv line 2: '31/01/2026' is not a day like 2026-01-31\n"
    sheet.write_text("company,plan\nAcme,Premium\n", encoding="utf-8")
    assert main(["contracts", "assign", "--file", str(sheet), "--db", str(path)]) == 2
    assert capsys.readouterr().err == ("error: contracts.csv: missing column(s) contract, from; "
                                       "expected company,contract,from\n")
    assert main(["contracts", "assign", "--company", "Acme", "--db", str(path)]) == 2
    assert capsys.readouterr().err == "error: give --company, --contract and --from, or --file\n"
    assert rows(path, "SELECT count(*) FROM company_contracts") == [(0,)]
