"""The SLA page in a real browser: it renders its figures, the drill-down reaches a ticket's clock, and a
ticket picked in the live at-risk table (a fragment that reruns the whole page) is put in the clock."""
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.domains import build_demo, open_store
from analytics.kernel.roles import Actor
from analytics.settings.service import change_setting
from tests.browser_support import open_browser, start_dashboard, wait_for_app

ADMIN = Actor(name="Ada", email="ada@support.example", roles=frozenset({"admin"}))
ROW_HEIGHT = 35  # Streamlit's dataframe: the header row, then each row, 35 px high

pytestmark = pytest.mark.browser


def test_sla_page_renders_in_chromium(demo_db_path):
    with start_dashboard(demo_db_path) as url, open_browser() as page:
        page.goto(url + "/")
        wait_for_app(page)
        assert page.get_by_role("heading", name="SLA compliance").is_visible()
        assert page.get_by_role("button", name="Deploy").count() == 0  # .streamlit/config.toml: minimal toolbar
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="Overall compliance")
        assert "%" in metric.inner_text()
        page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30_000)  # Plotly draws after the run ends
        assert page.locator(".js-plotly-plot").count() == 2
        page.get_by_role("textbox", name="Ticket reference").fill("CS-00000042")
        page.keyboard.press("Enter")
        # waited for, not checked at once: the open-measures fragment's own refresh (every 10 s) may end a run
        # just before the one Enter started
        page.get_by_text("The first response clock started").wait_for(timeout=30_000)
        assert page.get_by_text("The first response clock started").is_visible()


def test_a_ticket_picked_in_the_at_risk_table_opens_in_the_clock(tmp_path):
    """Open measures are at risk only now, so the demo ends now; at the lowest at-risk share (5 %) any open
    measure under way is at risk, on whatever day and hour the test runs."""
    db_path = tmp_path / "now.duckdb"
    db = open_store(db_path)
    build_demo(db, tickets=3000, seed=11, now=datetime.now(UTC), companies=12)
    change_setting(db, actor=ADMIN, name="sla.at_risk_share", value=0.05)
    db.close()
    with start_dashboard(db_path) as url, open_browser() as page:
        page.goto(url + "/sla-compliance")
        wait_for_app(page)
        page.get_by_role("tab", name="Open at risk").click()
        panel = page.get_by_role("tabpanel", name="Open at risk")
        with page.expect_download() as download:
            panel.get_by_role("button", name="Download CSV").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        assert rows, "no open measure at risk: the test's premise failed"
        assert {row["State"] for row in rows} == {"At risk"}
        clock = page.get_by_role("textbox", name="Ticket reference")
        assert clock.input_value() == ""

        grid = panel.get_by_test_id("stDataFrame").first.bounding_box()
        page.mouse.click(grid["x"] + 12, grid["y"] + ROW_HEIGHT * 1.5)  # the first row's selection box
        expect(clock).to_have_value(rows[0]["Reference"], timeout=30_000)
        wait_for_app(page)
        expect(page.get_by_text("The resolution clock started").first).to_be_visible(timeout=30_000)
        assert page.get_by_test_id("stException").count() == 0  # a business-hours clock failed so, once
