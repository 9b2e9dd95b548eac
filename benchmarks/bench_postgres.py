"""The SLA page on PostgreSQL against the embedded default: prints both, query by query.

    python benchmarks/bench_postgres.py --tickets 1000000 [--url postgresql://user@host:port/db]

Builds (once, shared with benchmarks/bench.py) the demo database of that size under data/bench/,
copies it into PostgreSQL with ``analytics.store.pg_copy`` (into ``--url``, which must be an empty
database, or else into a throwaway local server started for the run from Debian's postgresql
package, see tests/store/pg_support.py), then times on both stores what the SLA page computes on a
cold page cache for the last three months: the severity table, the monthly trend, the
breached and at-risk ticket lists and the company breakdown, one by one and as a whole page.
On PostgreSQL the replica first copies the big tables it reads (analytics/store/pg_snapshots.py):
that first read is timed on its own line.
Each figure is the first run and the median of 3 more. ``--url`` may name a database that already
holds the copy (from an earlier run): it is not copied again.
"""
from __future__ import annotations

from datetime import date, timedelta

from support import NOW, parser, sla_database, timed  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.sla import stats as sla
from analytics.sla.measures import reading_version
from analytics.store.pg_copy import copy_database
from analytics.store.pg_snapshots import SNAPSHOT_TABLES

PERIOD = Period(date(2026, 8, 1), NOW.date() + timedelta(days=1))
PAGE = {  # what pages/sla.py computes on a cold cache (default filters, last three months)
    "severity table": lambda db: sla.severity_table(db, PERIOD, as_of=NOW),
    "monthly trend": lambda db: sla.monthly_trend(db, PERIOD, as_of=NOW),
    "breached tickets": lambda db: sla.tickets_behind(db, PERIOD, as_of=NOW, states=("breached",)),
    "at-risk tickets": lambda db: sla.tickets_behind(db, PERIOD, as_of=NOW, states=("at_risk",)),
    "by company": lambda db: sla.compliance(db, PERIOD, as_of=NOW, by="company", per_severity=False),
}


def whole_page(db) -> None:
    for query in PAGE.values():
        query(db)


def postgres_url(args, cleanup: list) -> str:
    if args.url:
        return args.url
    from tests.store.pg_support import Cluster

    server = Cluster(settings={"shared_buffers": "512MB", "work_mem": "64MB"})
    cleanup.append(server.stop)
    print(f"started a throwaway PostgreSQL on 127.0.0.1:{server.port}")
    return server.create_database("vigie_bench")


def main() -> None:
    cli = parser(__doc__, tickets="one")
    cli.add_argument("--url", help="a PostgreSQL database, empty or holding an earlier copy "
                                   "(default: a throwaway local server)")
    args = cli.parse_args()
    path = sla_database(args.tickets)
    cleanup: list = []
    try:
        url = postgres_url(args, cleanup)
        shared = open_store(url, read_only=True)
        if shared.schema_version() and shared.scalar("SELECT count(*) FROM tickets"):
            print(f"{shared.path} already holds the tickets: not copied again")
        else:
            shared.close()
            copied = timed("copy", lambda: copy_database(path, url, progress=None), repeat=0)
            print(f"{copied.result.summary()} in {copied.cold:.0f} s")
            shared = open_store(url, read_only=True)
        embedded = open_store(path, read_only=True)
        # the replica copies tickets and calendar intervals on its first read
        first = timed("first read", lambda: shared.scalar("SELECT count(*) FROM tickets"), repeat=0)
        print(f"first read on the replica (local copies of {', '.join(SNAPSHOT_TABLES)}): {first.cold * 1000:.0f} ms")
        print(f"-- {first.result:,} tickets, SLA page for {PERIOD.start} .. {PERIOD.end}, as of {NOW:%Y-%m-%d}")
        for name, store in (("embedded", embedded), ("PostgreSQL", shared)):
            version = reading_version(store)
            print(f"{name} reads {f'the SLA ledger, version {version.version}' if version else 'the on-read engine'}")
        print(f"{'':<20} {'embedded DuckDB':>26} {'PostgreSQL (via DuckDB)':>30}")
        print(f"{'':<20} {'cold':>12} {'warm':>12} {'cold':>14} {'warm':>14}", flush=True)
        for label, work in [*PAGE.items(), ("whole SLA page", whole_page)]:
            dk, pg = timed(label, lambda: work(embedded), repeat=3), timed(label, lambda: work(shared), repeat=3)
            print(f"{label:<20} {dk.cold * 1000:>9.0f} ms {dk.warm * 1000:>9.0f} ms "
                  f"{pg.cold * 1000:>11.0f} ms {pg.warm * 1000:>11.0f} ms", flush=True)
        embedded.close(), shared.close()
    finally:
        for stop in cleanup:
            stop()


if __name__ == "__main__":
    main()
