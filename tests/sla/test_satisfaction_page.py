"""The SLA page's section "Satisfaction" (AppTest): one line when no ticket has a score, else the breach's cost
and the tables per resolution verdict, team and severity, their headers in words, empty cells as a dash."""
from __future__ import annotations

import json
from datetime import timedelta

from analytics.domains import open_store
from tests.factories import add_ticket
from tests.sla import test_sla_page
from tests.sla.test_sla_page import FROZEN, run_page

frozen, small_db = test_sla_page.frozen, test_sla_page.small_db  # the page test's fixtures


def scored(path, scores: dict[str, int]) -> None:
    db = open_store(path)
    try:
        with db.transaction() as cur:
            for reference, value in scores.items():
                cur.execute("UPDATE tickets SET satisfaction = ? WHERE reference = ?", [value, reference])
        base = FROZEN - timedelta(days=2)
        add_ticket(db, "P-5 <b>", severity=2, opened=base, resolved=base + timedelta(hours=1), team="Réseau **x**")
    finally:
        db.close()


def section_tables(at):
    return [d for d in at.dataframe if {"responses", "satisfied_pct"} <= set(d.value.columns)]


def test_without_scores_the_section_says_so_in_one_line(small_db):
    at = run_page()
    assert "Satisfaction" in [s.value for s in at.subheader]
    assert any("No ticket resolved in the period has a satisfaction score" in i.value for i in at.info)
    assert not section_tables(at)


def test_with_scores_the_section_shows_what_a_breach_costs(small_db):
    scored(small_db, {"P-1": 5, "P-2": 2, "P-4": 4})  # P-1 and P-4 resolved in time, P-2 breached (3 h > 2 h)
    at = run_page()
    assert not any("No ticket resolved in the period has a satisfaction score" in i.value for i in at.info)
    assert any("Resolution target met: 100.0% satisfied (2 responses); breached: 0.0% (1 responses)" in m.value
               for m in at.markdown)
    tables = {next(iter(d.value.columns)): d for d in at.dataframe}
    verdicts, teams = tables["resolution_sla"], tables["team"]
    assert list(verdicts.value["resolution_sla"]) == ["Met", "Breached"]
    assert list(verdicts.value["satisfied_pct"]) == [100.0, 0.0]
    labels = {name: c["label"] for name, c in json.loads(verdicts.proto.columns).items() if name != "_index"}
    assert labels == {"resolution_sla": "Resolution target", "resolved": "Resolved", "responses": "Responses",
                      "response_pct": "Answered (%)", "average_score": "Average score (1-5)", "satisfied": "Satisfied",
                      "satisfied_pct": "Satisfied (%)"}
    assert list(teams.value["team"]) == ["Réseau **x**", "Service desk"]        # the name as typed, a data cell
    assert list(teams.value["average_score"]) == ["—", "3.67"]                  # nobody answered for P-5: a dash
    assert list(tables["severity"].value["severity"]) == [1, 2] and len(section_tables(at)) == 3
