"""The command line: ``python -m analytics COMMAND``.

Commands: ``demo`` (build demo data), ``import tickets`` (canonical CSV) and ``sla``
(compliance per severity and measure). Each command opens the database through
``analytics.store.database`` (``--db`` or ``$VIGIE_DB``), prints a short result and exits
non-zero with a one-line message when it cannot do what was asked.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timezone

from tqdm import tqdm

from analytics.store.database import Database, DatabaseError

IMPORTERS: dict[str, str] = {  # extra "import KIND" commands: kind -> "module:function(args, db)"
    "logins": "analytics.logins.service:run_cli",
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 timestamp") from None
    return value


def cmd_demo(args) -> int:
    from analytics.intake.demo import build_demo

    db = Database(args.db)
    with tqdm(total=args.tickets, unit="tickets", desc="demo", disable=args.quiet) as bar:
        summary = build_demo(db, tickets=args.tickets, seed=args.seed, progress=bar.update)
    print(f"demo database {db.path}: {summary.companies} companies, {summary.contacts} contacts, "
          f"{summary.tickets} tickets, {summary.events} ticket events")
    return 0


def cmd_import(args) -> int:
    from analytics.imports import cli as import_cli

    if args.kind == "inspect":
        return import_cli.run_inspect(args)
    if args.kind != "tickets":
        module_name, func_name = IMPORTERS[args.kind].split(":")
        module = __import__(module_name, fromlist=[func_name])
        return getattr(module, func_name)(args, Database(args.db))
    return import_cli.run_tickets(args, Database(args.db))


def cmd_sla(args) -> int:
    from analytics.sla.engine import Period, compliance_cli_rows

    db = Database(args.db)
    as_of = args.as_of or datetime.now(timezone.utc)
    if as_of.tzinfo is None:
        from zoneinfo import ZoneInfo
        as_of = as_of.replace(tzinfo=ZoneInfo(db.timezone))
    if args.to <= args.from_:
        print("error: --to must be after --from", file=sys.stderr)
        return 2
    rows = compliance_cli_rows(db, Period(args.from_, args.to, db.timezone), as_of=as_of)
    if args.format == "json":
        records = rows.astype(object).where(rows.notna(), None).to_dict(orient="records")
        print(json.dumps(records, default=str))
    elif args.format == "csv":
        print(rows.to_csv(index=False), end="")
    else:
        print(rows.to_string(index=False))
    return 0


def cmd_report_monthly(args) -> int:
    from pathlib import Path

    from analytics.reports.monthly import ReportMonth, build_report
    from analytics.reports.render import output_format, write_report

    kind = output_format(args.out)
    out = Path(args.out)
    if not out.parent.is_dir():
        print(f"error: no directory {out.parent} for {out.name}", file=sys.stderr)
        return 2
    path = Path(args.db) if args.db else None
    if path is not None and not path.exists():
        print(f"error: no database at {path}", file=sys.stderr)
        return 2
    db = Database(path)
    now = datetime.now(timezone.utc)
    from zoneinfo import ZoneInfo
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


def cmd_incidents(args) -> int:
    from analytics.incidents.stats import run_cli

    return run_cli(args, Database(args.db))


def cmd_escalations(args) -> int:
    from analytics.escalations.stats import run_cli

    return run_cli(args, Database(args.db))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="Vigie command line")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build a demo database")
    demo.add_argument("--db", help="database file (default $VIGIE_DB or data/vigie.duckdb)")
    demo.add_argument("--tickets", type=int, default=50_000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_demo)

    imp = sub.add_parser("import", help="import a file")
    imp.add_argument("kind", choices=["tickets", "inspect", *IMPORTERS])
    imp.add_argument("file")
    imp.add_argument("--db")
    imp.add_argument("--source", help="tickets: a shipped source profile (servicenow, zendesk, ...)")
    imp.add_argument("--mapping", help="tickets: a TOML mapping file (see 'import inspect')")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.set_defaults(func=cmd_import)

    sla = sub.add_parser("sla", help="SLA compliance per severity and measure")
    sla.add_argument("--from", dest="from_", type=_date, required=True)
    sla.add_argument("--to", type=_date, required=True)
    sla.add_argument("--as-of", type=_timestamp)
    sla.add_argument("--db")
    sla.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sla.set_defaults(func=cmd_sla)

    inc = sub.add_parser("incidents", help="major-incident figures: time to notify, MTTA, MTTR")
    inc.add_argument("--from", dest="from_", type=_date, required=True)
    inc.add_argument("--to", type=_date, required=True)
    inc.add_argument("--as-of", type=_timestamp)
    inc.add_argument("--by", choices=["month,severity", "month", "severity", "none"], default="month,severity")
    inc.add_argument("--db")
    inc.add_argument("--format", choices=["table", "csv", "json"], default="table")
    inc.set_defaults(func=cmd_incidents)

    esc = sub.add_parser("escalations", help="open escalations by level, flagged when unacknowledged too long")
    esc.add_argument("--as-of", type=_timestamp)
    esc.add_argument("--flagged", action="store_true", help="only those flagged for the next level")
    esc.add_argument("--db")
    esc.add_argument("--format", choices=["table", "csv", "json"], default="table")
    esc.set_defaults(func=cmd_escalations)

    report = sub.add_parser("report", help="documents for leadership")
    report_kinds = report.add_subparsers(dest="report_kind", required=True)
    monthly = report_kinds.add_parser("monthly", help="the monthly report as PDF or self-contained HTML")
    monthly.add_argument("--month", help="YYYY-MM (default: the last complete month)")
    monthly.add_argument("--db")
    monthly.add_argument("--out", required=True, help="output file; .pdf or .html decides the format")
    monthly.set_defaults(func=cmd_report_monthly)

    from analytics.rca.cli import add_rca_commands  # rca export, rca month

    add_rca_commands(sub)
    from analytics.settings.cli import add_settings_commands  # settings list, set, reset

    add_settings_commands(sub)
    from analytics.store.cli import add_store_commands  # migrate, copy

    add_store_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DatabaseError, PermissionError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
