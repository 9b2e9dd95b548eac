"""Every page renders on a store holding tickets with implausible times (year 1, 1900, 9999).

An import refuses them now, but an earlier version accepted them: a ticket opened in year 1 made
the Monthly report page crash (OverflowError in its month picker) and one in 1900 gave it 1,523
months to pick from.
"""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store, pages_for
from analytics.kernel.roles import ROLES, Actor
from tests.factories import add_ticket

ROOT = Path(__file__).resolve().parent.parent
EVERYONE = Actor(name="Eve", email="eve@example.com", roles=frozenset(ROLES))


@pytest.fixture(scope="module")
def odd_store(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("odd") / "odd.duckdb"
    shutil.copy(demo_db_path, path)
    db = open_store(path)
    for reference, year in (("ANCIENT", 1), ("OLD", 1900), ("FUTURE", 9999)):
        add_ticket(db, reference, severity=2, opened=datetime(year, 3, 10, 12, tzinfo=UTC), company="Acme")
    db.close()
    return path


@pytest.mark.parametrize("spec", pages_for(set(ROLES)), ids=lambda s: s.path)
def test_every_page_renders(odd_store, monkeypatch, spec):
    monkeypatch.setenv("VIGIE_DB", str(odd_store))
    at = AppTest.from_file(str(ROOT / spec.path), default_timeout=180)
    at.session_state["vigie_actor"] = EVERYONE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if spec.path == "pages/monthly_report.py":
        months = at.selectbox(key="monthly_report_month").options
        assert len(months) < 40 and not any(m.startswith(("0001", "1900", "9999")) for m in months)
