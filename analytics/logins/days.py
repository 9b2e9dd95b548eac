"""Local days in SQL without a time-zone conversion per row.

Converting millions of TIMESTAMPTZ values to a local date one by one is the
slowest part of a scan. Between two daylight-saving changes the offset from UTC is
constant, so the local day of an instant is plain integer arithmetic on its epoch
microseconds. :func:`local_day_sql` finds the changes of a time zone over a span
with ``zoneinfo`` and returns a CASE expression choosing the offset, with the
change instants and offsets as bound parameters.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.kernel.sql import identifier

US = 1_000_000
DAY_US = 86_400 * US
DAY_COLUMNS = ("occurred_at", "e.occurred_at")  # the instants whose local day the figures need
DAY_PREFIXES = ("day",)


def offset_changes(tz: str, start: datetime, end: datetime) -> tuple[int, list[tuple[int, int]]]:
    """The UTC offset (µs) at ``start`` and each (instant µs, new offset µs) change up to ``end``."""
    zone = ZoneInfo(tz)
    start, end = start.astimezone(UTC), end.astimezone(UTC)

    def offset(at: datetime) -> int:
        return int(at.astimezone(zone).utcoffset().total_seconds()) * US

    first = offset(start)
    changes, current, at = [], first, start
    while at < end:
        step = min(at + timedelta(hours=6), end)
        if offset(step) != current:
            low, high = at, step
            while high - low > timedelta(minutes=1):  # offsets change on whole minutes
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            instant = high.replace(second=0, microsecond=0)
            current = offset(instant)
            changes.append((int(instant.timestamp()) * US, current))
        at = step
    return first, changes


def local_day_sql(column: str, tz: str, start: datetime, end: datetime, *, prefix: str = "day") -> tuple[str, dict]:
    """DATE expression of ``column``'s local day in ``tz`` (exact between ``start`` and ``end``), and params."""
    column, prefix = identifier(column, DAY_COLUMNS), identifier(prefix, DAY_PREFIXES)
    first, changes = offset_changes(tz, start, end)
    us = f"epoch_us({column})"
    params = {f"{prefix}_o0": first}
    offset = f"${prefix}_o0"
    if changes:
        whens = []
        for i, (instant, value) in enumerate(changes):
            params[f"{prefix}_t{i}"], params[f"{prefix}_o{i + 1}"] = instant, value
        whens = [f"WHEN {us} < ${prefix}_t{i} THEN ${prefix}_o{i}" for i in range(len(changes))]
        offset = f"CASE {' '.join(whens)} ELSE ${prefix}_o{len(changes)} END"
    return f"(DATE '1970-01-01' + CAST(({us} + {offset}) // {DAY_US} AS INTEGER))", params
