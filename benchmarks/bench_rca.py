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

from datetime import date

from support import NOW, Table, bench_database, demo_alone, parser  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.rca import export as rca_export
from analytics.rca import stats as rca_stats
from analytics.rca.demo import generate_demo
from analytics.rca.document import build_document
from analytics.rca.queries import prefill

ALL = rca_stats.RcaFilter(start=date(2025, 4, 1), end=date(2026, 11, 2))
TABLES = ("rca_requests", "rca_action_items", "rca_timeline", "rca_root_causes", "rca_revisions", "rca_reports")
TABLE = Table(width=44, digits=1, repeat=2)


def main() -> None:
    tickets = parser(__doc__, tickets="one").parse_args().tickets
    db = open_store(bench_database(f"rca-{tickets}", tickets=tickets))
    incidents = db.scalar("SELECT count(*) FROM incidents")
    print(f"{db.scalar('SELECT count(*) FROM tickets'):,} tickets, {incidents} incidents, "
          f"{db.scalar('SELECT count(*) FROM rca_reports')} RCAs")
    TABLE.timed("demo generator alone", lambda: demo_alone(db, generate_demo, TABLES, seed=7))
    TABLE.timed("headline", lambda: rca_stats.headline(db, ALL, as_of=NOW))
    TABLE.timed("list with flags", lambda: rca_stats.rca_list(db, ALL, as_of=NOW))
    TABLE.timed("categories per month", lambda: rca_stats.category_trend(db, ALL, as_of=NOW))
    TABLE.timed("recurrences", lambda: rca_stats.recurrences(db, ALL, as_of=NOW))
    TABLE.timed("action items", lambda: rca_stats.action_items(db, ALL, as_of=NOW))
    TABLE.timed("month figures (monthly report)",
                lambda: rca_stats.rca_month_figures(db, month_start=date(2026, 10, 1), month_end=date(2026, 11, 1),
                                                    as_of=NOW))
    incident_id = db.scalar("SELECT incident_id FROM rca_published ORDER BY incident_id DESC LIMIT 1")
    TABLE.timed("prefill of a review", lambda: prefill(db, incident_id=incident_id))
    doc = build_document(db, incident_id=incident_id, audience="customer")
    TABLE.timed("customer document + Markdown", lambda: rca_export.to_markdown(
        build_document(db, incident_id=incident_id, audience="customer")))
    charts = TABLE.timed("timeline chart image (starts Chromium)", lambda: rca_export.document_charts(doc),
                         repeat=1).result
    TABLE.timed("PDF (WeasyPrint, chart embedded)", lambda: rca_export.to_pdf(doc, charts))
    db.close()


if __name__ == "__main__":
    main()
