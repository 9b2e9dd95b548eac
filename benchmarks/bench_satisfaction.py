"""Benchmark of the SLA page's Satisfaction section (issue 18, item 6) on the SLA ledger.

    python benchmarks/bench_satisfaction.py [--tickets 1000000] [--repeat 5]

Builds (or reuses) the SLA benchmark's demo database of that size (``data/bench/vigie-N.duckdb``, seed 1)
and prints the section's figures (per resolution verdict, team and severity: one query) as of the demo's
end (``NOW``), cold (the first call after the store is opened) and warm (median of the next calls), for
the page's default period (the last 3 months), 18 months, and one team.
"""
from __future__ import annotations

import argparse
from datetime import date, timedelta

from support import NOW, Table, sla_database  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.sla import satisfaction
from analytics.sla.filters import TicketFilter

TABLE = Table(prefix="satisfaction  ", width=46)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--tickets", type=int, default=1_000_000)
    args.add_argument("--repeat", type=int, default=5)
    options = args.parse_args()
    path = sla_database(options.tickets)
    today = NOW.date()
    quarter = Period(date(2026, 8, 1), today + timedelta(days=1))
    whole = Period(date(2025, 5, 1), today + timedelta(days=1))
    db = open_store(path, read_only=True)
    try:
        print(f"{path.name}: {db.scalar('SELECT count(*) FROM tickets'):,} tickets, "
              f"{db.scalar('SELECT count(satisfaction) FROM tickets'):,} scored, as of {NOW:%Y-%m-%d %H:%M} UTC")
        work = {"satisfaction, last 3 months (the page's default)": lambda: satisfaction.figures(db, quarter, as_of=NOW),
                "satisfaction, 18 months": lambda: satisfaction.figures(db, whole, as_of=NOW),
                "satisfaction, last 3 months, one team": lambda: satisfaction.figures(
                    db, quarter, TicketFilter(teams=("Network",)), as_of=NOW)}
        for label, figure in work.items():
            TABLE.timed(label, figure, repeat=options.repeat)
    finally:
        db.close()


if __name__ == "__main__":
    main()
