"""Editing business calendars (administrators): time zone, hours per weekday, holidays, closures.

A calendar is data (``analytics/sla/calendars.py``). Each change here is checked first, in words:
a time zone ``zoneinfo`` knows, a holiday country and subdivision the ``holidays`` package knows
(``IT``, ``DE`` with ``BY``, ...), opening hours that start before they end and do not overlap, a
business day of more than 0 and at most 24 hours, a closure on a real date. Then it is written in
one transaction with its audit row, and every calendar's working intervals are derived again in
that transaction; the SLA ledger sees its rule tables change and starts a new version of the
rules, rebuilt in the background while the figures of the previous version keep showing (README
"SLA ledger"). History is measured again under the new calendar, as for a changed target.
"""
from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, time

from analytics.audit import service as audit
from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import ADMIN, Actor, require_role
from analytics.sla.calendars import Calendar, load_calendars, rebuild_intervals
from analytics.store.database import Database

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class CalendarError(RuleRefused):
    """A calendar change that cannot be saved; the message says what to fix."""


@dataclass
class CalendarSpec:
    """What an administrator sets for one calendar."""

    name: str
    timezone: str
    hours_per_day: float
    holiday_country: str | None = None
    holiday_subdiv: str | None = None
    always_open: bool = False
    hours: dict[int, list[tuple[time, time]]] = field(default_factory=dict)


def parse_hours(text: str, weekday: int) -> list[tuple[time, time]]:
    """``"09:00-12:00, 13:30-18:00"`` (blank: closed that day) as (start, end) pairs."""
    spans = []
    for part in [p for p in (text or "").split(",") if p.strip()]:
        found = SPAN.match(part)
        if not found:
            raise CalendarError(f"{WEEKDAYS[weekday]}: {part.strip()!r} is not a span like 09:00-18:00")
        h1, m1, h2, m2 = (int(g) for g in found.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise CalendarError(f"{WEEKDAYS[weekday]}: {part.strip()!r} is not a time of day")
        end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
        spans.append((time(h1, m1), end))
    return spans


def hours_text(spans: list[tuple[time, time]]) -> str:
    """The inverse of :func:`parse_hours`."""
    return ", ".join(f"{a:%H:%M}-{'24:00' if b == time(23, 59, 59) else f'{b:%H:%M}'}" for a, b in spans)


def check_spec(spec: CalendarSpec) -> None:
    """Refuse, in words, a calendar that cannot measure time."""
    if not spec.name.strip():
        raise CalendarError("A calendar needs a name")
    if spec.timezone not in zoneinfo.available_timezones():
        raise CalendarError(f"{spec.timezone!r} is not a known time zone (e.g. Europe/Rome)")
    if not 0 < float(spec.hours_per_day) <= 24:
        raise CalendarError("A business day lasts more than 0 and at most 24 hours")
    if spec.holiday_country:
        import holidays as holidays_lib

        supported = holidays_lib.list_supported_countries()
        if spec.holiday_country not in supported:
            raise CalendarError(f"{spec.holiday_country!r} is not a holiday country the holidays package knows "
                                f"(ISO codes such as FR, IT, DE, US)")
        if spec.holiday_subdiv and spec.holiday_subdiv not in supported[spec.holiday_country]:
            raise CalendarError(f"{spec.holiday_subdiv!r} is not a subdivision of {spec.holiday_country} "
                                f"({', '.join(supported[spec.holiday_country][:12]) or 'it has none'})")
    elif spec.holiday_subdiv:
        raise CalendarError("A holiday subdivision needs its country")
    for weekday, spans in spec.hours.items():
        ordered = sorted(spans)
        for start, end in ordered:
            if not start < end:
                raise CalendarError(f"{WEEKDAYS[weekday]}: {start:%H:%M} must come before {end:%H:%M}")
        for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
            if start < end:
                raise CalendarError(f"{WEEKDAYS[weekday]}: the spans overlap at {start:%H:%M}")
    if not spec.always_open and not any(spec.hours.values()):
        raise CalendarError("A calendar that is not open 24/7 needs opening hours on at least one day")


def _as_dict(cal: Calendar | CalendarSpec) -> dict:
    return {"name": cal.name, "timezone": cal.timezone, "hours_per_day": float(cal.hours_per_day),
            "holiday_country": cal.holiday_country, "holiday_subdiv": cal.holiday_subdiv,
            "always_open": bool(cal.always_open),
            "hours": {WEEKDAYS[d]: hours_text(s) for d, s in sorted(cal.hours.items()) if s}}


def save_calendar(db: Database, *, actor: Actor | None, calendar_id: int | None, spec: CalendarSpec) -> int:
    """Create (``calendar_id`` None) or change a calendar; returns its id."""
    require_role(actor, ADMIN, action="change a calendar")
    spec.holiday_country = (spec.holiday_country or "").strip().upper() or None
    spec.holiday_subdiv = (spec.holiday_subdiv or "").strip().upper() or None
    spec.name = spec.name.strip()
    check_spec(spec)
    known = {c.id: c for c in load_calendars(db)}
    if calendar_id is not None and calendar_id not in known:
        raise CalendarError(f"There is no calendar with id {calendar_id}")
    if any(c.name == spec.name and c.id != calendar_id for c in known.values()):
        raise CalendarError(f"There is already a calendar named {spec.name!r}")

    def work(cur) -> int:
        target = calendar_id if calendar_id is not None else max(known, default=0) + 1
        before = _as_dict(known[calendar_id]) if calendar_id is not None else None
        if before == _as_dict(spec):
            return target
        cur.execute("DELETE FROM calendars WHERE id = ?", [target])
        cur.execute("INSERT INTO calendars VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [target, spec.name, spec.timezone, float(spec.hours_per_day), spec.holiday_country,
                     spec.holiday_subdiv, bool(spec.always_open)])
        cur.execute("DELETE FROM calendar_hours WHERE calendar_id = ?", [target])
        spans = [[target, d, a, b] for d, day_spans in spec.hours.items() for a, b in day_spans]
        if spans:
            cur.executemany("INSERT INTO calendar_hours VALUES (?, ?, ?, ?)", spans)
        _derive(cur)
        audit.record(cur, actor=actor, action="create" if before is None else "change", entity="calendar",
                     entity_id=target, before=before, after=_as_dict(spec))
        return target

    return db.write(work)


