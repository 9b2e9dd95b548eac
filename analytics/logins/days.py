"""Local days in SQL without a time-zone conversion per row.

Converting millions of TIMESTAMPTZ values to a local date one by one is the
slowest part of a scan. Between two daylight-saving changes the offset from UTC is
constant, so the local day of an instant is plain integer arithmetic on its epoch
microseconds. :func:`local_day_sql` finds the changes of a time zone over a span
with ``zoneinfo`` and returns a CASE expression choosing the offset, with the
change instants and offsets as bound parameters.
"""
from __future__ import annotations

from datetime import datetime

from analytics.kernel.sql import identifier
from analytics.kernel.times import US, offset_changes  # noqa: F401  (offset_changes: part of this API)

DAY_US = 86_400 * US
DAY_COLUMNS = ("occurred_at", "e.occurred_at")  # the instants whose local day the figures need
DAY_PREFIXES = ("day",)


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
