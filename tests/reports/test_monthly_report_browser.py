"""The Monthly report in a real browser: pick October, read the page, download the PDF and the HTML file
(generated on click by the running server) and find the page's figures in them."""
from __future__ import annotations

import subprocess

import pytest

from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.reports.test_monthly_report import seed_two_months

pytestmark = pytest.mark.browser


def test_leader_downloads_the_months_pdf(tmp_path):
    path = tmp_path / "browser-report.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    seed_two_months(db)
    db.close()
    with start_dashboard(path) as url, open_browser() as page:
        page.goto(url + "/monthly-report")
        wait_for_app(page)
        page.get_by_test_id("stSelectbox").click()
        page.get_by_role("option", name="October 2026").click()
        wait_for_app(page)
        metric = page.locator('[data-testid="stMetric"]').filter(has_text="Response compliance")
        assert "66.7%" in metric.inner_text()
        with page.expect_download(timeout=120_000) as pdf:
            page.get_by_role("button", name="Download PDF").click()
        pdf_file = tmp_path / pdf.value.suggested_filename
        pdf.value.save_as(pdf_file)
        with page.expect_download(timeout=120_000) as html:
            page.get_by_role("button", name="Download HTML").click()
        html_text = html.value.path().read_text()
    assert pdf_file.name == "vigie-monthly-report-2026-10.pdf"
    text = " ".join(subprocess.run(["pdftotext", str(pdf_file), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "Monthly support report October 2026" in text
    assert "Severity 2 response compliance fell from 100.0% to 33.3% (2 breaches)." in text
    assert "Response compliance 66.7% 100.0% -33.3 pts" in text
    assert "SLA breaches rose from 0 to 5; Acme had the most (4)." in html_text
    assert html_text.count("data:image/png;base64,") == 9
