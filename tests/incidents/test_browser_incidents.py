"""In a real browser: declare an incident through the form (sending it twice creates one incident), find
it on the incidents page with its notification countdown ticking, record the notification, then resolve it."""
import re
import shutil

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from analytics.domains import open_store
from tests.browser_support import open_browser, start_dashboard, wait_for_app

pytestmark = pytest.mark.browser


def choose(page, label: str, option: str, attempts: int = 3) -> None:
    """Pick an option of a select box (a rerun may close the list as it opens: try again)."""
    for attempt in range(attempts):
        wait_for_app(page)
        page.locator('[data-testid="stSelectbox"]').filter(has_text=label).click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def test_declare_then_follow_the_notification_clock(demo_db_path, tmp_path):
    db_path = tmp_path / "browser-incidents.duckdb"
    shutil.copy(demo_db_path, db_path)  # this test writes: keep the shared demo database untouched
    with start_dashboard(db_path) as url, open_browser() as page:
        page.goto(url + "/declare-an-incident")
        wait_for_app(page)
        page.get_by_label("Title").fill("Customer portal: pages time out")
        page.get_by_text("Severity 2", exact=True).click()
        page.locator('[data-testid="stMultiSelect"]').filter(has_text="Impacted platforms").click()
        page.get_by_role("option", name="Customer portal").click()
        page.keyboard.press("Escape")
        page.get_by_text("All customers", exact=True).click()
        page.get_by_label("Description").fill("Portal pages time out after 30 seconds for every customer.")
        page.get_by_label("Notification lead").fill("Julie Masson")
        page.get_by_label("Investigation lead").fill("Pierre Gauthier")
        page.get_by_role("button", name="Declare the incident").click()
        wait_for_app(page)
        success = page.locator('[data-testid="stAlertContentSuccess"]').inner_text()
        reference = re.search(r"INC-\d{4}-\d{4}", success).group(0)
        assert "declared" in success
        page.get_by_role("button", name="Declare the incident").click()  # the form sent again
        page.get_by_text(f"This form was already submitted as {reference}").wait_for()
        page.get_by_role("button", name="Declare another incident").click()
        wait_for_app(page)
        assert page.get_by_label("Title").input_value() == ""  # a new form instance starts empty

        page.goto(url + "/incidents")
        wait_for_app(page)
        card = page.locator(f".st-key-incidents_open_{reference}")
        card.wait_for()
        assert "Customer portal: pages time out" in card.inner_text()
        countdown = card.get_by_text(re.compile(r"First notification due in \d\d:\d\d"))
        first = countdown.inner_text()
        page.wait_for_timeout(2500)
        second = countdown.inner_text()
        assert first != second  # the clock ticks without a reload
        minutes = int(re.search(r"due in (\d\d):", second).group(1))
        assert 27 <= minutes <= 29  # 30-minute deadline from the impact defined at the declaration minute

        # The newest incident opens in the detail tab: record the notification, then resolve.
        assert page.get_by_role("heading", name=re.compile(reference)).is_visible()
        page.get_by_label("Text sent").fill("We are investigating time-outs on the customer portal.")
        page.get_by_role("button", name="Record", exact=True).click()
        page.get_by_text(f"Notification recorded for {reference}.").wait_for()
        wait_for_app(page)
        card.get_by_text(re.compile(r"Next status update due in (59|1:00):")).wait_for()
        choose(page, "New status", "resolved")
        page.get_by_role("button", name="Change status").click()
        page.get_by_text(f"{reference} is now resolved.").wait_for()
        wait_for_app(page)
        assert page.locator(f".st-key-incidents_open_{reference}").count() == 0
    database = open_store(db_path, read_only=True)
    try:
        assert database.scalar("SELECT count(*) FROM incidents WHERE title = 'Customer portal: pages time out'") == 1
        assert database.scalar("SELECT list(t.to_status ORDER BY t.id) FROM incident_transitions t "
                               "JOIN incidents i ON i.id = t.incident_id WHERE i.reference = ?",
                               [reference]) == ["declared", "resolved"]
        assert database.scalar("SELECT count(*) FROM incident_notifications n JOIN incidents i "
                               "ON i.id = n.incident_id WHERE i.reference = ?", [reference]) == 1
    finally:
        database.close()
