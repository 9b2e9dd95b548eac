"""What the benchmark scripts share: their command line, their demo database, timing a call, printing it.

A script (run as ``python benchmarks/bench_x.py`` from anywhere) imports this module before
``analytics``: importing it puts the repository root on ``sys.path``. Then

* ``parser(__doc__, tickets=...)`` is its command line, ``sizes(args)`` the sizes asked for;
* ``bench_database(name, tickets=N, ...)`` (or ``sla_database(N)``) is the demo database it
  measures, under ``data/bench/`` (git-ignored): built on first use, reused after;
* ``timed(label, work, repeat)`` runs ``work`` once cold and ``repeat`` times warm, with the CPU
  time of the process (every DuckDB thread) beside the wall clock, which the load of a shared
  machine inflates less;
* a ``Table`` prints timings, one line each as they come, in the script's own layout.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from analytics.domains import build_demo, open_store  # noqa: E402
from analytics.store.database import Database  # noqa: E402

BENCH_DIR = ROOT / "data" / "bench"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # "now" for every benchmark: the demo ends there
DEFAULT_TICKETS = 1_000_000


def parser(doc: str, tickets: Literal["one", "several"] | None = None) -> argparse.ArgumentParser:
    """The command line of a benchmark, described by the first line of its docstring ``doc``.

    ``tickets="one"`` adds ``--tickets N`` (default 1,000,000); ``"several"`` makes it repeatable,
    each size measured in turn (read them with ``sizes``).
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    if tickets == "one":
        parser.add_argument("--tickets", type=int, default=DEFAULT_TICKETS,
                            help=f"tickets in the demo database (default {DEFAULT_TICKETS:,})")
    elif tickets == "several":
        parser.add_argument("--tickets", type=int, action="append",
                            help=f"tickets in the demo database, repeatable: each size measured in turn "
                                 f"(default {DEFAULT_TICKETS:,})")
    return parser


def sizes(args: argparse.Namespace) -> list[int]:
    """The sizes of a repeatable ``--tickets`` option, or the default one."""
    return args.tickets or [DEFAULT_TICKETS]


@dataclass(frozen=True)
class Timing:
    """Seconds taken by a call: the first (cold) and the median of the next ones (warm).

    ``warm`` and ``warm_cpu`` are None when there were no warm runs; ``result`` is what the
    cold call returned.
    """
    label: str
    cold: float
    cold_cpu: float
    warm: float | None
    warm_cpu: float | None
    result: Any


def timed(label: str, work: Callable[[], Any], repeat: int = 5) -> Timing:
    """Call ``work()`` once cold, then ``repeat`` times warm: wall clock and CPU of this process."""
    def once() -> tuple[float, float, Any]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        return time.perf_counter() - wall, time.process_time() - cpu, result
    cold, cold_cpu, result = once()
    runs = [once()[:2] for _ in range(repeat)]
    if not runs:
        return Timing(label, cold, cold_cpu, None, None, result)
    return Timing(label, cold, cold_cpu, statistics.median(r[0] for r in runs),
                  statistics.median(r[1] for r in runs), result)


@dataclass(frozen=True)
class Table:
    """A benchmark's timing lines: their layout and how many warm runs ``timed`` makes by default.

    A line is ``prefix``, the label padded to ``width``, then ``first`` and the cold time and
    ``then`` and the warm median (left out without warm runs): milliseconds with ``digits``
    decimals over ``figure`` columns, each followed by its CPU time if ``cpu`` is set.
    """
    width: int
    prefix: str = ""
    digits: int = 0
    figure: int = 8
    cpu: bool = False
    first: str = "cold"
    then: str = "warm median"
    repeat: int = 5

    def row(self, timing: Timing) -> Timing:
        """Print the line of ``timing``, and return it."""
        warm = "" if timing.warm is None else f"{self.then} {self._ms(timing.warm, timing.warm_cpu)}"
        print(f"{self.prefix}{timing.label:<{self.width}} {self.first} {self._ms(timing.cold, timing.cold_cpu)}"
              f"   {warm}")
        return timing

    def timed(self, label: str, work: Callable[[], Any], repeat: int | None = None) -> Timing:
        """Time ``work`` (``repeat`` warm runs, by default the table's) and print its line."""
        return self.row(timed(label, work, self.repeat if repeat is None else repeat))

    def _ms(self, wall: float, cpu: float) -> str:
        text = f"{wall * 1000:{self.figure}.{self.digits}f} ms"
        return f"{text} (cpu {cpu * 1000:6.0f})" if self.cpu else text


def tickets_and_events(db: Database, summary: Any) -> str:
    """What ``bench_database`` says by default of a database it built: the tickets and events of ``summary``."""
    return f"{summary.tickets:,} tickets, {summary.events:,} events"


def bench_database(name: str, describe: Callable[[Database, Any], str] = tickets_and_events, **demo) -> Path:
    """The demo database ``data/bench/{name}.duckdb``, built on first use and reused after.

    It is built when it holds no tickets (new, or an interrupted build: the demo fills it in one
    transaction) by ``build_demo(db, now=NOW, **demo)``; a line then says how long that took and
    what it holds: ``describe(db, summary)``.
    """
    path = BENCH_DIR / f"{name}.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_store(path)
    try:
        if not db.scalar("SELECT count(*) FROM tickets"):
            built = timed(path.name, lambda: build_demo(db, now=NOW, **demo), repeat=0)
            print(f"built {path.name}: {describe(db, built.result)} in {built.cold:.1f} s")
    finally:
        db.close()
    return path


def sla_database(tickets: int) -> Path:
    """The SLA benchmark's database of that size (seed 1), which the report and PostgreSQL ones measure too."""
    return bench_database(f"vigie-{tickets}", tickets=tickets, seed=1)


def demo_alone(db: Database, generate_demo: Callable, tables: tuple[str, ...], seed: int) -> None:
    """Run one module's demo generator on its own, to time it, and leave ``db`` as it was.

    In a transaction rolled back at the end (``db.rehearsal()``): ``tables`` emptied, then
    ``generate_demo`` filling them again for the companies of ``db``, with a generator seeded ``seed``.
    """
    companies = db.query("SELECT id, name, 1.0 / count(*) OVER () AS weight FROM companies ORDER BY id")
    with db.rehearsal() as cur:
        for table in tables:
            cur.execute(f"DELETE FROM {table}")  # names from the benchmark scripts; rolled back
        generate_demo(cur, np.random.default_rng(seed), companies=companies, now=NOW)
