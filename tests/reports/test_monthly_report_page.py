"""The Monthly report page (AppTest through the dashboard) shows the hand-built October's figures."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store, pages_for
from analytics.sla.calendars import ensure_intervals
from tests.reports.test_monthly_report import seed_two_months

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/monthly_report.py"


# the clock frozen for the page (ticking on from there) at 00:30 on 1 January 2027 in Paris, still 31 December
# in UTC: the last complete month is December 2026 (code reading the month in UTC would offer November)
FROZEN = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=True):
        yield


@pytest.fixture
def two_months_db(frozen, tmp_path, monkeypatch):
    path = tmp_path / "report-page.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    seed_two_months(db)
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path


def open_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at: AppTest, *columns: str):
    """The first table of the page holding these columns."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def test_headline_figures_of_the_month(two_months_db):
    at = open_page()
    month = at.selectbox(key="monthly_report_month")
    assert month.value == "2026-12"  # the last complete month in Paris first, at the frozen instant
    assert month.options[:4] == ["December 2026", "November 2026", "October 2026", "September 2026"]
    month.set_value("2026-10").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Response compliance"] == ("66.7%", "-33.3 pts")
    assert metrics["Resolution compliance"] == ("57.1%", "-42.9 pts")
    assert metrics["SLA breaches"] == ("5", "+5")
    assert metrics["Tickets opened"] == ("6", "+3")
    assert metrics["Backlog at month end"] == ("1", "+0")
    assert metrics["E-mail raised above severity 4"] == ("50.0%", "+50.0 pts")
    assert metrics["Major incidents"] == ("1", "+1")
    assert metrics["Open escalations at month end"] == ("1", "+0")
    assert metrics["Account lockouts"] == ("1", "+1") and metrics["Suspected attacks"] == ("0", "+0")
    assert metrics["Customer satisfaction"] == ("–", "")  # no survey answered in the hand-built months
    assert "No survey answered this month." in [i.value for i in at.info]
    satisfied = frame_with(at, "resolution target", "answered surveys")
    assert satisfied["resolution target"].tolist() == ["Met", "Breached", "All tickets resolved in the month"]
    summary = at.markdown[0].value
    assert "- Severity 2 response compliance fell from 100.0% to 33.3% (2 breaches)." in summary
    assert "- SLA breaches rose from 0 to 5; Acme had the most (4)." in summary
    sla = frame_with(at, "severity", "measure", "target").set_index(["severity", "measure"])
    assert sla.loc[("2", "Response"), ["met", "breached", "Oct 2026", "Sep 2026"]].tolist() == \
        ["1", "2", "33.3%", "100.0%"]
    top = frame_with(at, "rank", "company")
    assert top[["company", "breaches"]].values.tolist() == [["Acme", "4"], ["Gamma", "1"]]
    assert frame_with(at, "reference", "to notify")["reference"].tolist() == ["INC-2026-0001"]
    assert len(at.get("plotly_chart")) == 9


def test_a_month_without_activity_says_so(two_months_db):
    at = open_page()
    at.selectbox(key="monthly_report_month").set_value("2026-09").run()
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Response compliance"] == ("100.0%", "")  # no decision in August: no change shown
    assert metrics["Tickets opened"] == ("3", "+3")
    infos = [i.value for i in at.info]
    assert "No major incidents this month." in infos and "No account lockouts this month." in infos


def test_only_leadership_managers_and_admins_see_it():
    for roles, sees in (({"leadership"}, True), ({"manager"}, True), ({"admin"}, True), ({"supervisor"}, False)):
        assert (PAGE in [p.path for p in pages_for(frozenset(roles))]) is sees, roles
