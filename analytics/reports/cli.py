"""``python -m analytics report monthly``: the monthly report of a month as a PDF or a self-contained HTML file."""
from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from analytics.kernel.registry import OpenStore
from analytics.kernel.times import utc_now


def add_commands(sub) -> None:
    """Add ``report monthly`` to the command line."""
    report = sub.add_parser("report", help="documents for leadership")
    report_kinds = report.add_subparsers(dest="report_kind", required=True)
    monthly = report_kinds.add_parser("monthly", help="the monthly report as PDF or self-contained HTML")
    monthly.add_argument("--month", help="YYYY-MM (default: the last complete month)")
    monthly.add_argument("--db")
    monthly.add_argument("--out", required=True, help="output file; .pdf or .html decides the format")
    monthly.set_defaults(func=cmd_report_monthly)


def cmd_report_monthly(args, open_store: OpenStore) -> int:
    """Write the report; exit 1 when a section had to be left out, 2 when nothing could be written."""
    from analytics.reports.monthly import ReportMonth, build_report
    from analytics.reports.render import output_format, warm_up, write_report

    kind = output_format(args.out)
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"error: no directory {out.parent} for {out.name}", file=sys.stderr)
        return 2
    path = Path(args.db) if args.db else None
    if path is not None and not path.exists():
        print(f"error: no database at {path}", file=sys.stderr)
        return 2
    warm_up()  # Chromium and weasyprint start while the figures are assembled
    db = open_store(path)
    now = utc_now()
    month = (ReportMonth.parse(args.month) if args.month
             else ReportMonth.last_complete(now.astimezone(ZoneInfo(db.timezone)).date()))
    if month.period(db.timezone).bounds()[0] > now:
        print(f"error: {month.label} has not started yet", file=sys.stderr)
        return 2
    report = build_report(db, month, now=now)
    images = write_report(report, out)
    for name, reason in images.errors.items():
        print(f"warning: chart {name} left out: {reason}", file=sys.stderr)
    for name, reason in report.problems.items():
        print(f"warning: section {name} left out: {reason}", file=sys.stderr)
    state = "" if report.complete else " (month in progress)"
    print(f"monthly report {month.key}{state} written to {out} ({kind.upper()}, {out.stat().st_size:,} bytes): "
          f"{report.current.tickets.tickets:,} tickets, {report.current.sla.breaches:,} SLA breaches")
    return 1 if report.problems else 0
