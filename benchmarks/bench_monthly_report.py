"""Benchmark of the monthly report: prints how long each stage takes at a given number of tickets.

    python benchmarks/bench_monthly_report.py --tickets 1000000 [--month 2026-10]

Uses the SLA benchmark's database of that size under data/bench/ (``support.sla_database``,
built once, shared with ``benchmarks/bench.py``), opened read-only, and times: assembling
the report (every section, the month and the previous one), the chart images (kaleido on
Chromium: the first call starts the sync server), the HTML, and the PDF (weasyprint).
"""
from __future__ import annotations

from support import NOW, Table, parser, sizes, sla_database  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.reports.monthly import ReportMonth, build_report
from analytics.reports.render import chart_images, pdf_document, render_html

TABLE = Table(prefix="report  ", width=34, first="first", then="then median", repeat=3)


def run(tickets: int, month: ReportMonth) -> None:
    db = open_store(sla_database(tickets), read_only=True)
    tickets_in_db = db.scalar("SELECT count(*) FROM tickets")
    print(f"{tickets_in_db:,} tickets, report for {month.label}")
    report = TABLE.timed("build_report (all sections x 2)", lambda: build_report(db, month, now=NOW)).result
    images = TABLE.timed(f"chart images ({len(chart_images(report).png)} PNG)", lambda: chart_images(report)).result
    TABLE.timed("HTML (charts inlined)", lambda: render_html(report, images))
    pdf = TABLE.timed("PDF (weasyprint)", lambda: pdf_document(report, images)).result
    print(f"report  PDF size {len(pdf):,} bytes")
    db.close()


def main() -> None:
    cli = parser(__doc__, tickets="several")
    cli.add_argument("--month", default="2026-10")
    args = cli.parse_args()
    for tickets in sizes(args):
        run(tickets, ReportMonth.parse(args.month))


if __name__ == "__main__":
    main()
