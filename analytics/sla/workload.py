"""Workload (issue 18, item 4): tickets open and handled per team or assignee and week, reassignments, the teams
that pass tickets back and forth, and the tickets at risk per team now.

- **Weeks** run Monday to Sunday in the deployment time zone, from the week holding the period's first day
  to the one holding its last (or now); the week in progress ends now ("so far").
- **Open at the end of the week**: opened by then and not resolved by then (as on the Backlog page);
  the week in progress: open now. **Handled**: resolved during the week. A ticket counts for its
  current team and assignee (the tickets hold no assignee history).
- **Reassignments** are the ``reassigned`` events (from one team to another) of the tickets opened in the
  period; a pair of teams **passes a ticket back and forth** when the ticket went from A to B and from B to A.
- **At risk now**: the open tickets per team whose open measure (response or resolution) has used
  ``sla.at_risk_share`` of its target or more, and those already past a deadline, read live from the
  SLA ledger (:mod:`analytics.sla.measures`).
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from analytics.kernel.periods import Period
from analytics.kernel.sql import identifier
from analytics.sla.engine import at_risk_share
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import measures_for
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd

GROUPS = {"team": "t.team", "assignee": "t.assignee"}


def weeks_of(period: Period, as_of: datetime) -> list[tuple[object, float, float, bool]]:
    """The weeks of ``period`` begun by ``as_of``: their Monday, start and end (epoch seconds; now for the week
    in progress) and whether it is in progress."""
    tz = ZoneInfo(period.timezone)
    monday = period.start - timedelta(days=period.start.weekday())
    weeks = []
    while monday < period.end:
        start = datetime.combine(monday, time(0), tz)
        if start > as_of:
            break
        end = datetime.combine(monday + timedelta(days=7), time(0), tz)
        weeks.append((monday, start.timestamp(), min(end, as_of).timestamp(), end > as_of))
        monday += timedelta(days=7)
    return weeks


def _where(period: Period, flt: TicketFilter) -> tuple[str, dict]:
    where, params = flt.sql("t")
    start, end = period.bounds()
    return f"t.opened_at >= $from AND t.opened_at < $to AND {where}", {**params, "from": start, "to": end}


def weekly(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
           by: str = "team") -> pd.DataFrame:
    """Per week and ``by`` (team, assignee): ``week`` (its Monday), ``open_at_end``, ``handled`` (resolved in the
    week) and ``so_far`` (the week in progress), by week then ``by``."""
    import pandas as pd

    group = GROUPS[identifier(by, tuple(GROUPS))]
    weeks = weeks_of(period, as_of)
    if not weeks:
        return pd.DataFrame({"week": [], by: [], "open_at_end": [], "handled": [], "so_far": []})
    where, params = flt.sql("t")
    # A ticket open at no week end (most: resolved within days) is left out by arithmetic first (the grid of
    # Mondays from the first end, widened by 2 h for the daylight-saving shift; the week in progress ends now),
    # the others find the first end after their opening and the last before their resolution (ASOF), as
    # analytics.sla.backlog.weekly does; a resolved ticket finds its week by one ASOF join.
    frame = db.query(f"""
        WITH w AS (SELECT unnest($weeks) AS week, unnest($starts) AS start_s, unnest($ends) AS end_s,
                          unnest(range(len($ends))) AS k),
        t AS (SELECT {group} AS grp, epoch(t.opened_at) AS open_s, coalesce(epoch(t.resolved_at), 1e12) AS stop_s
              FROM tickets t WHERE {where} AND t.opened_at <= to_timestamp($last)
                AND (t.resolved_at IS NULL OR t.resolved_at >= to_timestamp($first_start))),
        crossing AS (SELECT * FROM t WHERE floor((open_s - $first_end - 7200) / 604800)
                                           <> floor((least(stop_s, $last + 604800) - $first_end + 7200) / 604800)
                                        OR (open_s <= $last AND stop_s > $last)),
        k0 AS (SELECT c.*, w.k AS k0 FROM crossing c ASOF JOIN w ON c.open_s <= w.end_s),
        k1 AS (SELECT k0.*, w.k AS k1 FROM k0 ASOF JOIN w ON k0.stop_s > w.end_s),
        spans AS (SELECT grp, unnest(range(k0, k1 + 1)) AS k FROM k1 WHERE k1 >= k0),
        o AS (SELECT w.week, s.grp, count(*) AS open_at_end FROM spans s JOIN w ON w.k = s.k GROUP BY ALL),
        h AS (SELECT w.week, t.grp, count(*) AS handled FROM t ASOF JOIN w ON t.stop_s >= w.start_s
              WHERE t.stop_s < w.end_s GROUP BY ALL)
        SELECT coalesce(o.week, h.week) AS week, coalesce(o.grp, h.grp) AS {by},
               coalesce(o.open_at_end, 0) AS open_at_end, coalesce(h.handled, 0) AS handled
        FROM o FULL JOIN h ON h.week = o.week AND h.grp IS NOT DISTINCT FROM o.grp
        ORDER BY week, {by} NULLS LAST""",
        {**params, "weeks": [w[0] for w in weeks], "starts": [w[1] for w in weeks],
         "ends": [w[2] for w in weeks], "first_start": weeks[0][1], "first_end": weeks[0][2], "last": weeks[-1][2]})
    in_progress = {w[0] for w in weeks if w[3]}
    frame = frame.astype({"open_at_end": "int64", "handled": "int64"})
    frame["so_far"] = [pd.Timestamp(w).date() in in_progress for w in frame["week"]]
    return frame


def reassignments_per_team(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """Per team (the ticket's current one) of the tickets opened in ``period``: tickets, reassigned (tickets
    moved at least once), reassignments, per_ticket (reassignments per ticket), most (the most on one ticket)."""
    where, params = _where(period, flt)
    return db.query(f"""
        WITH t AS (SELECT t.id, t.team FROM tickets t WHERE {where}),
        m AS (SELECT e.ticket_id, count(*) AS moves FROM ticket_events e
              WHERE e.kind = 'reassigned' AND e.ticket_id IN (SELECT id FROM t) GROUP BY e.ticket_id)
        SELECT t.team, count(*) AS tickets, count(m.moves) AS reassigned, coalesce(sum(m.moves), 0)::BIGINT AS reassignments,
               round(coalesce(sum(m.moves), 0) / count(*), 2) AS per_ticket, coalesce(max(m.moves), 0) AS most
        FROM t LEFT JOIN m ON m.ticket_id = t.id
        GROUP BY ALL ORDER BY reassignments DESC, t.team NULLS LAST""", params)


def back_and_forth(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """The pairs of teams that passed one ticket both ways (A to B and B to A), of the tickets opened in
    ``period``: team_a, team_b (in alphabetical order), tickets, passes (between the two on those tickets)."""
    where, params = _where(period, flt)
    return db.query(f"""
        WITH t AS (SELECT t.id FROM tickets t WHERE {where}),
        moved AS (SELECT e.ticket_id, e.from_value, e.to_value FROM ticket_events e
                  WHERE e.kind = 'reassigned' AND e.from_value <> e.to_value AND e.ticket_id IN (SELECT id FROM t)),
        twice AS (SELECT ticket_id FROM moved GROUP BY ticket_id HAVING count(*) >= 2),  -- both ways: 2 moves at least
        p AS (SELECT m.ticket_id, least(m.from_value, m.to_value) AS team_a, greatest(m.from_value, m.to_value) AS team_b,
                     count(*) AS passes, min(m.from_value) <> max(m.from_value) AS both_ways
              FROM moved m WHERE m.ticket_id IN (SELECT ticket_id FROM twice)
              GROUP BY ALL)
        SELECT team_a, team_b, count(*) AS tickets, sum(passes)::BIGINT AS passes FROM p WHERE both_ways
        GROUP BY ALL ORDER BY tickets DESC, passes DESC, team_a, team_b""", params)


def at_risk_now(db: Database, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
                version: int | None = None) -> pd.DataFrame:
    """Per team, the tickets with a measure open at ``as_of``: open, at_risk (an open measure at risk, none past
    its deadline), breached (an open measure already past its deadline), most at risk first."""
    sql, params, _ = measures_for(db, flt, prune=False, version=version, live_only=True)
    return db.query(f"""
        WITH m AS ({sql}),
        k AS (SELECT ticket_id, any_value(team) AS team, bool_or(state = 'breached') AS breached,
                     bool_or(state = 'at_risk') AS at_risk
              FROM m WHERE m.ended_at IS NULL OR m.ended_at > $as_of GROUP BY ticket_id)
        SELECT team, count(*) AS open, count(*) FILTER (WHERE at_risk AND NOT breached) AS at_risk,
               count(*) FILTER (WHERE breached) AS breached
        FROM k GROUP BY ALL ORDER BY at_risk DESC, breached DESC, team NULLS LAST""",
        {**params, "as_of": as_of, "at_risk": at_risk_share(db)})
