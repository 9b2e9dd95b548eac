"""``python -m analytics escalations``: the open escalations by level, flagged when unacknowledged too long."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from analytics.cli.remote import read_through_api, records_with
from analytics.kernel.arguments import FORMATS, as_of, timestamp_argument
from analytics.kernel.registry import OpenStore
from analytics.store.database import Database, deployment_timezone
from analytics.store.errors import StoreBusy

if TYPE_CHECKING:
    import pandas as pd


# the fields of an open escalation the command reads (an empty answer from the API has none)
ESCALATION_FIELDS = ("reference", "level", "level_name", "next_level", "company", "ticket", "age_s", "at_level_s",
                     "acknowledged_at", "flagged", "owner")


def add_commands(sub) -> None:
    """Add ``escalations`` to the command line."""
    esc = sub.add_parser("escalations", help="open escalations by level, flagged when unacknowledged too long")
    esc.add_argument("--as-of", type=timestamp_argument)
    esc.add_argument("--flagged", action="store_true", help="only those flagged for the next level")
    esc.add_argument("--db")
    esc.add_argument("--format", choices=FORMATS, default="table")
    esc.set_defaults(func=cmd_escalations)


def open_cli_rows(db: Database, *, now: datetime, flagged_only: bool = False) -> pd.DataFrame:
    """The contract of ``python -m analytics escalations``: one row per open escalation."""
    from analytics.escalations.stats import open_escalations

    return cli_rows_of(open_escalations(db, now=now), flagged_only=flagged_only)


def cli_rows_of(frame: pd.DataFrame, *, flagged_only: bool = False) -> pd.DataFrame:
    """The command's rows from the open escalations (``escalations.stats.open_escalations``, or its JSON records
    from the read API)."""
    import pandas as pd

    rows = pd.DataFrame({
        "reference": frame["reference"], "level": frame["level"], "level_name": frame["level_name"],
        "next_level": frame["next_level"], "company": frame["company"], "ticket": frame["ticket"],
        "age_h": (frame["age_s"].astype(float) / 3600).round(1),
        "at_level_h": (frame["at_level_s"].astype(float) / 3600).round(1),
        "acknowledged": frame["acknowledged_at"].notna(), "flagged": frame["flagged"].astype(bool),
        "owner": frame["owner"]})
    return rows[rows["flagged"]] if flagged_only else rows


def cmd_escalations(args, open_store: OpenStore) -> int:
    """Print the open escalations as of ``--as-of`` (default now) as a table, CSV or JSON."""
    try:
        db = open_store(args.db)
    except StoreBusy as busy:   # a running dashboard holds the file: its read API gives the same escalations
        import pandas as pd

        instant = as_of(args.as_of, deployment_timezone())
        records = records_with(read_through_api(busy, "/api/v1/escalations", {"as_of": instant.isoformat()}),
                               ESCALATION_FIELDS, "/api/v1/escalations")
        rows = cli_rows_of(pd.DataFrame.from_records(records, columns=ESCALATION_FIELDS), flagged_only=args.flagged)
    else:
        rows = open_cli_rows(db, now=as_of(args.as_of, db.timezone), flagged_only=args.flagged)
    if args.format == "json":
        print(rows.to_json(orient="records", force_ascii=False))
    elif args.format == "csv":
        print(rows.to_csv(index=False), end="")
    else:
        print(rows.to_string(index=False) if len(rows) else "no open escalation")
    return 0
