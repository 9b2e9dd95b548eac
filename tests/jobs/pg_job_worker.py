"""One replica for the two-replica schedule test: its own process, the real store and job.

    python -m tests.jobs.pg_job_worker URL NOW

Opens the PostgreSQL store, prints ``ready``, waits for ``go`` on stdin, runs one tick of the
monthly report job at ``NOW`` (ISO 8601), prints ``ran PERIOD OUTCOME`` or ``nothing``, then ``done``.
"""
from __future__ import annotations

import sys
from datetime import datetime

from analytics.domains import open_store
from analytics.jobs import monthly_report


def main(argv=None) -> int:
    url, now = (argv or sys.argv[1:])[:2]
    db = open_store(url)
    print("ready", flush=True)
    sys.stdin.readline()
    outcome = monthly_report.tick(db, now=datetime.fromisoformat(now))
    print(f"ran {outcome.period} {outcome.outcome}" if outcome else "nothing", flush=True)
    print("done", flush=True)
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
