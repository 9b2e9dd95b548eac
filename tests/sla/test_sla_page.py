"""The SLA compliance page (AppTest) shows the figures of a small hand-built database."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_ticket, as_shown
from tests.store.pg_support import backend_target

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


# the clock frozen for the fixture and the page (ticking on from there) on a Wednesday at 14:00 in Paris: the
# tickets of two days back and P-3's 100 minutes all fall in business hours, whatever the day the suite runs
FROZEN = datetime(2026, 11, 18, 13, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=True):
        yield


@pytest.fixture
def small_db(frozen, tmp_path, monkeypatch):
    """Five tickets this week: severity 1 met+breached response, severity 3 open at risk, one e-mail."""
    path = backend_target(tmp_path / "page.duckdb")  # or PostgreSQL (tests/store/pg_support.py)
    db = open_store(path)
    ensure_intervals(db)
    now = FROZEN
    base = now - timedelta(days=2)
    add_ticket(db, "P-1", severity=1, opened=base, response=base + timedelta(minutes=10),
               resolved=base + timedelta(hours=1), company="Alpha")
    add_ticket(db, "P-2", severity=1, opened=base, response=base + timedelta(minutes=45),
               resolved=base + timedelta(hours=3), company="Beta")
    add_ticket(db, "P-3", severity=3, opened=now - timedelta(minutes=100), company="Alpha")
    add_ticket(db, "P-4", severity=2, opened=base, response=base + timedelta(minutes=30),
               resolved=base + timedelta(hours=2), channel="email", company="Beta")
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path


def run_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_rows(at: AppTest) -> list[tuple]:
    """The per-severity table's counts, row by row."""
    table = at.dataframe[0].value
    return list(table[["severity", "measure", "met", "breached"]].itertuples(index=False, name=None))


def test_headline_and_table_figures(small_db):
    at = run_page()
    metrics = {m.label: m.value for m in at.metric}
    # decided: P-1 and P-4 met both targets, P-2 breached both -> 4 met, 2 breached.
    assert metrics["Overall compliance"] == "66.7%"
    assert metrics["Breaches"] == "2"
    # P-3 (severity 3, open 100 min, no response): response 83% of 2 h used -> at risk;
    # its resolution (14% of 12 h) is open but not at risk.
    assert metrics["Open, at risk"] == "1"
    assert metrics["Open, pending"] == "2"
    table = at.dataframe[0].value
    sev1 = table[table["severity"] == 1].set_index("measure")
    assert sev1.loc["Response", "met"] == 1 and sev1.loc["Response", "breached"] == 1
    assert sev1.loc["Response", "compliance_pct"] == "50.0%"  # text: another row has no decision (a dash)
    assert sev1.loc["Response", "target"] == "< 30 min (24/7)"
    sev4 = table[table["severity"] == 4].set_index("measure")
    assert sev4.loc["Resolution", "target"] == "< 3 business days (Business hours (Paris))"
    labels = {name: c["label"] for name, c in json.loads(at.dataframe[0].proto.columns).items() if name != "_index"}
    assert labels == {"severity": "Severity", "measure": "Measure", "target": "Target",
                      "compliance_pct": "Compliance (%)", "met": "Met", "breached": "Breached", "pending": "Open",
                      "at_risk": "At risk", "median": "Median", "p90": "90th percentile"}


def test_charts_carry_the_compliance(small_db):
    at = run_page()
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    spec = json.loads(charts[0].proto.spec)
    response = next(t for t in spec["data"] if t["name"] == "response")
    assert response["orientation"] == "h"  # one row per bar: labels never meet, whatever the width
    assert response["y"][0] == "Severity 1" and response["x"][0] == 50.0
    assert response["text"][0] == "50.0% · 1/2" and response["textposition"][0] == "inside"
    assert spec["layout"]["yaxis"]["autorange"] == "reversed"  # severity 1 on top, as in the table
    # the trend: every ticket was decided in November 2026, the frozen clock's month in Paris, drawn as "so far"
    # (response: P-1 and P-4 met, P-2 breached; resolution the same)
    trend = json.loads(charts[1].proto.spec)
    so_far = {t["name"]: (t["x"], t["y"], t["text"]) for t in trend["data"] if t["name"].endswith("so far")}
    assert so_far == {"response, month so far": (["2026-11-01"], [66.7], ["so far"]),
                      "resolution, month so far": (["2026-11-01"], [66.7], ["so far"])}


def test_ticket_clock_explains_a_breach(small_db):
    at = run_page()
    at.text_input(key="sla_clock_reference").input("P-2").run()
    texts = [t.value for t in at.text]
    assert any("target breached by 15 min" in t for t in texts), texts
    at.text_input(key="sla_clock_reference").input("NOPE").run()
    assert "No ticket with reference “NOPE”." in [as_shown(w.value) for w in at.warning]


def test_while_the_figures_are_recomputed_the_page_says_so_and_shows_the_previous_rules(small_db, monkeypatch):
    from analytics.settings.service import change_sla_target
    from analytics.sla import rebuild
    from tests.sla.test_sla_ledger import ADMIN

    before = table_rows(run_page())
    monkeypatch.setattr(rebuild, "SYNC_MAX_TICKETS", 0)  # as on a big store: built later, in the background
    db = open_store(small_db)
    change_sla_target(db, actor=ADMIN, severity=1, measure="response", target_value=1, target_unit="minutes",
                      calendar_id=1)
    db.close()
    at = run_page()
    notices = [i.value for i in at.info]
    assert any(n.startswith("Figures are being recomputed for the changed SLA rules: 0% done.") for n in notices)
    assert table_rows(at) == before  # every figure still under the rules before the change
