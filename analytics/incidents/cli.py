"""``python -m analytics incidents``: the major-incident figures (time to notify, MTTA, MTTR) as a table, CSV or JSON.

When a running dashboard holds the embedded file, the command reads the same records through its read API
(``GET /api/v1/incident-figures``, ``analytics/cli/remote.py``) and says so on stderr; both ways print from
the same records, so the output is the same.
"""
from __future__ import annotations

import json
import sys

from analytics.cli.remote import read_through_api, records_with
from analytics.incidents.stats import BY_CHOICES, FIGURE_COLUMNS, figure_records, grouping
from analytics.kernel.arguments import FORMATS, as_of, date_argument, timestamp_argument
from analytics.kernel.registry import OpenStore
from analytics.store.database import deployment_timezone
from analytics.store.errors import StoreBusy

PATH = "/api/v1/incident-figures"


def add_commands(sub) -> None:
    """Add ``incidents`` to the command line."""
    inc = sub.add_parser("incidents", help="major-incident figures: time to notify, MTTA, MTTR")
    inc.add_argument("--from", dest="from_", type=date_argument, required=True)
    inc.add_argument("--to", type=date_argument, required=True)
    inc.add_argument("--as-of", type=timestamp_argument)
    inc.add_argument("--by", choices=BY_CHOICES, default="month,severity")
    inc.add_argument("--db")
    inc.add_argument("--format", choices=FORMATS, default="table")
    inc.set_defaults(func=cmd_incidents)


def cmd_incidents(args, open_store: OpenStore) -> int:
    """Print the figures of the incidents whose disruption started in [--from, --to)."""
    import pandas as pd

    if args.to <= args.from_:
        print("error: --to must be after --from", file=sys.stderr)
        return 2
    by = grouping(args.by)
    columns = (*by, *FIGURE_COLUMNS)
    try:
        db = open_store(args.db)
    except StoreBusy as busy:   # a running dashboard holds the file: its read API gives the same records
        instant = as_of(args.as_of, deployment_timezone())
        rows = records_with(read_through_api(busy, PATH, {"from": args.from_.isoformat(), "to": args.to.isoformat(),
                                                          "as_of": instant.isoformat(), "by": args.by}),
                            columns, PATH)
    else:
        rows = figure_records(db, start=args.from_, end=args.to, as_of=as_of(args.as_of, db.timezone), by=by)
    if args.format == "json":
        print(json.dumps(rows))
        return 0
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    if args.format == "csv":
        print(frame.to_csv(index=False), end="")
    else:
        print(frame.to_string(index=False))
    return 0
