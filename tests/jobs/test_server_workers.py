"""The server's workers: the outbox delivered by itself every ``notices.delivery_interval_seconds``,
errors logged without killing the thread, threads joined on stop; and a real ``streamlit run
server.py`` delivering a message queued before it started to an SMTP server on loopback."""
from __future__ import annotations

import logging
import time
from uuid import uuid4

from analytics.domains import open_store
from analytics.jobs.workers import Worker, server_workers, start_all, stop_all
from analytics.kernel.roles import Actor
from analytics.notices import service as notices
from analytics.settings.service import change_setting
from tests.browser_support import start_dashboard

ADMIN = Actor(name="Ada", email="ada@support.example", roles=frozenset({"admin"}))


def smtp_env(monkeypatch, server) -> dict:
    env = {"VIGIE_SMTP_HOST": "127.0.0.1", "VIGIE_SMTP_PORT": str(server.port), "VIGIE_SMTP_SECURITY": "none",
           "VIGIE_SMTP_SENDER": "vigie@support.example", "VIGIE_SMTP_ALLOW_EXAMPLE_DOMAINS": "true"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def wait_for(condition, timeout: float) -> float:
    """Seconds until ``condition()`` held; AssertionError after ``timeout``."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "condition not met in time"
        time.sleep(0.05)
    return time.monotonic() - start


def test_the_outbox_worker_delivers_every_interval_set(db, smtp_server, monkeypatch, caplog):
    smtp_env(monkeypatch, smtp_server)
    change_setting(db, actor=ADMIN, name="notices.delivery_interval_seconds", value=5)
    notices.queue_test_message(db, actor=ADMIN, to="first@support.example", token=uuid4().hex)
    workers = server_workers(lambda: db)
    with caplog.at_level(logging.INFO, logger="vigie"):
        start_all(workers)
        try:
            wait_for(lambda: len(smtp_server.received) == 1, 10)  # the first run is at start
            wait_for(lambda: workers[0].runs == 1, 10)  # and over: the second message is for the next run
            queued = time.monotonic()
            notices.queue_test_message(db, actor=ADMIN, to="second@support.example", token=uuid4().hex)
            wait_for(lambda: len(smtp_server.received) == 2, 10)
            waited = time.monotonic() - queued
        finally:
            stop_all(workers)
    assert [r.rcpt_tos for r in smtp_server.received] == [["first@support.example"], ["second@support.example"]]
    assert 3.5 < waited < 9  # the next run, 5 s after the first (not at once, nor after the default 60 s)
    assert [w.thread.is_alive() for w in workers] == [False, False]
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("vigie")]
    assert lines[0] == "vigie workers started: outbox, schedules"
    assert lines[-1] == "vigie workers stopped: outbox, schedules"
    assert db.rows("SELECT status, count(*) FROM outbox GROUP BY status") == [("accepted", 2)]


def test_a_failing_run_is_logged_and_the_worker_goes_on(caplog):
    calls = []

    def task():
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("the store is busy")

    worker = Worker("flaky", task, lambda: 0.05)
    with caplog.at_level(logging.INFO, logger="vigie"):
        worker.start()
        wait_for(lambda: len(calls) >= 3, 5)
        assert worker.stop(timeout=5) is True
    assert not worker.thread.is_alive()
    failures = [r for r in caplog.records if r.getMessage() == "worker flaky: run failed"]
    assert len(failures) == 1 and "the store is busy" in failures[0].exc_text


def test_a_stop_is_seen_at_once_not_after_the_interval():
    worker = Worker("slow", lambda: None, lambda: 3600)
    worker.start()
    time.sleep(0.2)
    started = time.monotonic()
    assert worker.stop(timeout=5) is True
    assert time.monotonic() - started < 1


def test_streamlit_run_server_delivers_a_message_queued_before_it_started(tmp_path, smtp_server, monkeypatch):
    env = smtp_env(monkeypatch, smtp_server)
    path = tmp_path / "vigie.duckdb"
    db = open_store(path)  # the embedded file: one process at a time, so queue, close, then start
    message_id = notices.queue_test_message(db, actor=ADMIN, to="ops@support.example", token=uuid4().hex)
    db.close()
    output = []
    with start_dashboard(path, env=env, output=output):
        wait_for(lambda: len(smtp_server.received) == 1, 60)
    received = smtp_server.received[0]
    assert received.rcpt_tos == ["ops@support.example"]
    assert received.message["Subject"] == "Vigie: test message"
    lines = [line.split(" vigie.workers: ", 1)[1] for line in output[0].splitlines() if " vigie.workers: " in line]
    assert lines == ["vigie workers started: outbox, schedules",
                     f"outbox via 127.0.0.1:{smtp_server.port} (none) as vigie@support.example: "
                     "1 accepted, 0 to retry, 0 failed, 0 left for the next run",
                     "vigie workers stopped: outbox, schedules"]
    db = open_store(path)  # the server has stopped: the file is free again
    try:
        assert db.rows("SELECT id, status, attempts FROM outbox") == [(message_id, "accepted", 1)]
    finally:
        db.close()
