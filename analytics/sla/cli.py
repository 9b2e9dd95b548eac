"""``python -m analytics sla``: compliance per severity and measure for a period, as a table, CSV or JSON."""
from __future__ import annotations

import csv
import json
import sys

from analytics.kernel.arguments import FORMATS, as_of, date_argument, timestamp_argument, without_pandas
from analytics.kernel.periods import Period
from analytics.kernel.registry import OpenStore


def add_commands(sub) -> None:
    """Add ``sla`` to the command line."""
    sla = sub.add_parser("sla", help="SLA compliance per severity and measure")
    sla.add_argument("--from", dest="from_", type=date_argument, required=True)
    sla.add_argument("--to", type=date_argument, required=True)
    sla.add_argument("--as-of", type=timestamp_argument)
    sla.add_argument("--db")
    sla.add_argument("--format", choices=FORMATS, default="table")
    sla.set_defaults(func=cmd_sla)


def cmd_sla(args, open_store: OpenStore) -> int:
    """Print compliance for the decisions of [--from, --to), as of ``--as-of`` (default now).

    CSV and JSON are written from the rows themselves (the command loads no pandas); the table uses it.
    """
    from analytics.sla.stats import CLI_COLUMNS, cli_records, compliance_cli_rows

    db = open_store(args.db)
    instant = as_of(args.as_of, db.timezone)
    if args.to <= args.from_:
        print("error: --to must be after --from", file=sys.stderr)
        return 2
    period = Period(args.from_, args.to, db.timezone)
    if args.format == "table":
        print(compliance_cli_rows(db, period, as_of=instant).to_string(index=False))
        return 0
    try:
        with without_pandas():
            rows = cli_records(db, period, as_of=instant)
    except ImportError:  # something on the way needed pandas after all
        rows = cli_records(db, period, as_of=instant)
    if args.format == "json":
        print(json.dumps([dict(zip(CLI_COLUMNS, row)) for row in rows], default=str))
    else:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(CLI_COLUMNS)
        out.writerows(["" if value is None else value for value in row] for row in rows)
    return 0
