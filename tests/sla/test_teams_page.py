"""The Teams page (AppTest): at-risk tickets per team, reopen rate and first-contact resolution with their
definition, the weekly workload per team or assignee with its chart, reassignments and the teams passing tickets
back and forth; on hand-built tickets, and something to show on the demo."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.kernel.roles import Actor
from analytics.sla.domain import TEAMS_ROLES
from tests.conftest import DEMO_NOW
from tests.factories import add_event, add_ticket

PAGE = Path(__file__).resolve().parents[2] / "pages" / "teams.py"
FROZEN = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris


@pytest.fixture
def page_db(db, monkeypatch):
    with time_machine.travel(FROZEN, tick=False):
        now = datetime.now(UTC)
        add_ticket(db, "LATE-1", severity=2, opened=now - timedelta(days=4), team="Network", assignee="Bo")
        add_ticket(db, "SOON-1", severity=1, opened=now - timedelta(minutes=25), team="Network")  # 83% used
        add_ticket(db, "DONE-1", severity=3, opened=now - timedelta(days=2), response=now - timedelta(days=2),
                   resolved=now - timedelta(days=2) + timedelta(minutes=4), assignee="Ana", category="login")
        again = add_ticket(db, "AGAIN-1", severity=3, opened=now - timedelta(days=3),
                           response=now - timedelta(days=3) + timedelta(hours=1), resolved=now - timedelta(days=1),
                           team="Network", assignee="**Bo**", category="login")
        add_event(db, again, "reopened", now - timedelta(days=2), from_value="resolved", to_value="open")
        for a, b, minutes in (("Service desk", "Network", 1), ("Network", "Service desk", 2),
                              ("Service desk", "Network", 3)):
            add_event(db, again, "reassigned", now - timedelta(days=3) + timedelta(minutes=minutes),
                      from_value=a, to_value=b)
    monkeypatch.setenv("VIGIE_DB", str(db.path))
    db.close()
    return db


def open_page(role: str = "manager", at_time: datetime = FROZEN) -> AppTest:
    with time_machine.travel(at_time, tick=True):
        at = AppTest.from_file(str(PAGE), default_timeout=120)
        at.session_state["vigie_actor"] = Actor(name="Mia", roles=frozenset({role}))
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, *columns: str):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_the_page_is_for_managers_supervisors_leadership_and_admins():
    assert {"manager", "supervisor", "leadership", "admin"} == TEAMS_ROLES


def test_the_teams_page_shows_every_figure(page_db):
    at = open_page()
    risk = table(at, "at_risk", "breached")
    assert risk.to_dict("records") == [{"team": "Network", "open": 2, "at_risk": 1, "breached": 1}]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Reopen rate": "50.0%", "First-contact resolution": "50.0%", "Tickets opened": "4"}
    reopen = table(at, "reopen_pct").set_index("team")
    assert reopen.loc["Network", ["tickets", "reopened", "resolved"]].tolist() == [3, 1, 1]
    assert reopen.loc["Service desk", ["first_contact", "fcr_pct"]].tolist() == [1, 100.0]
    said = "resolved at most 10 minutes after its first response (the setting sla.fcr_window_minutes"
    assert any(said in c.value for c in at.caption)
    weekly = table(at, "open_at_end", "handled")
    this_week = weekly[weekly["week"] == "2026-11-16"].set_index("team")
    assert this_week.loc["Network", ["open_at_end", "handled", "so_far"]].tolist() == [2, 1, "Yes"]
    assert this_week.loc["Service desk", ["handled", "so_far"]].tolist() == [1, "Yes"]
    moves = table(at, "per_ticket").set_index("team")
    assert moves.loc["Network", ["tickets", "reassigned", "reassignments", "most"]].tolist() == [3, 1, 3, 3]
    pairs = table(at, "team_a", "team_b")
    assert pairs.to_dict("records") == [{"team_a": "Network", "team_b": "Service desk", "tickets": 1, "passes": 3}]
    chart = at.get("plotly_chart")[0]
    assert "so far" in chart.proto.spec


def test_the_workload_per_assignee_shows_names_as_typed(page_db):
    at = open_page("leadership")
    at.radio(key="teams_workload_by").set_value("assignee").run()
    assert not at.exception
    weekly = table(at, "assignee", "handled")
    assert set(weekly["assignee"]) == {"Ana", "**Bo**", "Bo", "—"}


def test_the_reopen_table_per_channel_and_category(page_db):
    at = open_page("admin")
    at.radio(key="teams_reopen_by").set_value("category").run()
    categories = table(at, "category", "reopen_pct").set_index("category")
    assert categories.loc["login", ["tickets", "reopened", "first_contact"]].tolist() == [2, 1, 1]
    assert categories.loc["—", "fcr_pct"] == "—"  # no resolved ticket without a category: nothing to divide


def test_the_page_shows_something_on_the_demo(demo_db_path, tmp_path, monkeypatch):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_path, path)
    monkeypatch.setenv("VIGIE_DB", str(path))
    at = open_page("manager", DEMO_NOW)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reopen rate"] != "—" and float(metrics["Reopen rate"].rstrip("%")) > 0
    assert float(metrics["First-contact resolution"].rstrip("%")) > 0
    assert len(table(at, "team_a", "team_b")) > 0  # the demo passes some tickets back and forth
    assert table(at, "open_at_end", "handled")["handled"].astype(int).sum() > 0
    assert table(at, "at_risk", "breached")["open"].astype(int).sum() > 0
