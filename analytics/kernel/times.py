"""Instants: every time a service stores is an aware UTC datetime; a naive one is read in the deployment zone."""
from __future__ import annotations

import math
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utc_now(now: datetime | None = None) -> datetime:
    """``now`` (the instant a caller fixed, e.g. a test) or the current instant, in UTC."""
    return (now or datetime.now(UTC)).astimezone(UTC)


def to_utc(value, tz: str) -> datetime | None:
    """An aware UTC datetime from a datetime, pandas Timestamp or date (naive: read in ``tz``); None when missing
    (None, NaN, NaT: what a table editor gives for an empty cell)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp, or NaT (never equal to itself)
        if value != value:
            return None
        value = value.to_pydatetime()
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return (value.replace(tzinfo=ZoneInfo(tz)) if value.tzinfo is None else value).astimezone(UTC)
