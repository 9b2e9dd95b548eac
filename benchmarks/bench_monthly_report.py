"""Benchmark of the monthly report: prints how long each stage takes at a given number of tickets.

    python benchmarks/bench_monthly_report.py --tickets 1000000 [--month 2026-10]

Uses the SLA benchmark's database of that size under data/bench/ (built once by
``benchmarks/bench.py``'s ``bench_database``), opened read-only, and times: assembling
the report (every section, the month and the previous one), the chart images (kaleido on
Chromium: the first call starts the sync server), the HTML, and the PDF (weasyprint).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import NOW, bench_database  # noqa: E402

from analytics.store.database import Database  # noqa: E402
from analytics.reports.monthly import ReportMonth, build_report  # noqa: E402
from analytics.reports.render import chart_images, pdf_document, render_html  # noqa: E402


def timed(label: str, work, repeat: int = 3):
    started = time.perf_counter()
    result = work()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        warm.append(time.perf_counter() - started)
    print(f"report  {label:<34} first {cold * 1000:8.0f} ms   then median {statistics.median(warm) * 1000:8.0f} ms")
    return result


def run(tickets: int, month: ReportMonth) -> None:
    db = Database(bench_database(tickets), read_only=True)
    tickets_in_db = db.scalar("SELECT count(*) FROM tickets")
    print(f"{tickets_in_db:,} tickets, report for {month.label}")
    report = timed("build_report (all sections x 2)", lambda: build_report(db, month, now=NOW))
    images = timed(f"chart images ({len(chart_images(report).png)} PNG)", lambda: chart_images(report))
    timed("HTML (charts inlined)", lambda: render_html(report, images))
    pdf = timed("PDF (weasyprint)", lambda: pdf_document(report, images))
    print(f"report  PDF size {len(pdf):,} bytes")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, action="append")
    parser.add_argument("--month", default="2026-10")
    args = parser.parse_args()
    for tickets in args.tickets or [1_000_000]:
        run(tickets, ReportMonth.parse(args.month))


if __name__ == "__main__":
    main()
