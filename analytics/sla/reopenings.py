"""Reopenings and first-contact resolution (issue 18, item 3), per team, channel or category.

Both read the tickets opened in a period (the filters of every ticket page) and their events:

- a ticket is **reopened** when it has at least one ``reopened`` event; the **reopen rate** is the
  reopened tickets over the tickets resolved at least once (resolved now, or reopened since);
- a ticket is **resolved at first contact** when it is resolved, was never reopened, and its
  resolution came at most ``sla.fcr_window_minutes`` (10 by default) after its first response
  (a ticket resolved without a separate first response was answered by its resolution, as the SLA
  engine reads it: resolved at first contact); the **first-contact resolution rate** is those over
  the resolved tickets.

One group-by over the tickets, with the reopenings counted per ticket beside them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.kernel.periods import Period
from analytics.kernel.sql import identifier
from analytics.sla.filters import TicketFilter
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd

GROUPS = {"team": "t.team", "channel": "t.channel", "category": "t.category"}
FIGURES = ("tickets", "resolved_once", "reopened", "reopenings", "reopen_pct", "resolved", "first_contact", "fcr_pct")


def fcr_window_minutes(db: Database, given: float | None = None) -> float:
    """The first-contact window in minutes: ``given``, else the setting ``sla.fcr_window_minutes``."""
    if given is not None:
        return float(given)
    from analytics.settings.queries import get_setting

    return float(get_setting(db, "sla.fcr_window_minutes"))


def _sql(group: str | None, flt: TicketFilter) -> tuple[str, dict]:
    where, params = flt.sql("t")
    key = f"{GROUPS[group]} AS {group}, " if group else ""
    sql = f"""
    WITH t AS (SELECT t.id, t.team, t.channel, t.category, t.first_response_at, t.resolved_at FROM tickets t
               WHERE t.opened_at >= $from AND t.opened_at < $to AND {where}),
    ev AS (SELECT e.ticket_id, count(*) AS reopenings FROM ticket_events e
           WHERE e.kind = 'reopened' AND e.ticket_id IN (SELECT id FROM t) GROUP BY e.ticket_id),
    f AS (SELECT t.*, coalesce(ev.reopenings, 0) AS reopenings,
                 t.resolved_at IS NOT NULL AND ev.reopenings IS NULL
                 AND epoch(t.resolved_at) - epoch(coalesce(t.first_response_at, t.resolved_at)) <= $window_s AS fcr
          FROM t LEFT JOIN ev ON ev.ticket_id = t.id)
    SELECT {key}count(*) AS tickets,
           count(*) FILTER (WHERE t.resolved_at IS NOT NULL OR t.reopenings > 0) AS resolved_once,
           count(*) FILTER (WHERE t.reopenings > 0) AS reopened, coalesce(sum(t.reopenings), 0) AS reopenings,
           round(100.0 * count(*) FILTER (WHERE t.reopenings > 0)
                 / nullif(count(*) FILTER (WHERE t.resolved_at IS NOT NULL OR t.reopenings > 0), 0), 1) AS reopen_pct,
           count(*) FILTER (WHERE t.resolved_at IS NOT NULL) AS resolved,
           count(*) FILTER (WHERE t.fcr) AS first_contact,
           round(100.0 * count(*) FILTER (WHERE t.fcr)
                 / nullif(count(*) FILTER (WHERE t.resolved_at IS NOT NULL), 0), 1) AS fcr_pct
    FROM f t"""
    return sql, params


def _params(db: Database, period: Period, params: dict, window: float | None) -> dict:
    start, end = period.bounds()
    return {**params, "from": start, "to": end, "window_s": fcr_window_minutes(db, window) * 60}


def reopen_and_fcr(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, by: str = "team",
                   window: float | None = None) -> pd.DataFrame:
    """Per ``by`` (team, channel, category) of the tickets opened in ``period``: tickets, resolved_once,
    reopened, reopenings, reopen_pct, resolved, first_contact, fcr_pct (most tickets first)."""
    group = identifier(by, tuple(GROUPS))
    sql, params = _sql(group, flt)
    frame = db.query(f"{sql} GROUP BY ALL ORDER BY tickets DESC, {group} NULLS LAST", _params(db, period, params, window))
    ints = [c for c in FIGURES if not c.endswith("_pct")]
    return frame.astype({c: "int64" for c in ints})


def totals(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *,
           window: float | None = None) -> dict:
    """The same figures over every ticket opened in ``period`` (the percentages None when nothing to divide)."""
    sql, params = _sql(None, flt)
    row = db.query(sql, _params(db, period, params, window)).iloc[0].to_dict()
    return {k: (None if v is None or v != v else float(v) if k.endswith("_pct") else int(v)) for k, v in row.items()}
