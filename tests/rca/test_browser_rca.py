"""The post-incident review in a real browser: fill the form (text, selects, the action-plan grid), send it for
review, publish it, download the customer PDF and read it back."""
from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.rca.factories import INTERNAL_NOTE, STAFF, resolved_incident

pytestmark = pytest.mark.browser
OWNER = "Bastien Morel"


@pytest.fixture
def review_db(tmp_path):
    path = tmp_path / "browser_rca.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    resolved_incident(db, started=datetime.now(UTC) - timedelta(days=3))
    reference = db.scalar("SELECT reference FROM incidents")
    db.close()
    return path, reference


def type_into_cell(page, grid, column: int, row: int, text: str) -> None:
    """Select a cell through the grid's accessible cell (#glide-cell-COLUMN-ROW), type, commit with Tab, and
    check the grid shows the value (the grid takes a moment per edit; a lost keystroke is typed again)."""
    cell = grid.locator(f"#glide-cell-{column}-{row}")
    for _ in range(3):
        cell.focus()
        page.wait_for_timeout(300)
        page.keyboard.type(text)
        page.wait_for_timeout(300)
        page.keyboard.press("Tab")
        page.wait_for_timeout(500)
        if cell.text_content() == text:
            return
    raise AssertionError(f"cell {column},{row} shows {cell.text_content()!r}, not {text!r}")


def fill_action_row(page, description: str, owner: str, due: date) -> None:
    """Add a row to the action-plan grid (a click on its empty trailing row) and fill it as a user does.
    Columns of the grid: 1 #, 2 action, 3 owner, 4 due, 5 status."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(1)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 200, box["y"] + 35 + 17)
    page.locator("#portal textarea").wait_for()
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    type_into_cell(page, grid, 2, 0, description)
    type_into_cell(page, grid, 3, 0, owner)
    due_cell = grid.locator("#glide-cell-4-0")
    due_cell.focus()
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.locator('#portal input[type="date"]').fill(due.isoformat())
    page.keyboard.press("Enter")
    expect(due_cell).to_have_text(due.isoformat())
    page.wait_for_timeout(500)


def test_review_to_published_customer_pdf(review_db, tmp_path):
    path, reference = review_db
    with start_dashboard(path) as url, open_browser() as page:
        page.goto(url + "/post-incident-review")
        wait_for_app(page)
        assert page.get_by_role("heading", name="Post-incident review").is_visible()
        # prefilled from the incident (the multi-line text area gets its value a moment after the first paint)
        expect(page.get_by_role("textbox", name="Participants")).to_have_value(re.compile("^Claire Fontaine\n"), timeout=30_000)
        texts = {"Overview": "Outgoing messages were delayed by up to ninety minutes.",
                 "Measures taken": "Queue workers were added and the backlog drained.",
                 "What went well": "Notified within fifteen minutes.",
                 "What went badly": "The on-call list was out of date.",
                 "Causes of the failures": "No alert on queue depth.",
                 "Internal notes": INTERNAL_NOTE, "Cause 1": "The message queue ran out of workers."}
        for label, text in texts.items():
            page.get_by_role("textbox", name=label).fill(text)
        page.get_by_label("Category of cause 1").click()
        page.get_by_role("option", name="capacity").click()
        fill_action_row(page, "Alert on queue depth", OWNER, date.today() + timedelta(days=30))
        page.get_by_role("button", name="Save and send for review").click()
        wait_for_app(page)
        expect(page.get_by_text("Revision 1 sent for review.")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Publish this revision").click()
        wait_for_app(page)
        expect(page.get_by_text("Revision 1 published: it is frozen from now on.")).to_be_visible(timeout=30_000)
        with page.expect_download(timeout=90_000) as download:
            page.get_by_role("button", name="Customer PDF").click()
        assert download.value.suggested_filename == f"RCA-{reference}-r1-customer.pdf"
        pdf = tmp_path / "customer.pdf"
        download.value.save_as(pdf)
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert f"Root cause analysis: {reference}" in text
    for expected in ("Outgoing messages were delayed by up to ninety minutes.", "capacity, Messaging",
                     "The message queue ran out of workers.", "Alert on queue depth", "Service restored"):
        assert expected in text, expected
    for internal in (*STAFF, OWNER, INTERNAL_NOTE, "Notified within fifteen minutes.", "local"):
        assert internal not in text, internal
