"""Benchmark of the SLA figures on the ledger: each figure, the whole SLA page, the command, a rebuild, peers.

    python benchmarks/bench.py --tickets 1000000 [--tickets 10000000] [--engine] [--peers]

Builds (once) a demo database per size under data/bench/ and prints, cold and warm:
- each SLA figure the page and the command read (severity table for 3 and 18 months, monthly
  trend, breached and at-risk tickets, breakdowns, one company), from the ledger;
- the whole SLA page (every loader it runs on its first screen);
- with ``--engine``, the same figures from the on-read engine, and the ratio;
- the full rebuild of the ledger for a new version of the rules;
- with ``--peers``: ``python -m analytics sla`` for a year as a whole process (time and peak
  memory) beside a Polars and a pandas script computing the same table from the raw export
  (``benchmarks/peer_sla.py``), interleaved, each checked equal to Vigie's cell by cell.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

from support import BENCH_DIR, NOW, ROOT, Table, parser, sizes, sla_database  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.sla import rebuild, versions
from analytics.sla import stats as sla
from analytics.sla.engine import TARGETS_SQL
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import ON_READ

TABLE = Table(prefix="sla  ", width=44)
YEAR = ("2025-11-01", "2026-11-01")


def figures(quarter: Period, whole: Period) -> dict:
    """Each figure: label -> work(db, version)."""
    return {
        "severity table, last 3 months": lambda db, v: sla.severity_table(db, quarter, as_of=NOW, version=v),
        "severity table, 18 months": lambda db, v: sla.severity_table(db, whole, as_of=NOW, version=v),
        "monthly trend, 18 months": lambda db, v: sla.monthly_trend(db, whole, as_of=NOW, version=v),
        "breached tickets, last 3 months": lambda db, v: sla.tickets_behind(db, quarter, as_of=NOW,
                                                                            states=("breached",), version=v),
        "open at risk": lambda db, v: sla.tickets_behind(db, quarter, as_of=NOW, states=("at_risk", "pending"),
                                                         version=v),
        "by company, last 3 months": lambda db, v: sla.compliance(db, quarter, as_of=NOW, by="company",
                                                                  per_severity=False, version=v),
        "one company, last 3 months": lambda db, v: sla.severity_table(db, quarter, TicketFilter(company_ids=(3,)),
                                                                       as_of=NOW, version=v),
        "cli rows, one year": lambda db, v: sla.cli_records(db, Period(date(2025, 11, 1), date(2026, 11, 1)),
                                                            as_of=NOW, version=v),
    }


def whole_page(db, quarter: Period, version) -> None:
    """What the SLA page's first screen loads (its default filters: the last 3 months)."""
    sla.severity_table(db, quarter, as_of=NOW, version=version)
    sla.monthly_trend(db, quarter, as_of=NOW, version=version)
    sla.tickets_behind(db, quarter, as_of=NOW, states=("breached",), version=version)
    sla.tickets_behind(db, quarter, as_of=NOW, states=("at_risk", "pending"), version=version)
    sla.compliance(db, quarter, as_of=NOW, by="company", per_severity=False, version=version)  # the tab shown first


def full_rebuild(db) -> None:
    """A new version of the same rules, built to the end: what a change of the rules costs. It carries the rules'
    real hash: a made-up one would leave the version in force not matching the rules in the tables, and every reader
    after the benchmark would fall back to the on-read engine until a writer started a version of its own."""
    db.write(lambda cur: versions.create(cur, *versions.current_rules(cur)))
    rebuild.finish(db)


