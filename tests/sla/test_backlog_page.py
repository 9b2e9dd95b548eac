"""The Backlog page (AppTest): the next-to-breach queue with the breached ones first and marked, the age bands,
the weekly backlog and the oldest tickets with their clock, for each role that opens it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.kernel.roles import Actor
from analytics.sla.domain import BACKLOG_ROLES
from tests.factories import add_ticket

PAGE = Path(__file__).resolve().parents[2] / "pages" / "backlog.py"
# the clock frozen for the fixture and the page (ticking on): a Wednesday 10:00 in Paris, so the working hours
# left, the age bands and the weeks are the same whatever day the suite runs
FROZEN = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(FROZEN, tick=True):
        yield


@pytest.fixture
def page_db(db, monkeypatch):
    now = datetime.now(UTC)
    add_ticket(db, "LATE-1", severity=2, opened=now - timedelta(days=4), team="Network")
    add_ticket(db, "SOON-1", severity=1, opened=now - timedelta(minutes=10), response=now - timedelta(minutes=5))
    add_ticket(db, "DONE-1", severity=3, opened=now - timedelta(days=2), resolved=now - timedelta(days=1))
    monkeypatch.setenv("VIGIE_DB", str(db.path))
    db.close()
    return db


def open_page(role: str) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state["vigie_actor"] = Actor(name="Mia", roles=frozenset({role}))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_is_for_managers_supervisors_leadership_and_admins():
    assert {"manager", "supervisor", "leadership", "admin"} == BACKLOG_ROLES


def test_the_backlog_page_shows_the_queue_the_bands_the_weeks_and_the_oldest(page_db):
    at = open_page("manager")
    queue, bands, weeks, oldest = (at.dataframe[i].value for i in range(4))
    assert queue["reference"].tolist() == ["LATE-1", "LATE-1", "SOON-1"]  # breached response, resolution; 1h50 left
    assert queue["breached_while_open"].tolist() == ["Yes", "Yes", "No"]
    assert queue["state"].tolist() == ["Breached", "Breached", "Pending"]
    assert bands["tickets"].tolist() == [1, 1] and bands["severity"].tolist() == [1, 2]
    assert bands["d3_7"].tolist() == [0, 1] and bands["under_1d"].tolist() == [1, 0]
    # the weeks ended in the default period: only LATE-1 (opened Saturday 14th) was open at a week's end
    assert weeks["week"].tolist()[0] == "2026-07-27" and weeks["week"].tolist()[-1] == "2026-11-09"
    assert weeks["open_at_end"].tolist() == [0] * 15 + [1] and weeks["p90_days"].tolist()[-1] == "1.6"
    assert oldest["reference"].tolist() == ["LATE-1", "SOON-1"]
    said = "2 open measurements already past the deadline (listed first), then 1 measurement with 4 working hours"
    assert any(said in m.value for m in at.markdown)


def test_the_queue_filters_per_team(page_db):
    at = open_page("leadership")
    at.multiselect(key="backlog_queue_team").set_value(["Network"]).run()
    assert not at.exception
    assert at.dataframe[0].value["reference"].tolist() == ["LATE-1", "LATE-1"]
