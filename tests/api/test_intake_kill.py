"""``kill -9`` of the server in the middle of a burst of pushed events: every event acknowledged (202) is in
the store after the restart, none is there twice, and no ticket is half-written (a ticket without its event
or an event without its ticket); the senders' retries after the restart are answered as duplicates for the
events already applied and land the others."""
from __future__ import annotations

import json
import signal
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime

from analytics.api.intake import sign_canonical
from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.browser_support import start_dashboard

SECRET = "kill-test-s3cret"
SENDERS, PER_SENDER, KILL_AFTER = 6, 40, 25


def event(n: int) -> bytes:
    return json.dumps({"event_id": f"burst-{n}", "ticket": {
        "reference": f"BURST-{n}", "company": "Alpha", "channel": "portal", "severity": "3", "status": "open",
        "opened_at": "2026-11-16T09:30:00+01:00"}}).encode()


def send(url: str, n: int) -> tuple[int, dict]:
    body = event(n)
    stamp = int(datetime.now(UTC).timestamp())
    request = urllib.request.Request(url + "/api/v1/events/canonical", data=body, method="POST", headers={
        "X-Vigie-Timestamp": str(stamp), "X-Vigie-Signature": sign_canonical(SECRET, stamp, body),
        "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")


def test_kill_9_mid_burst_loses_no_acknowledged_event_and_applies_none_twice(tmp_path):
    path = tmp_path / "burst.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    db.close()
    env = {"VIGIE_WEBHOOK_SECRET_CANONICAL": SECRET}
    acknowledged: list[int] = []
    lock, killed = threading.Lock(), threading.Event()
    server: list = []

    def sender(first: int, url: str) -> None:
        for n in range(first, first + PER_SENDER):
            if killed.is_set():
                return
            try:
                status, _ = send(url, n)
            except OSError:          # the connection died with the server: not acknowledged
                return
            if status == 202:
                with lock:
                    acknowledged.append(n)
                    if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                        killed.set()
                        server[0].send_signal(signal.SIGKILL)

    with start_dashboard(path, env=env, timeout=120, process=server) as url:
        threads = [threading.Thread(target=sender, args=(s * PER_SENDER, url)) for s in range(SENDERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert killed.is_set() and server[0].wait(30) == -signal.SIGKILL
    total = SENDERS * PER_SENDER
    assert KILL_AFTER <= len(acknowledged) < total

    db = open_store(path)
    stored = {row[0] for row in db.rows("SELECT event_id FROM api_events")}
    references = db.rows("SELECT reference FROM tickets")
    db.close()
    assert {f"burst-{n}" for n in acknowledged} <= stored             # every acknowledged event survived
    assert sorted(references) == sorted({(f"BURST-{e.removeprefix('burst-')}",) for e in stored})  # none half-written

    with start_dashboard(path, env=env, timeout=120) as url:                # the senders retry everything
        answers = {n: send(url, n) for n in range(total)}
    assert {n for n, (status, body) in answers.items() if status == 200 and body["status"] == "duplicate"} == {
        int(e.removeprefix("burst-")) for e in stored}
    assert {n for n, (status, _) in answers.items() if status == 202} == set(range(total)) - {
        int(e.removeprefix("burst-")) for e in stored}
    db = open_store(path)
    assert db.scalar("SELECT count(*) FROM tickets") == total == db.scalar("SELECT count(DISTINCT reference) FROM tickets")
    assert db.scalar("SELECT count(*) FROM api_events") == total
    db.close()
