"""When a scheduled job is due: pure functions of ``now``, the deployment time zone and the settings.

A monthly schedule (day ``1``-``28``, hour ``0``-``23``) falls at that local wall-clock time each
month, whatever the UTC offset that day (across a DST change the hour stays the local hour). The
period a run covers is decided by the latest scheduled instant at or before ``now``: so a tick
long after the instant (the server was down) still names that one period, and catching up is at
most one run, never one per missed month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Due:
    """The period a job's latest scheduled instant covers, and that instant (UTC)."""

    period: str
    due_at: datetime


def _previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def monthly_due(now: datetime, tz: str, *, day: int, hour: int) -> Due:
    """The latest ``day`` at ``hour`` (local) at or before ``now``; it reports the month before it."""
    zone = ZoneInfo(tz)
    first = now.astimezone(zone).date().replace(day=1)
    instant = datetime(first.year, first.month, day, hour, tzinfo=zone)
    if instant.astimezone(UTC) > now.astimezone(UTC):
        first = _previous_month(first)
        instant = datetime(first.year, first.month, day, hour, tzinfo=zone)
    return Due(period=f"{_previous_month(first):%Y-%m}", due_at=instant.astimezone(UTC))
