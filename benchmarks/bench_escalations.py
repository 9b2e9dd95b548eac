"""Benchmark of the escalations queries and demo generator: prints cold and warm timings.

    python benchmarks/bench_escalations.py --tickets 1000000

Builds (once) a demo database of that size under data/bench/escalations-N.duckdb, then times
the demo generator on its own (in a transaction rolled back) and what the escalations page
loads: the open escalations, arrivals per month and level, time to acknowledge, the SLA-breach
share with the SLA engine cross-check, depth, time at level and repeat customers, for the last
12 months and for the whole 18.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.escalations import stats  # noqa: E402
from analytics.store.database import PROJECT_ROOT, Database  # noqa: E402
from analytics.intake.demo import build_demo  # noqa: E402
from analytics.escalations.demo import generate_demo  # noqa: E402
from analytics.sla.engine import Period  # noqa: E402

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
PERIODS = {"12 months": Period(date(2025, 11, 1), date(2026, 11, 2)),
           "18 months": Period(date(2025, 5, 1), date(2026, 11, 2))}


class Rollback(Exception):
    """Raised to undo the timed demo run."""


def database(tickets: int) -> Database:
    path = PROJECT_ROOT / "data" / "bench" / f"escalations-{tickets}.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    if not db.scalar("SELECT count(*) FROM tickets"):
        started = time.perf_counter()
        build_demo(db, tickets=tickets, now=NOW)
        print(f"built {path.name}: {tickets:,} tickets in {time.perf_counter() - started:.1f} s")
    return db


def timed(label: str, work, repeat: int = 3) -> None:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    print(f"{label:<42} cold {runs[0] * 1000:8.1f} ms   warm median {statistics.median(runs[1:]) * 1000:8.1f} ms")


def demo_alone(db: Database) -> None:
    companies = db.query("SELECT id, name, 1.0 / count(*) OVER () AS weight FROM companies ORDER BY id")
    try:
        with db.transaction() as cur:
            cur.execute("DELETE FROM escalation_events")
            cur.execute("DELETE FROM escalations")
            generate_demo(cur, np.random.default_rng(3), companies=companies, now=NOW)
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, action="append", help="tickets in the demo database")
    for tickets in parser.parse_args().tickets or [1_000_000]:
        db = database(tickets)
        print(f"{tickets:,} tickets, {db.scalar('SELECT count(*) FROM escalations'):,} escalations")
        timed("demo generator (escalations only)", lambda: demo_alone(db), repeat=2)
        timed("open escalations", lambda: stats.open_escalations(db, now=NOW))
        for name, period in PERIODS.items():
            timed(f"arrivals per month and level, {name}", lambda: stats.arrivals_by_month(db, period))
            timed(f"time to acknowledge, {name}", lambda: stats.acknowledgement_times(db, period, now=NOW))
            timed(f"SLA-breach share + engine, {name}", lambda: stats.sla_breach_share(db, period, as_of=NOW))
            timed(f"depth, {name}", lambda: stats.depth_distribution(db, period))
            timed(f"time at level, {name}", lambda: stats.time_at_level(db, period, now=NOW))
            timed(f"repeat customers, {name}", lambda: stats.repeat_customers(db, period))
        db.close()


if __name__ == "__main__":
    main()
