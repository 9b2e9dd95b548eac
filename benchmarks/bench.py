"""Benchmark of the SLA queries: prints cold and warm timings at a given number of tickets.

    python benchmarks/bench.py --tickets 1000000 [--tickets 10000000]

Builds (once) a demo database per size under data/bench/ and times what the SLA page
and the ``sla`` command run: the per-severity table for the last 3 months and for the
whole 18 months, the monthly trend, the breached-ticket list, and the CLI rows.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.sla import engine as sla  # noqa: E402
from analytics.store.database import PROJECT_ROOT, Database  # noqa: E402
from analytics.intake.demo import build_demo  # noqa: E402

BENCH_DIR = PROJECT_ROOT / "data" / "bench"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def bench_database(tickets: int) -> Path:
    """The benchmark database of that size, built on first use."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"vigie-{tickets}.duckdb"
    if not path.exists():
        db = Database(path)
        started = time.perf_counter()
        summary = build_demo(db, tickets=tickets, seed=1, now=NOW)
        print(f"built {path.name}: {summary.tickets:,} tickets, {summary.events:,} events "
              f"in {time.perf_counter() - started:.1f} s")
        db.close()
    return path


def timed(label: str, work, repeat: int = 5) -> None:
    started = time.perf_counter()
    work()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        warm.append(time.perf_counter() - started)
    print(f"sla  {label:<38} cold {cold * 1000:8.0f} ms   warm median {statistics.median(warm) * 1000:8.0f} ms")


def run(tickets: int) -> None:
    path = bench_database(tickets)
    db = Database(path)
    today = NOW.date()
    quarter = sla.Period(date(2026, 8, 1), today + timedelta(days=1))
    whole = sla.Period(date(2025, 5, 1), today + timedelta(days=1))
    month = sla.Period(date(2026, 10, 1), date(2026, 11, 1))
    print(f"-- {tickets:,} tickets ({db.scalar('SELECT count(*) FROM tickets'):,} in the file), as of {NOW:%Y-%m-%d}")
    timed("severity table, last 3 months", lambda: sla.severity_table(db, quarter, as_of=NOW))
    timed("severity table, 18 months", lambda: sla.severity_table(db, whole, as_of=NOW))
    timed("monthly trend, 18 months", lambda: sla.monthly_trend(db, whole, as_of=NOW))
    timed("breached tickets, last 3 months", lambda: sla.tickets_behind(db, quarter, as_of=NOW,
                                                                        states=("breached",)))
    timed("cli rows (one month)", lambda: sla.compliance_cli_rows(db, month, as_of=NOW))
    timed("one company, last 3 months", lambda: sla.severity_table(
        db, quarter, sla.TicketFilter(company_ids=(3,)), as_of=NOW))
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, action="append", help="size(s) to measure (default 1,000,000)")
    args = parser.parse_args()
    for size in args.tickets or [1_000_000]:
        run(size)


if __name__ == "__main__":
    main()
