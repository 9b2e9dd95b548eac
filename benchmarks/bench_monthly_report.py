"""Benchmark of the monthly report: prints how long each stage takes, and the whole PDF and HTML, cold and warm.

    python benchmarks/bench_monthly_report.py --db data/vigie.duckdb [--month 2026-11]
    python benchmarks/bench_monthly_report.py --tickets 1000000 [--month 2026-10]

Measures the demo database given by ``--db`` (copied first, so that the command line's process can
open it), or the SLA benchmark's database of ``--tickets`` under data/bench/ (``support.sla_database``,
built once, shared with ``benchmarks/bench.py``). Prints:

* the PDF from a cold process: ``python -m analytics report monthly --out FILE.pdf`` as a whole process
  (imports, Chromium's start, the figures, the charts, the PDF), and its HTML twin;
* in this process, each stage: assembling the report (every section, the month and the previous one),
  the chart images (the first call starts Chromium: cold; then warm, drawn concurrently), the HTML,
  the PDF printed by that Chromium, and for comparison the same PDF laid out by weasyprint (what a machine
  without a browser gets);
* the whole document as a page's click costs when nothing is cached, warm (report, charts, document).
"""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support import NOW, ROOT, Table, parser, sizes, sla_database  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.reports.monthly import ReportMonth, build_report
from analytics.reports.render import chart_images, pdf_document, print_images, render_html, weasyprint_pdf

TABLE = Table(prefix="report  ", width=40, first="first", then="then median", repeat=3, cpu=True)


def cold_process(db_path: Path, month: ReportMonth, suffix: str) -> tuple[float, float]:
    """Seconds for the whole command line, from a new Python process to the file written: wall clock,
    and the CPU time of the process and its children (Chromium included)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"report{suffix}"
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        subprocess.run([sys.executable, "-m", "analytics", "report", "monthly", "--db", str(db_path),
                        "--month", month.key, "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return time.perf_counter() - start, cpu


def run(db_path: Path, month: ReportMonth, now) -> None:
    for suffix in (".pdf", ".html"):
        wall, cpu = cold_process(db_path, month, suffix)
        print(f"report  {'cold process, whole ' + suffix[1:].upper() + ' (command line)':<40} "
              f"{wall:8.2f} s (cpu {cpu:.2f} s)")
    db = open_store(db_path, read_only=True)
    print(f"{db.scalar('SELECT count(*) FROM tickets'):,} tickets, report for {month.label}")
    report = TABLE.timed("build_report (all sections x 2)", lambda: build_report(db, month, now=now)).result
    images = TABLE.timed(f"chart images ({len(chart_images(report).png)} PNG, concurrent)",
                         lambda: chart_images(report)).result
    TABLE.timed("HTML (charts inlined)", lambda: render_html(report, images))
    pdf = TABLE.timed("PDF (printed by Chromium)", lambda: pdf_document(report, images)).result
    print(f"report  PDF size {len(pdf):,} bytes")
    TABLE.timed("PDF without a browser (weasyprint, charts as JPEG)",
                lambda: weasyprint_pdf(render_html(report, print_images(images))))
    TABLE.timed("whole PDF, warm process, nothing cached",
                lambda: pdf_document(build_report(db, month, now=now)))
    TABLE.timed("whole HTML, warm process, nothing cached",
                lambda: render_html(r := build_report(db, month, now=now), chart_images(r)))
    db.close()


def main() -> None:
    cli = parser(__doc__, tickets="several")
    cli.add_argument("--month", default=None, help="YYYY-MM (default: 2026-11 for --db, 2026-10 for --tickets)")
    cli.add_argument("--db", type=Path, help="a demo database file (python -m analytics demo), measured on a copy")
    args = cli.parse_args()
    if args.db:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "report.duckdb"
            shutil.copyfile(args.db, copy)
            run(copy, ReportMonth.parse(args.month or "2026-11"), now=None)
        return
    for tickets in sizes(args):
        run(sla_database(tickets), ReportMonth.parse(args.month or "2026-10"), now=NOW)


if __name__ == "__main__":
    main()
