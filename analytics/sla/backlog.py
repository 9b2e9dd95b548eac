"""Backlog aging (issue 18, item 2): the tickets open at an instant, how old they are, and the backlog per week.

A ticket is *open* at ``as_of`` when it was opened by then and not resolved by then (its
resolution measure has not ended). Its age is read two ways:

- **wall clock**: ``as_of - opened_at``, in days of 24 hours;
- **business age**: the working time between its opening and ``as_of`` on the calendar of its
  resolution target (``W(as_of) - W(opened_at)`` over the working intervals, one ASOF join), in
  business days of that calendar's working hours per day (9 h on the default calendar; 24 h on a
  24/7 calendar, where both ages agree). Pauses do not shorten an age: the ticket is still open.

Age bands: under 1 day, 1-3, 3-7, 7-14, 14-30 and over 30 days (a band holds its lower bound).
Everything is read from the SLA ledger under one version of the rules (its rows carry each
ticket's opening, resolution and calendar), or from the tickets and the rule tables before a
ledger exists.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from analytics.kernel.periods import Period
from analytics.kernel.sql import identifier
from analytics.sla.engine import TARGETS_SQL, at_risk_share
from analytics.sla.filters import CONTRACT_OF, TicketFilter
from analytics.sla.measures import measures_for, reading_version
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd

BANDS = (("under_1d", 0, 1), ("d1_3", 1, 3), ("d3_7", 3, 7), ("d7_14", 7, 14), ("d14_30", 14, 30),
         ("over_30d", 30, None))
GROUPS = {"severity": "a.severity", "team": "a.team", "company": "co.name"}
CLOCKS = {"wall": "a.age_days", "business": "a.business_days"}


def _source(db: Database, flt: TicketFilter, version: int | None) -> tuple[str, str, dict]:
    """The rows of every ticket (ticket_id, severity, team, company_id, calendar_id, opened_at, resolved_at)
    and the working intervals they are measured on, under the version read (or the rule tables)."""
    chosen = reading_version(db, version)
    if chosen is None:
        where, params = flt.sql("t")
        rows = f"""SELECT t.id AS ticket_id, t.severity, t.team, t.company_id, g.calendar_id, t.opened_at,
                          t.resolved_at FROM tickets t
                   JOIN ({TARGETS_SQL}) g ON g.severity = t.severity AND g.measure = 'resolution'
                    AND g.contract_id = {CONTRACT_OF.format(alias="t")} WHERE {where}"""
        return rows, "calendar_intervals", params
    where, params = flt.sql("l")
    rows = f"""SELECT l.ticket_id, l.severity, l.team, l.company_id, l.calendar_id, l.opened_at, l.ended_at AS resolved_at
               FROM sla_ledger l WHERE l.version = $rules_version AND l.measure = 'resolution' AND {where}"""
    intervals = "(SELECT * FROM sla_version_intervals WHERE version = $rules_version)"
    return rows, intervals, {**params, "rules_version": chosen.version}


def aged_sql(db: Database, flt: TicketFilter, version: int | None) -> tuple[str, dict]:
    """SQL of the tickets open at ``$as_of`` with ``age_days`` and ``business_days``, and its parameters."""
    rows, intervals, params = _source(db, flt, version)
    sql = f"""
    WITH rows AS ({rows}),
    o AS (SELECT *, epoch(opened_at) AS start_s FROM rows
          WHERE opened_at <= $as_of AND (resolved_at IS NULL OR resolved_at > $as_of)),
    at_w AS (SELECT calendar_id, max_by(cum_start + least(epoch($as_of) - start_s, seconds), start_s) AS w_as_of
             FROM {intervals} WHERE start_s <= epoch($as_of) GROUP BY calendar_id),
    w0 AS (SELECT o.*, coalesce(ci.cum_start + least(o.start_s - ci.start_s, ci.seconds), 0) AS w_start
           FROM o ASOF LEFT JOIN {intervals} ci ON o.calendar_id = ci.calendar_id AND o.start_s >= ci.start_s)
    SELECT w0.ticket_id, w0.severity, w0.team, w0.company_id, w0.opened_at,
           (epoch($as_of) - w0.start_s) / 86400.0 AS age_days,
           (coalesce(a.w_as_of, 0) - w0.w_start) / (c.hours_per_day * 3600.0) AS business_days,
           coalesce(a.w_as_of, 0) - w0.w_start AS business_s
    FROM w0 JOIN calendars c ON c.id = w0.calendar_id LEFT JOIN at_w a ON a.calendar_id = w0.calendar_id
    """
    return sql, params


def ages(db: Database, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
         version: int | None = None) -> pd.DataFrame:
    """Every ticket open at ``as_of``, oldest first, with ``age_days``, ``business_days`` and ``business_s``."""
    sql, params = aged_sql(db, flt, version)
    return db.query(f"SELECT * FROM ({sql}) a ORDER BY opened_at, ticket_id", {**params, "as_of": as_of})


def _band_columns(column: str) -> str:
    parts = []
    for name, low, high in BANDS:
        test = f"{column} >= {low}" + (f" AND {column} < {high}" if high is not None else "")
        parts.append(f"count(*) FILTER (WHERE {test}) AS {name}")
    return ", ".join(parts)


def aging(db: Database, flt: TicketFilter = TicketFilter(), *, as_of: datetime, by: str = "severity",
          clock: str = "wall", version: int | None = None) -> pd.DataFrame:
    """Open tickets at ``as_of`` per ``by`` (severity, team, company) and age band on ``clock`` (wall, business):
    ``by, tickets, under_1d, d1_3, d3_7, d7_14, d14_30, over_30d, p90_days`` (the 90th percentile of the age)."""
    group, column = GROUPS[identifier(by, tuple(GROUPS))], CLOCKS[identifier(clock, tuple(CLOCKS))]
    sql, params = aged_sql(db, flt, version)
    return db.query(f"""
        WITH a AS ({sql})
        SELECT {group} AS {by}, count(*) AS tickets, {_band_columns(column)},
               round(quantile_cont({column}, 0.9), 1) AS p90_days
        FROM a JOIN companies co ON co.id = a.company_id
        GROUP BY ALL ORDER BY {by}""", {**params, "as_of": as_of})


def week_ends(period: Period, as_of: datetime) -> list[tuple[date, float]]:
    """The weeks (Monday to Sunday, local time) of the period that ended by ``as_of``: their Monday and the
    instant they end (the next Monday at midnight, as epoch seconds)."""
    tz = ZoneInfo(period.timezone)
    monday = period.start - timedelta(days=period.start.weekday())
    weeks = []
    while monday < period.end:
        ends = datetime.combine(monday + timedelta(days=7), time(0), tz)
        if ends > as_of:
            break
        weeks.append((monday, ends.timestamp()))
        monday += timedelta(days=7)
    return weeks


def weekly(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
           version: int | None = None) -> pd.DataFrame:
    """Per week of the period ended by ``as_of``: ``week`` (its Monday), ``open_at_end`` (tickets open at its
    end) and ``p90_days`` (the 90th percentile of their wall-clock age then, in days)."""
    import pandas as pd

    weeks = week_ends(period, as_of)
    if not weeks:
        return pd.DataFrame({"week": [], "open_at_end": [], "p90_days": []})
    rows, _, params = _source(db, flt, version)
    # A ticket open at no week end (most: resolved within days) is left out by arithmetic first: the
    # grid of weeks from the first end, widened by 2 h for the daylight-saving shift of local midnight.
    # The others find the first end after their opening and the last before their resolution (ASOF).
    frame = db.query(f"""
        WITH e AS (SELECT unnest($weeks) AS week, unnest($ends) AS end_s, unnest(range(len($ends))) AS k),
        o AS (SELECT epoch(r.opened_at) AS start_s, coalesce(epoch(r.resolved_at), 1e12) AS stop_s FROM ({rows}) r
              WHERE r.opened_at <= to_timestamp($last) AND (r.resolved_at IS NULL OR r.resolved_at > to_timestamp($first))),
        crossing AS (SELECT * FROM o WHERE floor((start_s - $first - 7200) / 604800)
                                           <> floor((least(stop_s, $last + 604800) - $first + 7200) / 604800)),
        k0 AS (SELECT c.*, e.k AS k0 FROM crossing c ASOF JOIN e ON c.start_s <= e.end_s),
        k1 AS (SELECT k0.*, e.k AS k1 FROM k0 ASOF JOIN e ON k0.stop_s > e.end_s),
        spans AS (SELECT start_s, unnest(range(k0, k1 + 1)) AS k FROM k1 WHERE k1 >= k0)
        SELECT e.week, count(s.start_s) AS open_at_end,
               round(quantile_cont((e.end_s - s.start_s) / 86400.0, 0.9), 1) AS p90_days
        FROM e LEFT JOIN spans s ON s.k = e.k
        GROUP BY e.week ORDER BY e.week""",
        {**params, "weeks": [w for w, _ in weeks], "ends": [s for _, s in weeks], "first": weeks[0][1],
         "last": weeks[-1][1]})
    return frame


def oldest(db: Database, flt: TicketFilter = TicketFilter(), *, as_of: datetime, limit: int = 20,
           version: int | None = None) -> pd.DataFrame:
    """The ``limit`` oldest tickets open at ``as_of`` with their ages and their resolution clock (deadline,
    state, time left in working hours), oldest first."""
    sql, params = aged_sql(db, flt, version)
    frame = db.query(f"""
        WITH a AS ({sql}), picked AS (SELECT * FROM a ORDER BY opened_at, ticket_id LIMIT $limit)
        SELECT t.reference, co.name AS company, p.severity, p.team, t.status, p.opened_at,
               round(p.age_days, 1) AS age_days, round(p.business_days, 1) AS business_age_days, p.ticket_id
        FROM picked p JOIN tickets t ON t.id = p.ticket_id JOIN companies co ON co.id = p.company_id
        ORDER BY p.opened_at, p.ticket_id""", {**params, "as_of": as_of, "limit": limit})
    if frame.empty:
        return frame.assign(deadline=[], state=[], left_h=[])
    ids = tuple(int(i) for i in frame["ticket_id"])
    sql, params, _ = measures_for(db, TicketFilter(ticket_ids=ids), prune=False, version=version, live_only=True)
    clock = db.query(f"SELECT * FROM ({sql}) m WHERE m.measure = 'resolution'",
                     {**params, "as_of": as_of, "at_risk": at_risk_share(db)})
    clock = clock[["ticket_id", "deadline", "state", "left_s"]]
    clock = clock.assign(left_h=(clock["left_s"] / 3600).round(1)).drop(columns=["left_s"])
    return frame.merge(clock, on="ticket_id", how="left")
