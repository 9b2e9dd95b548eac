"""The SLA page on PostgreSQL against the embedded default: prints both, query by query.

    python benchmarks/bench_postgres.py --tickets 1000000 [--url postgresql://user@host:port/db]

Builds (once, as benchmarks/bench.py does) the demo database of that size under data/bench/,
copies it into PostgreSQL with ``analytics.store.pg_copy`` (into ``--url``, which must be an empty
database, or else into a throwaway local server started for the run from Debian's postgresql
package, see tests/pg_support.py), then times on both stores what the SLA page computes on a
cold page cache for the last three months: the severity table, the monthly trend, the
breached and at-risk ticket lists and the company breakdown, one by one and as a whole page.
On PostgreSQL the replica first copies the big tables it reads (analytics/store/pg_snapshots.py):
that first read is timed on its own line.
Each figure is the first run and the median of 3 more. ``--url`` may name a database that already
holds the copy (from an earlier run): it is not copied again.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import NOW, bench_database  # noqa: E402

from analytics.sla import engine as sla  # noqa: E402
from analytics.store.database import Database  # noqa: E402
from analytics.store.pg_copy import copy_database  # noqa: E402
from analytics.store.pg_snapshots import SNAPSHOT_TABLES  # noqa: E402

PERIOD = sla.Period(date(2026, 8, 1), NOW.date() + timedelta(days=1))
PAGE = {  # what pages/sla.py computes on a cold cache (default filters, last three months)
    "severity table": lambda db: sla.severity_table(db, PERIOD, as_of=NOW),
    "monthly trend": lambda db: sla.monthly_trend(db, PERIOD, as_of=NOW),
    "breached tickets": lambda db: sla.tickets_behind(db, PERIOD, as_of=NOW, states=("breached",)),
    "at-risk tickets": lambda db: sla.tickets_behind(db, PERIOD, as_of=NOW, states=("at_risk",)),
    "by company": lambda db: sla.compliance(db, PERIOD, as_of=NOW, by="company", per_severity=False),
}


def timings(work, repeat: int = 3) -> tuple[float, float]:
    """Cold and median warm seconds."""
    started = time.perf_counter()
    work()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm)


def whole_page(db) -> None:
    for query in PAGE.values():
        query(db)


def postgres_url(args, cleanup: list) -> str:
    if args.url:
        return args.url
    from tests.pg_support import Cluster

    server = Cluster(settings={"shared_buffers": "512MB", "work_mem": "64MB"})
    cleanup.append(server.stop)
    print(f"started a throwaway PostgreSQL on 127.0.0.1:{server.port}")
    return server.create_database("vigie_bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--url", help="a PostgreSQL database, empty or holding an earlier copy "
                                      "(default: a throwaway local server)")
    args = parser.parse_args()
    path = bench_database(args.tickets)
    cleanup: list = []
    try:
        url = postgres_url(args, cleanup)
        shared = Database(url, read_only=True)
        if shared.schema_version() and shared.scalar("SELECT count(*) FROM tickets"):
            print(f"{shared.path} already holds the tickets: not copied again")
        else:
            shared.close()
            started = time.perf_counter()
            report = copy_database(path, url, progress=None)
            print(f"{report.summary()} in {time.perf_counter() - started:.0f} s")
            shared = Database(url, read_only=True)
        embedded = Database(path, read_only=True)
        started = time.perf_counter()
        tickets = shared.scalar("SELECT count(*) FROM tickets")  # the replica copies tickets and intervals
        print(f"first read on the replica (local copies of {', '.join(SNAPSHOT_TABLES)}): "
              f"{(time.perf_counter() - started) * 1000:.0f} ms")
        print(f"-- {tickets:,} tickets, SLA page for {PERIOD.start} .. {PERIOD.end}, as of {NOW:%Y-%m-%d}")
        print(f"{'':<20} {'embedded DuckDB':>26} {'PostgreSQL (via DuckDB)':>30}")
        print(f"{'':<20} {'cold':>12} {'warm':>12} {'cold':>14} {'warm':>14}", flush=True)
        for label, work in [*PAGE.items(), ("whole SLA page", whole_page)]:
            (dk_cold, dk_warm), (pg_cold, pg_warm) = timings(lambda: work(embedded)), timings(lambda: work(shared))
            print(f"{label:<20} {dk_cold * 1000:>9.0f} ms {dk_warm * 1000:>9.0f} ms "
                  f"{pg_cold * 1000:>11.0f} ms {pg_warm * 1000:>11.0f} ms", flush=True)
        embedded.close(), shared.close()
    finally:
        for stop in cleanup:
            stop()


if __name__ == "__main__":
    main()
