"""The runs of scheduled jobs (``job_runs``, migration 075): one per (job, period), with its outcome.

:func:`record_run` is called inside the transaction that does the job's work: it writes the run
and its audit row (``job.run``) and returns False, writing nothing, when the period was already
run. Writers are serialised (in the process; on PostgreSQL every write transaction first takes
the store's cross-replica write lock), so the check and the insert cannot interleave with another
replica's: one run per period across replicas, and the ``UNIQUE (job, period)`` constraint
refuses a second should anything else write the table.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from analytics.audit import service as audit
from analytics.store.database import Database


def already_run(db: Database, *, job: str, period: str) -> bool:
    return bool(db.scalar("SELECT count(*) FROM job_runs WHERE job = ? AND period = ?", [job, period]))


def record_run(cur, *, actor, job: str, period: str, due_at: datetime, started_at: datetime, outcome: str,
               detail: str, worker: str) -> bool:
    """Write the run and audit it; False (nothing written) when this period already has one."""
    if cur.execute("SELECT count(*) FROM job_runs WHERE job = ? AND period = ?", [job, period]).fetchone()[0]:
        return False
    cur.execute("INSERT INTO job_runs (job, period, due_at, started_at, outcome, detail, worker) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", [job, period, due_at, started_at, outcome, detail, worker])
    audit.record(cur, actor=actor, action="job.run", entity="job", entity_id=f"{job}:{period}",
                 after={"outcome": outcome, "detail": detail, "due_at": due_at, "worker": worker})
    return True


def load_runs(db: Database, *, job: str | None = None) -> list[dict]:
    """Every run (of ``job``), oldest first."""
    sql = "SELECT job, period, due_at, started_at, outcome, detail, worker FROM job_runs"
    rows = db.rows(sql + (" WHERE job = ?" if job else "") + " ORDER BY id", [job] if job else [])
    keys = ("job", "period", "due_at", "started_at", "outcome", "detail", "worker")
    return [dict(zip(keys, r)) for r in rows]


def recent_runs(db: Database, *, limit: int = 100) -> pd.DataFrame:
    """The latest runs of every job, newest first (the Settings page's table)."""
    return db.query("SELECT job, period, due_at, started_at, outcome, detail, worker FROM job_runs "
                    "ORDER BY started_at DESC, id DESC LIMIT ?", [int(limit)])
