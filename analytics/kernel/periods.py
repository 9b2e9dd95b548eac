"""A period of local dates: half-open [start, end), cut at midnight in the deployment time zone."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    """A half-open period [start, end) of local dates, cut at midnight in ``timezone``."""

    start: date
    end: date
    timezone: str = "Europe/Paris"

    def bounds(self) -> tuple[datetime, datetime]:
        """The period's first and first-excluded instants, time-zone aware."""
        tz = ZoneInfo(self.timezone)
        return (datetime.combine(self.start, time(0), tz), datetime.combine(self.end, time(0), tz))