def _derive(cur) -> None:
    rebuild_intervals(cur, load_calendars(cur))


def change_closure(db: Database, *, actor: Actor | None, calendar_id: int, day: date, name: str = "",
                   remove: bool = False) -> None:
    """Add (or remove) a closed day of a calendar beyond its public holidays."""
    require_role(actor, ADMIN, action="change a calendar")
    if calendar_id not in {c.id for c in load_calendars(db)}:
        raise CalendarError(f"There is no calendar with id {calendar_id}")
    if not remove and not name.strip():
        raise CalendarError("A closure needs a name (e.g. 'Company day')")

    def work(cur) -> None:
        exists = cur.execute("SELECT name FROM calendar_closures WHERE calendar_id = ? AND day = ?",
                             [calendar_id, day]).fetchone()
        if remove and exists is None:
            raise CalendarError(f"{day:%Y-%m-%d} is not a closure of this calendar")
        if not remove and exists is not None:
            raise CalendarError(f"{day:%Y-%m-%d} is already closed ({exists[0]})")
        if remove:
            cur.execute("DELETE FROM calendar_closures WHERE calendar_id = ? AND day = ?", [calendar_id, day])
        else:
            cur.execute("INSERT INTO calendar_closures VALUES (?, ?, ?)", [calendar_id, day, name.strip()])
        _derive(cur)
        audit.record(cur, actor=actor, action="change", entity="calendar_closure", entity_id=f"{calendar_id}/{day}",
                     before={"name": exists[0]} if exists else None, after=None if remove else {"name": name.strip()})

    db.write(work)
