"""Benchmark of the Backlog page's figures on the SLA ledger: age bands, weekly backlog, oldest, next to breach.

    python benchmarks/bench_backlog.py [--db data/bench/vigie-10000000.duckdb] [--repeat 5]

Opens an existing benchmark database read-only (build one with ``benchmarks/bench.py --tickets N``)
and prints each figure of the Backlog page as of the demo's end (``NOW``), cold (the first call
after the store is opened) and warm (median of the next calls), then the page's first screen
(every loader it runs), both ways; beside them, the SLA page's "open at risk" (the README's figure
for it at rest is the yardstick of how loaded the shared machine is).
"""
from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

from support import BENCH_DIR, NOW, Table  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.sla import backlog
from analytics.sla import stats as sla
from analytics.sla.filters import TicketFilter
from analytics.sla.next_to_breach import next_to_breach

TABLE = Table(prefix="backlog  ", width=46)


def figures(quarter: Period, whole: Period) -> dict:
    """Each figure: label -> work(db)."""
    return {
        "age bands per severity, wall clock": lambda db: backlog.aging(db, as_of=NOW, by="severity", clock="wall"),
        "age bands per severity, business calendar": lambda db: backlog.aging(db, as_of=NOW, by="severity",
                                                                              clock="business"),
        "age bands per team, business calendar": lambda db: backlog.aging(db, as_of=NOW, by="team", clock="business"),
        "age bands per company, wall clock": lambda db: backlog.aging(db, as_of=NOW, by="company", clock="wall"),
        "backlog per week, last 3 months": lambda db: backlog.weekly(db, quarter, as_of=NOW),
        "backlog per week, 18 months": lambda db: backlog.weekly(db, whole, as_of=NOW),
        "oldest 50 open tickets with their clock": lambda db: backlog.oldest(db, as_of=NOW, limit=50),
        "next to breach (4 working hours)": lambda db: next_to_breach(db, as_of=NOW),
        "next to breach, one team": lambda db: next_to_breach(db, TicketFilter(teams=("Network",)), as_of=NOW),
        # a yardstick for the machine's load: the SLA page's figure of the same kind (open measures, live)
        "reference: SLA page's open at risk": lambda db: sla.tickets_behind(db, quarter, as_of=NOW,
                                                                            states=("at_risk", "pending")),
    }


def first_screen(db, quarter: Period) -> None:
    """What the Backlog page loads on its first screen (default filters: the last 3 months)."""
    next_to_breach(db, as_of=NOW)
    backlog.aging(db, as_of=NOW, by="severity", clock="wall")
    backlog.weekly(db, quarter, as_of=NOW)
    backlog.oldest(db, as_of=NOW, limit=50)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--db", type=Path, default=BENCH_DIR / "vigie-10000000.duckdb")
    args.add_argument("--repeat", type=int, default=5)
    options = args.parse_args()
    if not options.db.is_file():
        raise SystemExit(f"{options.db} does not exist: build it with benchmarks/bench.py --tickets N")
    today = NOW.date()
    quarter = Period(date(2026, 8, 1), today + timedelta(days=1))
    whole = Period(date(2025, 5, 1), today + timedelta(days=1))
    db = open_store(options.db, read_only=True)
    try:
        print(f"{options.db.name}: {db.scalar('SELECT count(*) FROM tickets'):,} tickets, as of {NOW:%Y-%m-%d %H:%M} UTC")
        TABLE.timed("whole Backlog page, first screen", lambda: first_screen(db, quarter), repeat=0)
        for label, work in figures(quarter, whole).items():
            TABLE.timed(label, lambda w=work: w(db), repeat=options.repeat)
        TABLE.timed("whole Backlog page, first screen (again)", lambda: first_screen(db, quarter),
                    repeat=options.repeat)
    finally:
        db.close()


if __name__ == "__main__":
    main()
