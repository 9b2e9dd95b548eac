"""``python -m analytics report monthly``: the monthly report of a month as a PDF or a self-contained HTML file.

When a running dashboard holds the embedded file, the command fetches the same file through its read API
(``GET /api/v1/reports/monthly``, ``analytics/cli/remote.py``) and says so on stderr.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from analytics.kernel.registry import OpenStore
from analytics.kernel.times import utc_now
from analytics.store.errors import DatabaseError, StoreBusy

PATH = "/api/v1/reports/monthly"


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
    from analytics.reports.document import HEADER, month_refusal, report_file
    from analytics.reports.monthly import ReportMonth
    from analytics.reports.render import output_format, warm_up
    from analytics.store.database import deployment_timezone

    kind = output_format(args.out)
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"error: no directory {out.parent} for {out.name}", file=sys.stderr)
        return 2
    path = Path(args.db) if args.db else None
    if path is not None and not path.exists():
        print(f"error: no database at {path}", file=sys.stderr)
        return 2
    now = utc_now()
    zone = deployment_timezone()
    month = (ReportMonth.parse(args.month) if args.month
             else ReportMonth.last_complete(now.astimezone(ZoneInfo(zone)).date()))
    refusal = month_refusal(month, zone, now)
    if refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    try:
        db = open_store(path)
    except StoreBusy as busy:   # a running dashboard holds the file: its read API makes the same file
        from analytics.cli.remote import fetch_through_api

        data, headers = fetch_through_api(busy, PATH, {"month": month.key, "format": kind})
        try:
            account = json.loads(headers[HEADER.lower()])
        except (KeyError, ValueError):
            raise DatabaseError(f"the running dashboard's {PATH} answered without its {HEADER} header; is it the "
                                "same version of Vigie as this command?") from None
    else:
        # Chromium (it draws the charts and prints the PDF) starts while the figures are assembled; not when the API
        # makes the file: a browser still starting when the command exits left a traceback from removing its profile
        warm_up()
        made = report_file(db, month, kind, now=now, release_browser=True)
        data, account = made.data, made.account
    out.write_bytes(data)
    for name, reason in account["chart_errors"].items():
        print(f"warning: chart {name} left out: {reason}", file=sys.stderr)
    for name, reason in account["problems"].items():
        print(f"warning: section {name} left out: {reason}", file=sys.stderr)
    state = "" if account["complete"] else " (month in progress)"
    print(f"monthly report {month.key}{state} written to {out} ({kind.upper()}, {out.stat().st_size:,} bytes): "
          f"{account['tickets']:,} tickets, {account['breaches']:,} SLA breaches")
    return 1 if account["problems"] else 0
