"""Business calendars on the Settings page (admins): the list, a form to change or add one, closures.

Each calendar shows its time zone, opening hours per weekday, public holidays (country and
subdivision of the ``holidays`` package) and closures. The form takes hours as spans
(``09:00-12:00, 13:30-18:00``; blank: closed that day); a change is checked, audited and starts a
new version of the SLA rules (``analytics/sla/calendar_edits.py``); a refusal says what to fix.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import Actor, PermissionDenied
from analytics.sla.calendar_edits import WEEKDAYS, CalendarSpec, change_closure, hours_text, parse_hours, save_calendar
from analytics.sla.calendars import Calendar, load_calendars
from analytics.store.database import Database
from analytics.store.errors import DatabaseError
from ui.columns import COUNT, DATE, NUMBER, Col
from ui.tables import show_table
from ui.text import literal

NEW = 0   # the "add a calendar" choice


CALENDAR_COLUMNS = {"name": Col("Calendar"), "timezone": Col("Time zone"),
                    "hours_per_day": Col("Business day (h)", NUMBER), "hours": Col("Opening hours"),
                    "holidays": Col("Public holidays of", help="country / subdivision of the holidays package"),
                    "closures": Col("Closures", COUNT, help="closed days beyond the public holidays")}
CLOSURE_COLUMNS = {"day": Col("Closed on", DATE), "name": Col("Why")}


def _row(cal: Calendar) -> dict:
    hours = "open 24/7" if cal.always_open else "; ".join(
        f"{WEEKDAYS[d][:3]} {hours_text(s)}" for d, s in sorted(cal.hours.items()) if s) or None
    holidays = " / ".join(p for p in (cal.holiday_country, cal.holiday_subdiv) if p) or None
    return {"name": cal.name, "timezone": cal.timezone, "hours_per_day": cal.hours_per_day,
            "hours": hours, "holidays": holidays, "closures": len(cal.closures)}


def calendars_section(db: Database, actor: Actor, saved: Callable[[str], None]) -> None:
    """The calendars, the form to change one, and its closures."""
    st.subheader("Business calendars")
    calendars = {c.id: c for c in load_calendars(db)}
    show_table(pd.DataFrame([_row(c) for c in calendars.values()]), key="settings_calendars", tz=db.timezone,
               columns=CALENDAR_COLUMNS)
    st.caption("A changed calendar measures every ticket on it again, past ones included (a new version of the "
               "SLA rules, recomputed in the background).")
    choices = [NEW, *calendars]
    picked = st.selectbox("Calendar to change", choices, key="settings_calendar",
                          format_func=lambda i: "Add a calendar" if i == NEW else calendars[i].name)
    current = calendars.get(picked)
    _form(db, actor, saved, picked, current)
    if current is not None and not current.always_open:
        _closures(db, actor, saved, current)


def _form(db: Database, actor: Actor, saved: Callable[[str], None], picked: int, current: Calendar | None) -> None:
    with st.form(f"settings_calendar_form_{picked}"):
        cols = st.columns(4)
        name = cols[0].text_input("Name", value=current.name if current else "", key=f"settings_calendar_{picked}_name")
        zone = cols[1].text_input("Time zone", value=current.timezone if current else "Europe/Paris",
                                  help="an IANA name, e.g. Europe/Rome", key=f"settings_calendar_{picked}_zone")
        country = cols[2].text_input("Holidays of (country)", value=(current.holiday_country or "") if current else "",
                                     help="ISO code of the holidays package (FR, IT, DE, US...); blank: none",
                                     key=f"settings_calendar_{picked}_country")
        subdiv = cols[3].text_input("Subdivision", value=(current.holiday_subdiv or "") if current else "",
                                    help="e.g. BY for Bavaria; blank: the whole country",
                                    key=f"settings_calendar_{picked}_subdiv")
        cols = st.columns(2)
        day = cols[0].number_input("Business day (hours)", min_value=0.5, max_value=24.0, step=0.5, format="%g",
                                   value=float(current.hours_per_day) if current else 9.0,
                                   key=f"settings_calendar_{picked}_day")
        always = cols[1].checkbox("Open 24/7", value=bool(current.always_open) if current else False,
                                  key=f"settings_calendar_{picked}_always")
        spans = {}
        for weekday, label in enumerate(WEEKDAYS):
            default = hours_text(current.hours.get(weekday, [])) if current else ("09:00-18:00" if weekday < 5 else "")
            spans[weekday] = st.text_input(label, value=default, key=f"settings_calendar_{picked}_{weekday}",
                                           help="spans like 09:00-12:00, 13:30-18:00; blank: closed")
        submitted = st.form_submit_button("Save calendar", type="primary")
    if not submitted:
        return
    try:
        hours = {d: parse_hours(text, d) for d, text in spans.items()}
        spec = CalendarSpec(name=name, timezone=zone.strip(), hours_per_day=float(day), holiday_country=country,
                            holiday_subdiv=subdiv, always_open=always, hours={d: s for d, s in hours.items() if s})
        saved_id = save_calendar(db, actor=actor, calendar_id=None if picked == NEW else picked, spec=spec)
    except (RuleRefused, PermissionDenied, DatabaseError) as exc:
        st.error(literal(exc), icon=":material/error:")
        return
    saved(f"Calendar {spec.name} saved (#{saved_id}); the SLA figures are recomputed for it.")
    st.rerun()


def _closures(db: Database, actor: Actor, saved: Callable[[str], None], cal: Calendar) -> None:
    st.markdown(f"**Closures of {literal(cal.name)}** (beyond its public holidays)")
    rows = db.rows("SELECT day, name FROM calendar_closures WHERE calendar_id = ? ORDER BY day", [cal.id])
    if rows:
        show_table(pd.DataFrame(rows, columns=["day", "name"]), key=f"settings_closures_{cal.id}", tz=db.timezone,
                   columns=CLOSURE_COLUMNS)
    with st.form(f"settings_closure_form_{cal.id}"):
        cols = st.columns([1, 2, 1])
        day = cols[0].date_input("Day", value=datetime.now(ZoneInfo(db.timezone)).date(), key=f"settings_closure_day_{cal.id}")
        why = cols[1].text_input("Why", key=f"settings_closure_name_{cal.id}", placeholder="e.g. Company day")
        remove = cols[2].checkbox("Remove this closure", key=f"settings_closure_remove_{cal.id}")
        submitted = st.form_submit_button("Save closure")
    if not submitted:
        return
    try:
        change_closure(db, actor=actor, calendar_id=cal.id, day=day, name=why, remove=remove)
    except (RuleRefused, PermissionDenied, DatabaseError) as exc:
        st.error(literal(exc), icon=":material/error:")
        return
    saved(f"{cal.name}: {day:%Y-%m-%d} {'open again' if remove else 'closed'}.")
    st.rerun()
