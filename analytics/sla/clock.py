"""How a ticket's SLA clocks ran, in words: start, calendar, target, deadline, decision.

Built on the same per-ticket measures as every figure (``analytics.sla.engine``), so the
explanation and the numbers can never disagree.
"""
from __future__ import annotations

from datetime import datetime

import holidays as holidays_lib
import pandas as pd

from analytics.sla.engine import DEFAULT_CONTRACT, at_risk_share, ticket_measures
from analytics.sla.filters import TicketFilter
from analytics.store.database import Database


def format_duration(seconds: float | None) -> str:
    """'2 h 05 min', '3 d 4 h' or '12 min' for a number of seconds (sign kept)."""
    if seconds is None or pd.isna(seconds):
        return "-"
    sign = "-" if seconds < 0 else ""
    minutes = int(round(abs(seconds) / 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {mins:02d} min"
    return f"{sign}{mins} min"


def ticket_by_reference(db: Database, reference: str) -> dict | None:
    """The ticket row with its company name, or None."""
    frame = db.query("SELECT t.*, c.name AS company FROM tickets t JOIN companies c ON c.id = t.company_id "
                     "WHERE t.reference = ?", [reference])
    return None if frame.empty else frame.iloc[0].to_dict()


def calendar_description(db: Database, calendar_id: int) -> str:
    """'24/7 (round the clock)' or 'Business hours (Paris): Mon 09:00-18:00, ..., Fri 09:00-18:00 (Europe/Paris),
    public holidays FR; 1 business day = 9 working hours'."""
    cal = db.rows("SELECT name, timezone, always_open, holiday_country, hours_per_day FROM calendars "
                  "WHERE id = ?", [calendar_id])[0]
    name, tz, always_open, country, hours_per_day = cal
    if always_open:
        return f"{name} (round the clock)"
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    hours = db.rows("SELECT weekday, start_time, end_time FROM calendar_hours WHERE calendar_id = ? ORDER BY 1, 2",
                    [calendar_id])  # formatted here: DuckDB has no strftime for a TIME
    spans = ", ".join(f"{days[w]} {a:%H:%M}-{b:%H:%M}" for w, a, b in hours)
    holidays = f", public holidays {country}" if country else ""
    return f"{name}: {spans} ({tz}){holidays}; 1 business day = {hours_per_day:g} working hours"


def explain_clock(db: Database, reference: str, *, as_of: datetime, at_risk: float | None = None) -> list[dict]:
    """One explanation per measure of the ticket, each with the figures and the sentences."""
    at_risk = at_risk_share(db, at_risk)
    ticket = ticket_by_reference(db, reference)
    if ticket is None:
        return []
    measures = ticket_measures(db, TicketFilter(ticket_ids=(int(ticket["id"]),)), as_of=as_of, at_risk=at_risk)
    explanations = []
    for row in measures.sort_values("measure", ascending=False).to_dict("records"):
        what = "first response" if row["measure"] == "response" else "resolution"
        lines = [
            f"The {what} clock started when the ticket was opened, {row['opened_at']:%a %d %b %Y %H:%M %Z}.",
            f"It runs on {calendar_description(db, row['calendar_id'])}.",
            f"Severity {row['severity']}{_under_contract(db, row['contract_id'])} allows "
            f"{format_duration(row['target_seconds'])} of that clock: the deadline was {row['deadline']:%a %d %b %Y %H:%M %Z}.",
        ]
        closed = _closed_days(db, row["calendar_id"], row["opened_at"], row["deadline"])
        if closed:
            lines.append("Closed days on the way: " + "; ".join(closed) + ".")
        if row["state"] in ("met", "breached") and pd.notna(row["ended_at"]) and row["ended_at"] <= as_of:
            lines.append(f"The {what} came {row['ended_at']:%a %d %b %Y %H:%M %Z}, after "
                         f"{format_duration(row['elapsed_s'])} on the clock: target "
                         f"{'met' if row['state'] == 'met' else 'breached by ' + format_duration(-row['left_s'])}.")
        elif row["state"] == "breached":
            lines.append(f"No {what} yet: the target was breached at the deadline and is "
                         f"{format_duration(-row['left_s'])} over.")
        else:
            lines.append(f"No {what} yet: {format_duration(row['elapsed_s'])} used "
                         f"({row['used_share']:.0%}), {format_duration(row['left_s'])} left"
                         + (" — at risk." if row["state"] == "at_risk" else "."))
        explanations.append({**row, "lines": lines})
    return explanations


def _under_contract(db: Database, contract_id: int) -> str:
    """' under the Premium contract' when the ticket's company was under a contract besides Standard."""
    if int(contract_id) == DEFAULT_CONTRACT:
        return ""
    return f" under the {db.scalar('SELECT name FROM contracts WHERE id = ?', [int(contract_id)])} contract"


def _closed_days(db: Database, calendar_id: int, start, end) -> list[str]:
    row = db.rows("SELECT always_open, holiday_country, holiday_subdiv FROM calendars WHERE id = ?",
                  [calendar_id])[0]
    if row[0] or not row[1] or pd.isna(start) or pd.isna(end):
        return []
    public = holidays_lib.country_holidays(row[1], subdiv=row[2], years=range(start.year, end.year + 1))
    return [f"{day:%a %d %b} ({name})" for day, name in sorted(public.items())
            if start.date() <= day <= end.date()]
