"""``python -m analytics incidents``: the major-incident figures (time to notify, MTTA, MTTR) as a table, CSV or JSON."""
from __future__ import annotations

import json
import sys

from analytics.kernel.arguments import FORMATS, as_of, date_argument, timestamp_argument
from analytics.kernel.registry import OpenStore


def add_commands(sub) -> None:
    """Add ``incidents`` to the command line."""
    inc = sub.add_parser("incidents", help="major-incident figures: time to notify, MTTA, MTTR")
    inc.add_argument("--from", dest="from_", type=date_argument, required=True)
    inc.add_argument("--to", type=date_argument, required=True)
    inc.add_argument("--as-of", type=timestamp_argument)
    inc.add_argument("--by", choices=["month,severity", "month", "severity", "none"], default="month,severity")
    inc.add_argument("--db")
    inc.add_argument("--format", choices=FORMATS, default="table")
    inc.set_defaults(func=cmd_incidents)


def cmd_incidents(args, open_store: OpenStore) -> int:
    """Print the figures of the incidents whose disruption started in [--from, --to)."""
    from analytics.incidents.queries import notify_settings
    from analytics.incidents.stats import figures

    if args.to <= args.from_:
        print("error: --to must be after --from", file=sys.stderr)
        return 2
    db = open_store(args.db)
    by = tuple(part for part in args.by.split(",") if part and part != "none")
    frame = figures(db, start=args.from_, end=args.to, settings=notify_settings(db),
                    as_of=as_of(args.as_of, db.timezone), by=by)
    if "month" in frame:
        frame["month"] = frame["month"].dt.strftime("%Y-%m")
    if args.format == "json":
        print(json.dumps(frame.astype(object).where(frame.notna(), None).to_dict(orient="records")))
    elif args.format == "csv":
        print(frame.to_csv(index=False), end="")
    else:
        print(frame.to_string(index=False))
    return 0