def export(db, folder) -> None:
    """The raw export the peers read: tickets, targets, working intervals."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, sql in {
        "tickets": "SELECT id, severity, epoch(opened_at) AS opened_s, epoch(first_response_at) AS response_s, "
                   "epoch(resolved_at) AS resolved_s FROM tickets",
        "targets": f"SELECT severity, measure, calendar_id, always_open, target_seconds FROM ({TARGETS_SQL})",
        "intervals": "SELECT calendar_id, start_s, end_s, seconds, cum_start FROM calendar_intervals",
    }.items():
        cur = db.cursor()
        cur.execute(f"COPY ({sql}) TO '{folder / name}.parquet' (FORMAT parquet)")  # paths from this script
        cur.close()


def process(cmd: list[str]) -> tuple[float, str]:
    """Run a whole process: wall seconds and its output."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def peers(path, tickets: int, rounds: int = 5) -> None:
    """``sla`` for a year against the Polars and pandas scripts, interleaved, equal cell by cell."""
    folder = BENCH_DIR / f"export-{tickets}"
    if not (folder / "tickets.parquet").exists():
        db = open_store(path, read_only=True)
        export(db, folder)
        db.close()
    as_of = NOW.isoformat()
    commands = {
        "vigie sla": [sys.executable, "-m", "analytics", "sla", "--from", YEAR[0], "--to", YEAR[1], "--as-of",
                      as_of, "--db", str(path), "--format", "csv"],
        "polars script": [sys.executable, "benchmarks/peer_sla.py", "polars", str(folder), "--from", YEAR[0],
                          "--to", YEAR[1], "--as-of", as_of],
        "pandas script": [sys.executable, "benchmarks/peer_sla.py", "pandas", str(folder), "--from", YEAR[0],
                          "--to", YEAR[1], "--as-of", as_of],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    outputs: dict[str, str] = {}
    for _ in range(rounds):
        for name, cmd in commands.items():
            wall, outputs[name] = process(cmd)
            walls[name].append(wall)
    vigie = statistics.median(walls["vigie sla"])
    for name, cmd in commands.items():
        median = statistics.median(walls[name])
        same = "equal to Vigie's" if outputs[name] == outputs["vigie sla"] else "DIFFERENT from Vigie's"
        ratio = "" if name == "vigie sla" else f"  Vigie is {median / vigie:4.1f}x faster"
        print(f"sla  {name:<14} one year, whole process {median:6.2f} s  peak {single_peak(cmd):6.0f} MiB  "
              f"{same}{ratio}")


def single_peak(cmd: list[str]) -> float:
    """The peak memory of one run of ``cmd`` alone (a fresh interpreter measures it)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True, check=True); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", probe, *cmd], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout) / 1024


def run(tickets: int, *, engine: bool, with_peers: bool) -> None:
    path = sla_database(tickets)
    db = open_store(path)
    rebuild.finish(db)  # a database built before the ledger existed gets it here
    today = NOW.date()
    quarter = Period(date(2026, 8, 1), today + timedelta(days=1))
    whole = Period(date(2025, 5, 1), today + timedelta(days=1))
    print(f"-- {tickets:,} tickets ({db.scalar('SELECT count(*) FROM tickets'):,} in the file), as of {NOW:%Y-%m-%d}, "
          f"ledger version {versions.in_force(db).version}")
    work = figures(quarter, whole)
    ledger = {label: TABLE.timed(f"{label}", lambda f=f: f(db, None)) for label, f in work.items()}
    page = TABLE.timed("whole SLA page, first screen", lambda: whole_page(db, quarter, None))
    if engine:
        for label, f in work.items():
            timing = TABLE.timed(f"on-read engine: {label}", lambda f=f: f(db, ON_READ), repeat=2)
            print(f"sla      the ledger is {timing.warm / ledger[label].warm:5.1f}x faster")
        timing = TABLE.timed("on-read engine: whole SLA page", lambda: whole_page(db, quarter, ON_READ), repeat=1)
        print(f"sla      the ledger is {timing.warm / page.warm:5.1f}x faster")
    TABLE.timed("full ledger rebuild (new rules version)", lambda: full_rebuild(db), repeat=0)
    db.close()
    if with_peers:
        peers(path, tickets)


def main() -> None:
    cli = parser(__doc__, tickets="several")
    cli.add_argument("--engine", action="store_true", help="also time the on-read engine (slow at 10M)")
    cli.add_argument("--peers", action="store_true", help="the sla command against Polars and pandas scripts")
    args = cli.parse_args()
    for size in sizes(args):
        run(size, engine=args.engine, with_peers=args.peers)


if __name__ == "__main__":
    main()
