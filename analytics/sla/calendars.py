"""Business calendars: working intervals derived from calendar data.

A calendar is data (``calendars``, ``calendar_hours``, ``calendar_closures``); public
holidays come from the ``holidays`` package. This module turns each calendar into
``calendar_intervals``: every working interval as epoch seconds with the working
seconds accumulated before it. With that table, the working time between two
instants is ``W(t1) - W(t0)`` and a deadline is the instant where ``W`` reaches a
value: two ASOF joins in DuckDB, whatever the number of tickets. Local opening
hours are converted with ``zoneinfo`` day by day, so daylight-saving changes move
the UTC instants and never bend a duration.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from analytics.store.cursor import Cursor
from analytics.store.database import Database
from analytics.store.reading import read_rows

if TYPE_CHECKING:
    import pandas as pd

FIRST_DAY = date(2010, 1, 1)
LAST_DAY = date(2040, 12, 31)
ALWAYS_OPEN_START = datetime(1970, 1, 1, tzinfo=ZoneInfo("UTC"))
ALWAYS_OPEN_END = datetime(2100, 1, 1, tzinfo=ZoneInfo("UTC"))


@dataclass
class Calendar:
    """One business calendar as the administrator defines it."""

    id: int
    name: str
    timezone: str
    hours_per_day: float
    holiday_country: str | None = None
    holiday_subdiv: str | None = None
    always_open: bool = False
    hours: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    closures: set[date] = field(default_factory=set)

    def closed_days(self, first: date, last: date) -> set[date]:
        """Public holidays and closures between two dates."""
        days = {d for d in self.closures if first <= d <= last}
        if self.holiday_country:
            import holidays as holidays_lib  # loaded when intervals are derived, not at every start
            public = holidays_lib.country_holidays(
                self.holiday_country,
                subdiv=self.holiday_subdiv,
                years=range(first.year, last.year + 1),
            )
            days |= {d for d in public if first <= d <= last}
        return days


def working_intervals(cal: Calendar, first: date = FIRST_DAY, last: date = LAST_DAY) -> pd.DataFrame:
    """The calendar's working intervals with cumulative working seconds."""
    import pandas as pd

    if cal.always_open:
        start, end = ALWAYS_OPEN_START.timestamp(), ALWAYS_OPEN_END.timestamp()
        spans = [(start, end)]
    else:
        tz = ZoneInfo(cal.timezone)
        closed = cal.closed_days(first, last)
        spans = []
        day = first
        while day <= last:
            if day not in closed:
                for opens, closes in cal.hours.get(day.weekday(), []):
                    start = datetime.combine(day, opens, tz).timestamp()
                    end = datetime.combine(day, closes, tz).timestamp()
                    if end > start:
                        spans.append((start, end))
            day += timedelta(days=1)
    frame = pd.DataFrame(spans, columns=["start_s", "end_s"]).sort_values("start_s")
    frame["seconds"] = frame["end_s"] - frame["start_s"]
    frame["cum_start"] = frame["seconds"].cumsum() - frame["seconds"]
    frame.insert(0, "calendar_id", cal.id)
    return frame.reset_index(drop=True)


def load_calendars(reader: Database | Cursor) -> list[Calendar]:
    """Every calendar with its weekly hours and closures, from the store or from a cursor inside the
    caller's write transaction (a calendar edit derives its intervals from what it just wrote)."""
    cals = {
        row[0]: Calendar(*row)
        for row in read_rows(
            reader,
            "SELECT id, name, timezone, hours_per_day, holiday_country, holiday_subdiv, always_open "
            "FROM calendars ORDER BY id",
        )
    }
    for cal_id, weekday, start, end in read_rows(
        reader, "SELECT calendar_id, weekday, start_time, end_time FROM calendar_hours ORDER BY 1, 2, 3"
    ):
        cals[cal_id].hours.setdefault(weekday, []).append((start, end))
    for cal_id, day in read_rows(reader, "SELECT calendar_id, day FROM calendar_closures"):
        cals[cal_id].closures.add(day)
    return list(cals.values())


def rebuild_intervals(cur, calendars: list[Calendar]) -> int:
    """Replace the derived intervals inside the caller's transaction; returns the row count."""
    cur.execute("DELETE FROM calendar_intervals")
    total = 0
    for cal in calendars:
        frame = working_intervals(cal)
        cur.register("new_intervals", frame)
        cur.execute(
            "INSERT INTO calendar_intervals SELECT calendar_id, start_s, end_s, seconds, cum_start "
            "FROM new_intervals"
        )
        cur.unregister("new_intervals")
        total += len(frame)
    return total


def ensure_intervals(db: Database) -> None:
    """Derive the intervals when the table is empty (a new database)."""
    if db.scalar("SELECT count(*) FROM calendar_intervals"):
        return
    calendars = load_calendars(db)
    db.write(rebuild_intervals, calendars)
