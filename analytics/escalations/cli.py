"""``python -m analytics escalations``: the open escalations by level, flagged when unacknowledged too long."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from analytics.kernel.arguments import FORMATS, as_of, timestamp_argument
from analytics.kernel.registry import OpenStore
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd


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
    import pandas as pd

    from analytics.escalations.stats import open_escalations

    frame = open_escalations(db, now=now)
    rows = pd.DataFrame({
        "reference": frame["reference"], "level": frame["level"], "level_name": frame["level_name"],
        "next_level": frame["next_level"], "company": frame["company"], "ticket": frame["ticket"],
        "age_h": (frame["age_s"] / 3600).round(1), "at_level_h": (frame["at_level_s"] / 3600).round(1),
        "acknowledged": frame["acknowledged_at"].notna(), "flagged": frame["flagged"].astype(bool),
        "owner": frame["owner"]})
    return rows[rows["flagged"]] if flagged_only else rows


def cmd_escalations(args, open_store: OpenStore) -> int:
    """Print the open escalations as of ``--as-of`` (default now) as a table, CSV or JSON."""
    db = open_store(args.db)
    rows = open_cli_rows(db, now=as_of(args.as_of, db.timezone), flagged_only=args.flagged)
    if args.format == "json":
        print(rows.to_json(orient="records", force_ascii=False))
    elif args.format == "csv":
        print(rows.to_csv(index=False), end="")
    else:
        print(rows.to_string(index=False) if len(rows) else "no open escalation")
    return 0
