"""Benchmark of the RCA work: prints cold and warm timings of the page's figures, the demo generator
and the documents.

    python benchmarks/bench_rca.py --tickets 1000000

Builds (once) a demo database of that size under data/bench/rca-N.duckdb, then times the demo
generator on its own (in a transaction rolled back), what the RCA summaries page loads for the
whole demo period (headline, list, categories per month, recurrences, action items), a month's
figures for the monthly report, the prefill of a review (its impact query reads the tickets),
and one customer document: Markdown, the timeline chart (Kaleido starting Chromium) and the PDF.
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

from analytics.rca import export as rca_export  # noqa: E402
from analytics.rca import stats as rca_stats
from analytics.store.database import PROJECT_ROOT, Database  # noqa: E402
from analytics.intake.demo import build_demo  # noqa: E402
from analytics.rca.demo import generate_demo  # noqa: E402
from analytics.rca.document import build_document  # noqa: E402
from analytics.rca.queries import prefill  # noqa: E402

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
ALL = rca_stats.RcaFilter(start=date(2025, 4, 1), end=date(2026, 11, 2))


class Rollback(Exception):
    """Raised to undo the timed demo run."""


def database(tickets: int) -> Database:
    path = PROJECT_ROOT / "data" / "bench" / f"rca-{tickets}.duckdb"
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
    print(f"{label:<44} cold {runs[0] * 1000:8.1f} ms   warm median {statistics.median(runs[1:]) * 1000:8.1f} ms")


def demo_alone(db: Database) -> None:
    companies = db.query("SELECT id, name, 1.0 / count(*) OVER () AS weight FROM companies ORDER BY id")
    try:
        with db.transaction() as cur:
            for table in ("rca_requests", "rca_action_items", "rca_timeline", "rca_root_causes", "rca_revisions",
                          "rca_reports"):
                cur.execute(f"DELETE FROM {table}")  # fixed names; rolled back below
            generate_demo(cur, np.random.default_rng(7), companies=companies, now=NOW)
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()
    db = database(args.tickets)
    incidents = db.scalar("SELECT count(*) FROM incidents")
    print(f"{db.scalar('SELECT count(*) FROM tickets'):,} tickets, {incidents} incidents, "
          f"{db.scalar('SELECT count(*) FROM rca_reports')} RCAs")
    timed("demo generator alone", lambda: demo_alone(db))
    timed("headline", lambda: rca_stats.headline(db, ALL, as_of=NOW))
    timed("list with flags", lambda: rca_stats.rca_list(db, ALL, as_of=NOW))
    timed("categories per month", lambda: rca_stats.category_trend(db, ALL, as_of=NOW))
    timed("recurrences", lambda: rca_stats.recurrences(db, ALL, as_of=NOW))
    timed("action items", lambda: rca_stats.action_items(db, ALL, as_of=NOW))
    timed("month figures (monthly report)",
          lambda: rca_stats.rca_month_figures(db, month_start=date(2026, 10, 1), month_end=date(2026, 11, 1),
                                              as_of=NOW))
    incident_id = db.scalar("SELECT incident_id FROM rca_published ORDER BY incident_id DESC LIMIT 1")
    timed("prefill of a review", lambda: prefill(db, incident_id=incident_id))
    doc = build_document(db, incident_id=incident_id, audience="customer")
    timed("customer document + Markdown", lambda: rca_export.to_markdown(
        build_document(db, incident_id=incident_id, audience="customer")))
    timed("timeline chart image (starts Chromium)", lambda: rca_export.document_charts(doc), repeat=2)
    charts = rca_export.document_charts(doc)
    timed("PDF (WeasyPrint, chart embedded)", lambda: rca_export.to_pdf(doc, charts))
    db.close()


if __name__ == "__main__":
    main()
