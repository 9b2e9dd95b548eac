"""Benchmark of the escalations queries and demo generator: prints cold and warm timings.

    python benchmarks/bench_escalations.py --tickets 1000000

Builds (once) a demo database of that size under data/bench/escalations-N.duckdb, then times
the demo generator on its own (in a transaction rolled back) and what the escalations page
loads: the open escalations, arrivals per month and level, time to acknowledge, the SLA-breach
share with the SLA engine cross-check, depth, time at level and repeat customers, for the last
12 months and for the whole 18.
"""
from __future__ import annotations

from datetime import date

from support import NOW, Table, bench_database, demo_alone, parser, sizes  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.escalations import stats
from analytics.escalations.demo import generate_demo
from analytics.kernel.periods import Period

PERIODS = {"12 months": Period(date(2025, 11, 1), date(2026, 11, 2)),
           "18 months": Period(date(2025, 5, 1), date(2026, 11, 2))}
TABLE = Table(width=42, digits=1, repeat=2)


def main() -> None:
    for tickets in sizes(parser(__doc__, tickets="several").parse_args()):
        db = open_store(bench_database(f"escalations-{tickets}", tickets=tickets))
        print(f"{tickets:,} tickets, {db.scalar('SELECT count(*) FROM escalations'):,} escalations")
        TABLE.timed("demo generator (escalations only)",
                    lambda: demo_alone(db, generate_demo, ("escalation_events", "escalations"), seed=3), repeat=1)
        TABLE.timed("open escalations", lambda: stats.open_escalations(db, now=NOW))
        for name, period in PERIODS.items():
            TABLE.timed(f"arrivals per month and level, {name}", lambda: stats.arrivals_by_month(db, period))
            TABLE.timed(f"time to acknowledge, {name}", lambda: stats.acknowledgement_times(db, period, now=NOW))
            TABLE.timed(f"SLA-breach share + engine, {name}", lambda: stats.sla_breach_share(db, period, as_of=NOW))
            TABLE.timed(f"depth, {name}", lambda: stats.depth_distribution(db, period))
            TABLE.timed(f"time at level, {name}", lambda: stats.time_at_level(db, period, now=NOW))
            TABLE.timed(f"repeat customers, {name}", lambda: stats.repeat_customers(db, period))
        db.close()


if __name__ == "__main__":
    main()
