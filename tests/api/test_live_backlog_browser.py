"""Live: a ticket pushed by a webhook appears on the open Backlog page's next-to-breach queue within seconds,
without a reload (the write clears the pages' caches, the queue's fragment refreshes every 10 seconds)."""
from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from analytics.api.intake import sign_canonical
from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.factories import add_ticket

pytestmark = pytest.mark.browser
SECRET = "live-s3cret"


def push(url: str, opened: datetime) -> dict:
    body = json.dumps({"event_id": "live-1", "ticket": {
        "reference": "LIVE-1", "company": "Alpha", "channel": "phone", "severity": "1", "status": "open",
        "opened_at": opened.isoformat(), "team": "Network"}}).encode()
    stamp = int(time.time())
    request = urllib.request.Request(url + "/api/v1/events/canonical", data=body, method="POST", headers={
        "X-Vigie-Timestamp": str(stamp), "X-Vigie-Signature": sign_canonical(SECRET, stamp, body),
        "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def queue_line(page) -> str:
    text = " ".join(page.locator('[data-testid="stMain"]').inner_text().split())
    found = re.search(r"(\d+|No) open measurements? already past the deadline.*?then (\d+|no) measurements?", text)
    assert found, text[:600]
    return found.group(0)


def test_a_pushed_ticket_appears_in_the_open_backlog_queue_without_a_reload(tmp_path):
    path = tmp_path / "live.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    long_ago = datetime.now(UTC) - timedelta(days=40)
    add_ticket(db, "OLD-1", severity=3, opened=long_ago, response=long_ago + timedelta(minutes=30),
               resolved=long_ago + timedelta(hours=2), company="Alpha")
    db.close()
    with start_dashboard(path, env={"VIGIE_WEBHOOK_SECRET_CANONICAL": SECRET}, timeout=120) as url, \
            open_browser() as page:
        page.goto(url + "/backlog")
        wait_for_app(page)
        before = queue_line(page)
        assert re.search(r"then (0|no) measurements", before), before
        assert push(url, datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5))["status"] == "accepted"
        pushed = time.monotonic()
        deadline = pushed + 40
        while not re.search(r"then 2 measurements", queue_line(page)):
            assert time.monotonic() < deadline, queue_line(page)
            page.wait_for_timeout(500)
        # the fragment's next refresh (10 s) after the write cleared the cache; without the clearing the queue waits
        # for its cache of the minute to expire (up to 60 s, measured 36 s)
        assert time.monotonic() - pushed < 20
