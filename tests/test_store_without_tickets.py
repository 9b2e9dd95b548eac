"""A store that holds an organisation's data but no tickets yet (incidents declared, no import).

The first-run demo build is for an empty store only: an earlier version built it into any store
without tickets, and the demo's companies then collided with the real ones, so the dashboard
failed on its first page. Now the pages say the store holds no tickets and how to import them,
and every page renders on it.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store, pages_for
from analytics.kernel.roles import ROLES, Actor
from tests.incidents.factories import declared

ROOT = Path(__file__).resolve().parent.parent
EVERYONE = Actor(name="Eve", email="eve@example.com", roles=frozenset(ROLES))


@pytest.fixture(scope="module")
def no_ticket_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("no_tickets") / "vigie.duckdb"
    db = open_store(path)
    declared(db, defined=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    db.close()
    return path


def _counts(path):
    db = open_store(path)
    try:
        return (db.scalar("SELECT count(*) FROM tickets"), db.scalar("SELECT count(*) FROM companies"),
                db.scalar("SELECT count(*) FROM incidents"))
    finally:
        db.close()


def test_the_dashboard_says_no_tickets_and_builds_no_demo(no_ticket_store, monkeypatch):
    monkeypatch.setenv("VIGIE_DB", str(no_ticket_store))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["vigie_actor"] = EVERYONE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(i.value for i in at.info)
    assert "holds no tickets yet" in said and "python -m analytics import tickets" in said
    assert "_" in str(no_ticket_store) and str(no_ticket_store).replace("_", "\\_") in said  # the path as typed
    assert _counts(no_ticket_store) == (0, 2, 1)


@pytest.mark.parametrize("spec", pages_for(set(ROLES)), ids=lambda s: s.path)
def test_every_page_renders_without_tickets(no_ticket_store, monkeypatch, spec):
    monkeypatch.setenv("VIGIE_DB", str(no_ticket_store))
    at = AppTest.from_file(str(ROOT / spec.path), default_timeout=120)
    at.session_state["vigie_actor"] = EVERYONE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
