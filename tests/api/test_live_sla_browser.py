"""Live: a ticket pushed by a webhook appears on the open SLA page's "Open at risk" tab within seconds, without a
reload (the write clears the pages' caches; the tab's fragment reads the open measures again every 10 seconds)."""
from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.api.test_live_backlog_browser import SECRET, push
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.factories import add_ticket

pytestmark = pytest.mark.browser


def open_line(page) -> str:
    text = " ".join(page.locator('[data-testid="stMain"]').inner_text().split())
    found = re.search(r"(\d+) open measurements? now, (\d+) of them at risk", text)
    assert found, text[:600]
    return found.group(0)


def test_a_pushed_ticket_appears_among_the_open_measures_of_the_sla_page_without_a_reload(tmp_path):
    path = tmp_path / "live.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    add_ticket(db, "OLD-1", severity=3, opened=ten_days_ago, response=ten_days_ago + timedelta(minutes=30),
               resolved=ten_days_ago + timedelta(hours=2), company="Alpha")
    db.close()
    with start_dashboard(path, env={"VIGIE_WEBHOOK_SECRET_CANONICAL": SECRET}, timeout=120) as url, \
            open_browser() as page:
        page.goto(url + "/")
        wait_for_app(page)
        page.get_by_role("tab", name="Open at risk").click()
        assert open_line(page).startswith("0 open measurements now"), open_line(page)
        assert push(url, datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5))["status"] == "accepted"
        pushed = time.monotonic()
        while not open_line(page).startswith("2 open measurements now"):   # its response and its resolution
            assert time.monotonic() < pushed + 40, open_line(page)
            page.wait_for_timeout(500)
        assert time.monotonic() - pushed < 20   # the fragment's next read after the write cleared the cache
