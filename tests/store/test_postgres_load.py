"""Several replicas on one PostgreSQL: concurrent declarations, and a replica killed mid-write.

Each replica is its own process running the real data layer (tests/store/pg_replica.py calls
analytics.incidents.service.declare, as the declare page does): they stand for dashboard processes
behind a load balancer. tests/store/test_postgres_replicas.py runs two real ``streamlit run``
dashboards on one server.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from analytics.domains import open_store
from tests.factories import add_company
from tests.store.pg_support import cluster, fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 4
DECLARATIONS_PER_REPLICA = 25
# the instant the replicas declare at (their own processes, so passed to them rather than frozen): the
# references' year is known whatever the day the suite runs
DECLARED_AT = "2026-11-16T09:00:00+00:00"


def start_replica(url: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.store.pg_replica", url, *args], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_until(proc: subprocess.Popen, marker: str, lines: list[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"replica exited before {marker!r}: {proc.stderr.read()[-2000:]}")
        lines.append(line.strip())
        if line.startswith(marker):
            return
    raise AssertionError(f"no {marker!r} within {timeout} s")


def wait_until_blocked_on_the_write_lock(url: str, timeout: float = 60) -> None:
    """Bounded polling of PostgreSQL's own view of the locks: return once a session waits for the
    write lock (instead of sleeping and hoping the other replica got there)."""
    dbname = url.rsplit("/", 1)[1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = cluster().psql("SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                 "WHERE c.relname = 'vigie_write_lock' AND NOT l.granted", dbname=dbname)
        if int(waiting) >= 1:
            return
        time.sleep(0.05)  # a polling interval, not an ordering assumption
    raise AssertionError(f"no session waited for the write lock within {timeout} s")


def seeded_store() -> str:
    url = fresh_database_url()
    db = open_store(url)
    add_company(db, "Alpha"), add_company(db, "Beta")
    db.close()
    return url


def test_four_replicas_declaring_at_once_lose_nothing():
    url = seeded_store()
    replicas = [start_replica(url, "--tag", f"r{i}", "--threads", str(DECLARATIONS_PER_REPLICA), "--now", DECLARED_AT)
                for i in range(REPLICAS)]
    outputs = [[] for _ in replicas]
    for proc, lines in zip(replicas, outputs):
        read_until(proc, "ready", lines)
    for proc in replicas:  # all four start declaring at the same moment
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc, lines in zip(replicas, outputs):
        rest, errors = proc.communicate(timeout=600)
        lines += rest.splitlines()
        assert proc.returncode == 0, (lines[-5:], errors[-2000:])
    said = [line.split()[1] for lines in outputs for line in lines if line.startswith("committed")]
    total = REPLICAS * DECLARATIONS_PER_REPLICA
    year = 2026  # DECLARED_AT's year in Paris
    db = open_store(url)
    stored = [r[0] for r in db.rows("SELECT reference FROM incidents ORDER BY ref_number")]
    assert len(said) == total and sorted(said) == sorted(stored)
    assert stored == [f"INC-{year}-{n:04d}" for n in range(1, total + 1)]  # from the database, no gap, no twin
    audit = db.rows("SELECT entity_id FROM audit_log WHERE action = 'incident.declare'")
    assert sorted(r[0] for r in audit) == sorted(stored)
    assert db.scalar("SELECT count(DISTINCT incident_id) FROM incident_transitions") == total
    assert db.scalar("SELECT count(DISTINCT id) FROM incidents") == total
    db.close()


def test_a_replica_killed_mid_write_loses_no_committed_incident():
    url = seeded_store()
    victim = start_replica(url, "--tag", "victim", "--serial", "5", "--hang")
    lines: list[str] = []
    read_until(victim, "hanging", lines)  # 5 declared, a 6th half-written under the write lock
    waiting = start_replica(url, "--tag", "other", "--serial", "3")
    wait_until_blocked_on_the_write_lock(url)  # the other replica is queued behind the victim's lock
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    started = time.monotonic()
    rest, errors = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, errors[-2000:]
    assert time.monotonic() - started < 30  # the killed replica's lock died with its connection
    committed = [line.split()[1] for line in lines + rest.splitlines() if line.startswith("committed")]
    assert len(committed) == 8
    db = open_store(url)
    assert sorted(r[0] for r in db.rows("SELECT reference FROM incidents")) == sorted(committed)
    assert db.scalar("SELECT count(*) FROM incidents WHERE title LIKE '%never committed%'") == 0
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'incident.declare'") == 8
    db.close()
