"""Instants: every time a service stores is an aware UTC datetime; a naive one is read in the deployment zone."""
from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

US = 1_000_000


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


def offset_changes(tz: str, start: datetime, end: datetime,
                   step: timedelta = timedelta(hours=6)) -> tuple[int, list[tuple[int, int]]]:
    """The UTC offset (µs) at ``start`` and each (instant µs, new offset µs) change up to ``end``
    (looked for every ``step``: at most one change per step)."""
    zone = ZoneInfo(tz)
    start, end = start.astimezone(UTC), end.astimezone(UTC)

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds()) * US

    first = offset(start)
    changes, current, at = [], first, start
    while at < end:
        step_end = min(at + step, end)
        if offset(step_end) != current:
            low, high = at, step_end
            while high - low > timedelta(minutes=1):  # offsets change on whole minutes
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            instant = high.replace(second=0, microsecond=0)
            current = offset(instant)
            changes.append((int(instant.timestamp()) * US, current))
        at = step_end
    return first, changes


@lru_cache(maxsize=8)
def zone_offsets(tz: str) -> tuple[tuple[float, float], ...]:
    """(from epoch second, UTC offset in seconds) of ``tz`` from 1970 to 2100, the first from the beginning of time."""
    first, changes = offset_changes(tz, datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC),
                                    step=timedelta(days=1))
    return ((-1e12, first / US), *((instant / US, offset / US) for instant, offset in changes))


def local_day_of_seconds(seconds_sql: str, tz: str, start: datetime, end: datetime,
                         prefix: str) -> tuple[str, dict]:
    """DATE expression of the local day in ``tz`` of epoch seconds ``seconds_sql`` (an expression the caller
    writes, never user text), exact between ``start`` and ``end``: plain arithmetic between the offset
    changes found there, bound as ``$<prefix>_t<i>`` / ``$<prefix>_o<i>``."""
    first, changes = offset_changes(tz, start, end, step=timedelta(days=1))
    params = {f"{prefix}_o0": first / US}
    whens = []
    for i, (instant, value) in enumerate(changes):
        params[f"{prefix}_t{i}"], params[f"{prefix}_o{i + 1}"] = instant / US, value / US
        whens.append(f"WHEN {seconds_sql} < ${prefix}_t{i} THEN ${prefix}_o{i}")
    offset = f"CASE {' '.join(whens)} ELSE ${prefix}_o{len(changes)} END" if whens else f"${prefix}_o0"
    return f"(DATE '1970-01-01' + CAST(floor(({seconds_sql} + {offset}) / 86400) AS INTEGER))", params
