"""Benchmark of the Teams page's figures: reopenings and first-contact resolution, workload, reassignments, at risk.

    python benchmarks/bench_teams.py [--tickets 1000000] [--db data/bench/vigie-1000000.duckdb] [--repeat 5]

Measures the SLA benchmark's database of that size (``data/bench/vigie-N.duckdb``, seed 1, built on first
use with its ledger, as ``benchmarks/bench.py`` builds it), or ``--db`` (opened read-only). Prints each figure
of the Teams page as of the demo's end (``NOW``), cold (the first call after the store is opened) and warm
(median of the next calls), then the page's first screen (every loader it runs) both ways; beside them, the SLA
page's "open at risk" as the yardstick of how loaded the shared machine is.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from support import NOW, Table, parser, sla_database  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.sla import reopenings, workload
from analytics.sla import stats as sla
from analytics.sla.filters import TicketFilter

TABLE = Table(prefix="teams  ", width=50)


def figures(quarter: Period, whole: Period) -> dict:
    """Each figure: label -> work(db)."""
    return {
        "reopen rate and FCR per team, last 3 months": lambda db: reopenings.reopen_and_fcr(db, quarter, by="team"),
        "reopen rate and FCR per category, last 3 months": lambda db: reopenings.reopen_and_fcr(db, quarter,
                                                                                                by="category"),
        "reopen rate and FCR per team, 18 months": lambda db: reopenings.reopen_and_fcr(db, whole, by="team"),
        "reopen rate and FCR, totals of a month": lambda db: reopenings.totals(
            db, Period(date(2026, 10, 1), date(2026, 11, 1))),
        "open and handled per team and week, last 3 months": lambda db: workload.weekly(db, quarter, as_of=NOW),
        "open and handled per assignee and week, 3 months": lambda db: workload.weekly(db, quarter, as_of=NOW,
                                                                                        by="assignee"),
        "open and handled per team and week, 18 months": lambda db: workload.weekly(db, whole, as_of=NOW),
        "reassignments per team, last 3 months": lambda db: workload.reassignments_per_team(db, quarter),
        "teams passing tickets back and forth, 3 months": lambda db: workload.back_and_forth(db, quarter),
        "teams passing tickets back and forth, 18 months": lambda db: workload.back_and_forth(db, whole),
        "at risk per team now": lambda db: workload.at_risk_now(db, as_of=NOW),
        "at risk per team now, one team": lambda db: workload.at_risk_now(db, TicketFilter(teams=("Network",)),
                                                                          as_of=NOW),
        # a yardstick for the machine's load: the SLA page's figure of the same kind (open measures, live)
        "reference: SLA page's open at risk": lambda db: sla.tickets_behind(db, quarter, as_of=NOW,
                                                                            states=("at_risk", "pending")),
    }


def first_screen(db, quarter: Period) -> None:
    """What the Teams page loads on its first screen (default filters: the last 3 months)."""
    workload.at_risk_now(db, as_of=NOW)
    reopenings.reopen_and_fcr(db, quarter, by="team")
    reopenings.totals(db, quarter)
    workload.weekly(db, quarter, as_of=NOW)
    workload.reassignments_per_team(db, quarter)
    workload.back_and_forth(db, quarter)


def main() -> None:
    args = parser(__doc__, tickets="one")
    args.add_argument("--db", type=Path, help="an existing benchmark database (default: the one of --tickets)")
    args.add_argument("--repeat", type=int, default=5)
    options = args.parse_args()
    path = options.db or sla_database(options.tickets)
    if not path.is_file():
        raise SystemExit(f"{path} does not exist: build it with benchmarks/bench.py --tickets N")
    today = NOW.date()
    quarter = Period(date(2026, 8, 1), today + timedelta(days=1))
    whole = Period(date(2025, 5, 1), today + timedelta(days=1))
    db = open_store(path, read_only=True)
    try:
        counts = db.rows("SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events)")[0]
        print(f"{path.name}: {counts[0]:,} tickets, {counts[1]:,} events, as of {NOW:%Y-%m-%d %H:%M} UTC")
        TABLE.timed("whole Teams page, first screen", lambda: first_screen(db, quarter), repeat=0)
        for label, work in figures(quarter, whole).items():
            TABLE.timed(label, lambda w=work: w(db), repeat=options.repeat)
        TABLE.timed("whole Teams page, first screen (again)", lambda: first_screen(db, quarter),
                    repeat=options.repeat)
    finally:
        db.close()


if __name__ == "__main__":
    main()
