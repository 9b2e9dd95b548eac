"""Argument types every domain's commands share: dates, months, timestamps, and "as of" read in the deployment zone."""
from __future__ import annotations

import argparse
from datetime import date, datetime

from analytics.kernel.times import to_utc, utc_now

FORMATS = ("table", "csv", "json")


def date_argument(text: str) -> date:
    """A ``YYYY-MM-DD`` argument."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def month_argument(text: str) -> date:
    """A ``YYYY-MM`` argument, as the month's first day."""
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month (YYYY-MM)") from None


def timestamp_argument(text: str) -> datetime:
    """An ISO 8601 timestamp argument (naive: read later in the deployment time zone)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 timestamp") from None


def as_of(value: datetime | None, tz: str) -> datetime:
    """The instant a command computes for: ``--as-of`` (naive: in ``tz``), else now."""
    return utc_now() if value is None else to_utc(value, tz)
