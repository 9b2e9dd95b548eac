"""Benchmark of the SLA queries: prints cold and warm timings at a given number of tickets.

    python benchmarks/bench.py --tickets 1000000 [--tickets 10000000]

Builds (once) a demo database per size under data/bench/ and times what the SLA page
and the ``sla`` command run: the per-severity table for the last 3 months and for the
whole 18 months, the monthly trend, the breached-ticket list, and the CLI rows.
"""
from __future__ import annotations

from datetime import date, timedelta

from support import NOW, Table, parser, sizes, sla_database  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.sla import stats as sla
from analytics.sla.filters import TicketFilter

TABLE = Table(prefix="sla  ", width=38)


def run(tickets: int) -> None:
    db = open_store(sla_database(tickets))
    today = NOW.date()
    quarter = Period(date(2026, 8, 1), today + timedelta(days=1))
    whole = Period(date(2025, 5, 1), today + timedelta(days=1))
    month = Period(date(2026, 10, 1), date(2026, 11, 1))
    print(f"-- {tickets:,} tickets ({db.scalar('SELECT count(*) FROM tickets'):,} in the file), as of {NOW:%Y-%m-%d}")
    TABLE.timed("severity table, last 3 months", lambda: sla.severity_table(db, quarter, as_of=NOW))
    TABLE.timed("severity table, 18 months", lambda: sla.severity_table(db, whole, as_of=NOW))
    TABLE.timed("monthly trend, 18 months", lambda: sla.monthly_trend(db, whole, as_of=NOW))
    TABLE.timed("breached tickets, last 3 months", lambda: sla.tickets_behind(db, quarter, as_of=NOW,
                                                                              states=("breached",)))
    TABLE.timed("cli rows (one month)", lambda: sla.compliance_cli_rows(db, month, as_of=NOW))
    TABLE.timed("one company, last 3 months", lambda: sla.severity_table(
        db, quarter, TicketFilter(company_ids=(3,)), as_of=NOW))
    db.close()


def main() -> None:
    for size in sizes(parser(__doc__, tickets="several").parse_args()):
        run(size)


if __name__ == "__main__":
    main()
