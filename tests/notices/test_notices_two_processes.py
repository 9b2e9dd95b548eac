"""Two processes delivering one outbox on PostgreSQL: each message reaches the SMTP server exactly once.

Each process is a real replica (its own store connection, tests/notices/pg_delivery_worker.py);
the SMTP server (aiosmtpd on loopback) takes 50 ms per message so that the two runs interleave.
"""
from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from analytics.domains import open_store
from analytics.kernel.times import utc_now
from tests.factories import add_company
from tests.incidents.factories import SUPERVISOR
from tests.incidents.factories import declared as declare_incident
from tests.notices.factories import add_contact, queue_first_notice
from tests.store.pg_support import fresh_database_url

ROOT = Path(__file__).resolve().parents[2]
COMPANIES = 16


def start_worker(url: str, port: int, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.notices.pg_delivery_worker", url, str(port), name],
                            cwd=ROOT, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def slow(handler):
    original = handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        await asyncio.sleep(0.05)
        return await original(server, session, envelope)

    handler.handle_DATA = handle_DATA


def test_two_processes_deliver_each_message_once(smtp_server):
    url = fresh_database_url()
    db = open_store(url)
    ids = []
    for n in range(COMPANIES):
        ids.append(add_company(db, f"Customer {n:02d}"))
        add_contact(db, f"Customer {n:02d}", f"admin@customer-{n:02d}.example")
    incident = declare_incident(db, defined=utc_now() - timedelta(minutes=10), company_ids=tuple(ids),
                                actor=SUPERVISOR)
    _, queued = queue_first_notice(db, incident.incident_id, now=utc_now() - timedelta(minutes=5))
    assert len(queued.message_ids) == COMPANIES
    slow(smtp_server.handler)
    workers = [start_worker(url, smtp_server.port, name) for name in ("replica-a", "replica-b")]
    for proc in workers:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
    for proc in workers:  # both start at the same moment
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = [proc.communicate(timeout=180)[0].split() for proc in workers]
    assert [proc.returncode for proc in workers] == [0, 0]
    delivered = [[int(w) for w in out if w.isdigit()] for out in outputs]
    assert sorted(delivered[0] + delivered[1]) == sorted(queued.message_ids)  # each once, by one of them
    assert delivered[0] and delivered[1]  # and both took part
    received = Counter(address for r in smtp_server.received for address in r.rcpt_tos)
    assert received == Counter({f"admin@customer-{n:02d}.example": 1 for n in range(COMPANIES)})
    assert db.rows("SELECT status, attempts, count(*) FROM outbox GROUP BY ALL") == [("accepted", 1, COMPANIES)]
    assert db.scalar("SELECT count(*) FROM outbox_attempts") == COMPANIES
    claimed = dict(db.rows("SELECT claimed_by, count(*) FROM outbox GROUP BY ALL"))
    assert claimed == {"replica-a": len(delivered[0]), "replica-b": len(delivered[1])}
    first = db.scalar("SELECT min(accepted_at) FROM outbox")
    assert db.rows("SELECT kind, sent_at FROM incident_notifications") == [("notification", first)]
    db.close()
