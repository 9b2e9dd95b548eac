"""``python -m analytics sla``: compliance per severity and measure for a period, as a table, CSV or JSON."""
from __future__ import annotations

import csv
import json
import sys

from analytics.cli.remote import read_through_api, records_with
from analytics.kernel.arguments import FORMATS, as_of, date_argument, timestamp_argument, without_pandas
from analytics.kernel.periods import Period
from analytics.kernel.registry import OpenStore
from analytics.store.database import deployment_timezone
from analytics.store.errors import StoreBusy


def add_commands(sub) -> None:
    """Add ``sla``, ``ledger status|rebuild`` and ``contracts list|assign`` to the command line."""
    from analytics.sla import contracts_cli

    contracts_cli.add_commands(sub)
    sla = sub.add_parser("sla", help="SLA compliance per severity and measure")
    sla.add_argument("--from", dest="from_", type=date_argument, required=True)
    sla.add_argument("--to", type=date_argument, required=True)
    sla.add_argument("--as-of", type=timestamp_argument)
    sla.add_argument("--db")
    sla.add_argument("--format", choices=FORMATS, default="table")
    sla.set_defaults(func=cmd_sla)
    ledger = sub.add_parser("ledger", help="the SLA ledger: its versions, or a full rebuild")
    verbs = ledger.add_subparsers(dest="ledger_verb", required=True)
    for verb, helptext in (("status", "the versions of the SLA rules and how far each is built"),
                           ("rebuild", "compute every ticket's measures again, under the rules in force")):
        command = verbs.add_parser(verb, help=helptext)
        command.add_argument("--db")
        command.set_defaults(func=cmd_ledger)


def cmd_sla(args, open_store: OpenStore) -> int:
    """Print compliance for the decisions of [--from, --to), as of ``--as-of`` (default now).

    CSV and JSON are written from the rows themselves (the command loads no pandas); the table uses it.
    When a running dashboard holds the embedded file, the same rows come from its API (``cli/remote.py``).
    """
    from analytics.sla.stats import CLI_COLUMNS, cli_records

    if args.to <= args.from_:
        print("error: --to must be after --from", file=sys.stderr)
        return 2
    try:
        db = open_store(args.db)
    except StoreBusy as busy:
        instant = as_of(args.as_of, deployment_timezone())
        records = records_with(read_through_api(busy, "/api/v1/sla", {
            "from": args.from_.isoformat(), "to": args.to.isoformat(), "as_of": instant.isoformat()}),
            CLI_COLUMNS, "/api/v1/sla")
        print_rows([tuple(record[c] for c in CLI_COLUMNS) for record in records], args.format)
        return 0
    instant = as_of(args.as_of, db.timezone)
    period = Period(args.from_, args.to, db.timezone)
    if args.format == "table":
        print_rows(cli_records(db, period, as_of=instant), "table")
        return 0
    try:
        with without_pandas():
            rows = cli_records(db, period, as_of=instant)
    except ImportError:  # something on the way needed pandas after all
        rows = cli_records(db, period, as_of=instant)
    print_rows(rows, args.format)
    return 0


def print_rows(rows: list[tuple], form: str) -> None:
    """The ``sla`` rows (:data:`analytics.sla.stats.CLI_COLUMNS`) as a table, CSV or JSON on stdout."""
    from analytics.sla.stats import CLI_COLUMNS

    if form == "table":
        import pandas as pd

        frame = pd.DataFrame(rows, columns=list(CLI_COLUMNS))
        print(frame.astype({"severity": int, "met": int, "breached": int, "pending": int,
                            "compliance_pct": float}).to_string(index=False))
    elif form == "json":
        print(json.dumps([dict(zip(CLI_COLUMNS, row)) for row in rows], default=str))
    else:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(CLI_COLUMNS)
        out.writerows(["" if value is None else value for value in row] for row in rows)


def cmd_ledger(args, open_store: OpenStore) -> int:
    """``ledger status``: one line per version; ``ledger rebuild``: a new version built to the end."""
    import time

    from analytics.sla import rebuild, versions

    db = open_store(args.db)
    if args.ledger_verb == "rebuild":
        started = time.perf_counter()
        db.write(lambda cur: versions.create(cur, *versions.current_rules(cur)))
        built = rebuild.finish_with_progress(db)
        measures = db.scalar("SELECT count(*) FROM sla_ledger WHERE version = ?", [built.version])
        print(f"ledger version {built.version}: {measures:,} measures of {built.tickets_total:,} tickets "
              f"in {time.perf_counter() - started:.1f} s")
        return 0
    for version in versions.versions(db):
        rows = db.scalar("SELECT count(*) FROM sla_ledger WHERE version = ?", [version.version])
        print(f"version {version.version}: {version.state}, {version.progress:.0%} of {version.tickets_total:,} "
              f"tickets, {rows:,} measures")
    return 0
