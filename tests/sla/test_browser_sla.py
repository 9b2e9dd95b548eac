"""The SLA page in a real browser: it renders its figures and the drill-down reaches a ticket's clock."""
import pytest

from tests.browser_support import open_browser, start_dashboard, wait_for_app

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
