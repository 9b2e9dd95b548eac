"""``python -m analytics sla``: compliance per severity and measure for a period, as a table, CSV or JSON."""
from __future__ import annotations

import json
import sys

from analytics.kernel.arguments import FORMATS, as_of, date_argument, timestamp_argument
from analytics.kernel.periods import Period
from analytics.kernel.registry import OpenStore
from analytics.sla.stats import compliance_cli_rows


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
    """Print compliance for the decisions of [--from, --to), as of ``--as-of`` (default now)."""
    db = open_store(args.db)
    instant = as_of(args.as_of, db.timezone)
    if args.to <= args.from_:
        print("error: --to must be after --from", file=sys.stderr)
        return 2
    rows = compliance_cli_rows(db, Period(args.from_, args.to, db.timezone), as_of=instant)
    if args.format == "json":
        records = rows.astype(object).where(rows.notna(), None).to_dict(orient="records")
        print(json.dumps(records, default=str))
    elif args.format == "csv":
        print(rows.to_csv(index=False), end="")
    else:
        print(rows.to_string(index=False))
    return 0
