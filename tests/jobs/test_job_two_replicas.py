"""Two replicas ticking the monthly report job at the same moment on PostgreSQL: one run, one message.

Each replica is its own process (tests/jobs/pg_job_worker.py) with its own store connection; both
find the period not run, both render the report, and the store's cross-replica write lock lets
exactly one record the run and queue the message: the other finds the run in its transaction.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from analytics.domains import open_store
from analytics.kernel.roles import Actor
from analytics.settings.service import change_setting
from tests.store.pg_support import fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor(name="Ada", email="ada@support.example", roles=frozenset({"admin"}))


def test_two_replicas_run_the_period_once():
    url = fresh_database_url()
    db = open_store(url)
    change_setting(db, actor=ADMIN, name="reports.monthly_recipients", value=["lea@leadership.example"])
    change_setting(db, actor=ADMIN, name="reports.monthly_day", value=3)
    change_setting(db, actor=ADMIN, name="reports.monthly_hour", value=9)
    replicas = [subprocess.Popen([sys.executable, "-m", "tests.jobs.pg_job_worker", url, "2026-11-03T08:00:00+00:00"],
                                 cwd=ROOT, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE) for _ in range(2)]
    for proc in replicas:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
    for proc in replicas:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=300) for proc in replicas]
    assert [proc.returncode for proc in replicas] == [0, 0], [err[-2000:] for _, err in outputs]
    said = sorted(out.splitlines()[0] for out, _ in outputs)
    assert said == ["nothing", "ran 2026-10 done"]
    assert db.rows("SELECT job, period, outcome FROM job_runs") == [("monthly_report", "2026-10", "done")]
    assert db.rows("SELECT entity_id, recipients, status FROM outbox") == [
        ("monthly_report:2026-10", ["lea@leadership.example"], "queued")]
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'job.run'") == 1
    assert db.scalar("SELECT count(*) FROM outbox_files") == 1
    db.close()
