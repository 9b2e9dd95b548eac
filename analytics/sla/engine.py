"""The SLA engine (DOMAIN.md section 2), computed on read in DuckDB SQL.

Nothing is stored as a frozen flag: every figure is derived from the tickets, the
SLA targets and the business calendars at the moment it is asked for, so a
changed target or calendar re-evaluates history.

Per ticket and measure (response, resolution) the engine derives, with ASOF joins
on ``calendar_intervals`` (see ``analytics/sla/calendars.py``):

- ``w_start``/``w_end``/``w_as_of``: working seconds accumulated on the target's
  calendar at the start, at the end of the measure and at ``as_of``;
- ``elapsed_s``: working time used so far (or until the end), ``used_share``;
- ``deadline``: the instant the target is used up;
- ``state``: met (elapsed <= target), breached (elapsed > target, even while open),
  at_risk (open and >= the at-risk share used) or pending;
- ``decided_at``: when a met target was met, or the deadline of a breached one.
  Decisions are counted in the period that holds ``decided_at``.

The response measure ends at the first response, or at the resolution when no
response was recorded. A ticket is measured against its final severity, with the targets of
the contract its company was under when it was opened (Standard when none; see
``analytics/sla/contracts.py``).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from analytics.kernel.periods import Period
from analytics.kernel.sql import identifier
from analytics.sla.filters import TicketFilter
from analytics.store.cursor import Cursor
from analytics.store.database import Database
from analytics.store.reading import read_rows

if TYPE_CHECKING:
    import pandas as pd

MEASURES = ("response", "resolution")
STATES = ("met", "breached", "at_risk", "pending")
BREAKDOWNS = {"company": "company", "contract": "contract", "channel": "channel", "team": "team", "severity": "severity"}

DEFAULT_CONTRACT = 1  # Standard: its targets are sla_targets; a company without a contract is under it
# Every contract's targets (Standard's are sla_targets, the others' contract_targets) with their seconds.
TARGETS_SQL = """
    SELECT s.contract_id, s.severity, s.measure, s.calendar_id, c.name AS calendar_name, c.always_open,
           s.target_value, s.target_unit,
           s.target_value * CASE s.target_unit WHEN 'minutes' THEN 60 WHEN 'hours' THEN 3600
                                 ELSE c.hours_per_day * 3600 END AS target_seconds
    FROM (SELECT 1 AS contract_id, severity, measure, target_value, target_unit, calendar_id FROM sla_targets
          UNION ALL
          SELECT contract_id, severity, measure, target_value, target_unit, calendar_id FROM contract_targets) s
    JOIN calendars c ON c.id = s.calendar_id
"""
# The same rules as a version of the ledger saved them (analytics/sla/versions.py), for $rules_version.
VERSION_TARGETS_SQL = """
    SELECT coalesce(contract_id, 1) AS contract_id, severity, measure, calendar_id, calendar_name, always_open,
           target_value, target_unit, target_seconds
    FROM sla_version_targets WHERE version = $rules_version
"""
VERSION_INTERVALS_SQL = ("(SELECT calendar_id, start_s, end_s, seconds, cum_start FROM sla_version_intervals "
                         "WHERE version = $rules_version)")
CONTRACTS_SQL = "SELECT company_id, contract_id, starts_at FROM company_contracts"
VERSION_CONTRACTS_SQL = ("SELECT company_id, contract_id, starts_at FROM sla_version_contracts "
                         "WHERE version = $rules_version")
# Each company's contracts as spans [starts_at, ends_at): a ticket is measured under the one holding its opening.
# A plain join on the company (not an ASOF join, which sorts every ticket); skipped when no company has a contract.
UNCONTRACTED_SQL = "SELECT t.*, 1 AS contract_id FROM {source} t"
CONTRACTED_SQL = """
    SELECT t.*, coalesce(cs.contract_id, 1) AS contract_id
    FROM {source} t LEFT JOIN (
        SELECT company_id, contract_id, starts_at,
               lead(starts_at) OVER (PARTITION BY company_id ORDER BY starts_at) AS ends_at
        FROM ({contracts})) cs
      ON cs.company_id = t.company_id AND t.opened_at >= cs.starts_at
     AND (cs.ends_at IS NULL OR t.opened_at < cs.ends_at)
"""
RESTRICTIONS = ("sla_touched",)  # relations of ticket ids a computation may be limited to
SOURCES = ("tickets", "live_tickets")  # relations with the ticket columns the engine reads


def targets_sql(versioned: bool) -> str:
    """The targets with their calendars and seconds: the rules in the tables, or those of ``$rules_version``."""
    return VERSION_TARGETS_SQL if versioned else TARGETS_SQL


def any_assigned(reader: Database | Cursor, version: int | None = None) -> bool:
    """True when a company is under a contract: in the tables, or in the rules of ``version``."""
    if version is None:
        return bool(read_rows(reader, "SELECT count(*) FROM company_contracts")[0][0])
    return bool(read_rows(reader, "SELECT count(*) FROM sla_version_contracts WHERE version = ?", [version])[0][0])


def grid_sql(targets: str) -> str:
    """The targets of one contract, ``$grid_contract`` (see :func:`grid_contract`): the rows of a severity table."""
    return f"SELECT * FROM ({targets}) WHERE contract_id = $grid_contract"


def grid_contract(flt: TicketFilter) -> int:
    """The contract whose targets a severity table shows: the one filtered on, else Standard."""
    return flt.contract_ids[0] if len(flt.contract_ids) == 1 else DEFAULT_CONTRACT


PAUSE_SQL = """
    pause_spans AS (  -- each status a ticket was in, from its status event to the next one
        SELECT e.ticket_id, epoch(e.occurred_at) AS p0, lower(e.to_value) AS status,
               epoch(lead(e.occurred_at) OVER (PARTITION BY e.ticket_id ORDER BY e.occurred_at, e.id)) AS p1
        FROM ticket_events e WHERE e.kind = 'status'
    ),
    pause_cut AS (  -- pausing spans cut to the running resolution clock [start, end or as_of)
        SELECT m.ticket_id, m.measure, m.calendar_id, m.target_seconds, m.start_s,
               greatest(s.p0, m.start_s) AS q0,
               least(coalesce(s.p1, epoch($as_of)), coalesce(m.end_s, epoch($as_of)), epoch($as_of)) AS q1
        FROM m JOIN pause_spans s ON s.ticket_id = m.ticket_id
        WHERE m.measure = 'resolution' AND list_contains($pause_statuses, s.status)
    ),
    pause_w0 AS (
        SELECT p.*, c.cum_start + least(p.q0 - c.start_s, c.seconds) AS w0
        FROM (SELECT * FROM pause_cut WHERE q1 > q0) p ASOF LEFT JOIN calendar_intervals c
          ON p.calendar_id = c.calendar_id AND p.q0 >= c.start_s
    ),
    pause_w1 AS (
        SELECT p.*, c.cum_start + least(p.q1 - c.start_s, c.seconds) AS w1
        FROM pause_w0 p ASOF LEFT JOIN calendar_intervals c ON p.calendar_id = c.calendar_id AND p.q1 >= c.start_s
    ),
    pause_ws AS (
        SELECT p.*, c.cum_start + least(p.start_s - c.start_s, c.seconds) AS ws,
               coalesce(sum(p.w1 - p.w0) OVER (PARTITION BY p.ticket_id ORDER BY p.q0
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS paused_before
        FROM pause_w1 p ASOF LEFT JOIN calendar_intervals c
          ON p.calendar_id = c.calendar_id AND p.start_s >= c.start_s
    ),
    paused AS (  -- a pause moves the deadline when it starts before the target is used up
        SELECT ticket_id, measure, sum(w1 - w0) AS paused_s,
               coalesce(sum(w1 - w0) FILTER (WHERE w0 - ws - paused_before < target_seconds), 0) AS pushed_s
        FROM pause_ws GROUP BY ticket_id, measure
    ),
    mp AS (
        SELECT m.*, coalesce(p.paused_s, 0) AS paused_s, coalesce(p.pushed_s, 0) AS pushed_s
        FROM m LEFT JOIN paused p USING (ticket_id, measure)
    ),"""


def at_risk_share(db: Database, given: float | None = None) -> float:
    """The share of a target from which an open measure is at risk: ``given``, else the setting
    ``sla.at_risk_share`` (0.75 by default)."""
    if given is not None:
        return given
    from analytics.settings.queries import get_setting

    return float(get_setting(db, "sla.at_risk_share"))


def pause_statuses(db: Database) -> tuple[str, ...]:
    """The statuses that stop the resolution clock (setting ``sla.pause_statuses``), lower-cased."""
    from analytics.settings.queries import get_setting

    return tuple(str(s).strip().lower() for s in get_setting(db, "sla.pause_statuses") if str(s).strip())


def measures_sql(flt: TicketFilter, *, prune: bool, pauses: tuple[str, ...] = (), versioned: bool = False,
                 restrict: str | None = None, source: str = "tickets",
                 id_range: tuple[int, int] | None = None, contracted: bool = True) -> tuple[str, dict]:
    """SQL for one row per ticket and measure with its clock; params $as_of, $at_risk, $from, $to.

    With ``pauses`` (lower-cased statuses), the time a ticket spends in one of them stops its
    resolution clock: that working time is not counted and the deadline moves by it.
    ``versioned`` reads the rules of ``$rules_version`` instead of the rule tables; ``restrict``
    (one of :data:`RESTRICTIONS`) limits the tickets to the ids that relation holds, ``id_range``
    to the ids in ``(low, high]``; ``source`` (one of :data:`SOURCES`) is where the tickets are read from.
    ``contracted=False`` (no company under a contract, :func:`any_assigned`) measures every ticket under Standard
    without joining the contracts.
    """
    where, params = flt.sql("t", contract_column="t.contract_id")
    limit = ""   # the tickets' ids a restriction or a range keeps, applied where the tickets are first read
    if restrict is not None:
        limit += f" AND t.id IN (SELECT ticket_id FROM {identifier(restrict, RESTRICTIONS)})"
    if id_range is not None:
        limit += " AND t.id > $id_low AND t.id <= $id_high"
        params.update({"id_low": id_range[0], "id_high": id_range[1]})
    tickets = f"(SELECT * FROM {identifier(source, SOURCES)} t WHERE true {limit})" if limit else identifier(source, SOURCES)
    contracted = (CONTRACTED_SQL if contracted else UNCONTRACTED_SQL).format(
        source=tickets, contracts=VERSION_CONTRACTS_SQL if versioned else CONTRACTS_SQL)
    among = limit.replace("t.id", "e.ticket_id")   # the status events of those tickets only, for the pauses
    intervals = VERSION_INTERVALS_SQL if versioned else "calendar_intervals"
    if pauses:
        params["pause_statuses"] = list(pauses)
    src, minus, push = ("mp", " - wd.paused_s", " + pushed_s") if pauses else ("m", "", "")
    pruning = ("AND opened_at < $to AND (m_end IS NULL OR m_end >= $from OR m_end > $as_of)"
               if prune else "")
    # The same test per ticket before the measures are split: a ticket resolved (and answered)
    # before the period decided nothing in it.
    ticket_pruning = ("AND t.opened_at < $to AND (t.resolved_at IS NULL OR t.resolved_at >= $from "
                      "OR t.resolved_at > $as_of OR t.first_response_at >= $from)" if prune else "")
    sql = f"""
    WITH targets AS ({targets_sql(versioned)}),
    as_of_w AS (
        SELECT ci.calendar_id,
               max_by(ci.cum_start + least(epoch($as_of) - ci.start_s, ci.seconds), ci.start_s) AS w_as_of
        FROM {intervals} ci WHERE ci.start_s <= epoch($as_of) GROUP BY ci.calendar_id
    ),
    base AS (
        SELECT t.id AS ticket_id, t.company_id, t.contract_id, t.channel, t.team, t.severity, t.opened_at, g.measure,
               g.calendar_id, g.target_seconds, g.always_open,
               CASE g.measure WHEN 'response' THEN coalesce(t.first_response_at, t.resolved_at)
                              ELSE t.resolved_at END AS m_end,
               t.source_made_sla
        FROM ({contracted}) t JOIN targets g ON g.severity = t.severity AND g.contract_id = t.contract_id
        WHERE t.opened_at <= $as_of AND {where} {ticket_pruning}
    ),
    m AS NOT MATERIALIZED (
        SELECT *, epoch(opened_at) AS start_s,
               CASE WHEN m_end <= $as_of THEN epoch(m_end) END AS end_s
        FROM base WHERE true {pruning}
    ),
    {PAUSE_SQL.replace("calendar_intervals", intervals).replace("WHERE e.kind = 'status'", "WHERE e.kind = 'status'" + among)
     if pauses else ""}
    open_clock AS (  -- 24/7 targets: working time is wall-clock time, no join needed
        SELECT m.*, m.start_s AS w_start, m.end_s AS w_end, m.start_s + m.target_seconds{push} AS w_deadline,
               m.start_s + m.target_seconds{push} AS deadline_s
        FROM {src} m WHERE m.always_open
    ),
    ws AS (
        SELECT m.*, ci.cum_start + least(m.start_s - ci.start_s, ci.seconds) AS w_start
        FROM (SELECT * FROM {src} m WHERE NOT m.always_open) m ASOF LEFT JOIN {intervals} ci
          ON m.calendar_id = ci.calendar_id AND m.start_s >= ci.start_s
    ),
    we AS (
        SELECT ws.*, CASE WHEN ws.end_s IS NOT NULL
                           THEN ci.cum_start + least(ws.end_s - ci.start_s, ci.seconds) END AS w_end,
               ws.w_start + ws.target_seconds{push} AS w_deadline
        FROM ws ASOF LEFT JOIN {intervals} ci
          ON ws.calendar_id = ci.calendar_id AND ws.end_s >= ci.start_s
    ),
    wd AS (
        SELECT we.*, ci.start_s + (we.w_deadline - ci.cum_start) AS deadline_s
        FROM we ASOF LEFT JOIN {intervals} ci
          ON we.calendar_id = ci.calendar_id AND we.w_deadline > ci.cum_start
        UNION ALL BY NAME
        SELECT * FROM open_clock
    ),
    judged AS (
        SELECT wd.*, a.w_as_of,
               coalesce(wd.w_end, a.w_as_of) - wd.w_start{minus} AS elapsed_s,
               CASE WHEN wd.w_end IS NOT NULL THEN
                         CASE WHEN wd.w_end - wd.w_start{minus} <= wd.target_seconds THEN 'met' ELSE 'breached' END
                    WHEN a.w_as_of - wd.w_start{minus} > wd.target_seconds THEN 'breached'
                    WHEN a.w_as_of - wd.w_start{minus} >= $at_risk * wd.target_seconds THEN 'at_risk'
                    ELSE 'pending' END AS state
        FROM wd JOIN as_of_w a USING (calendar_id)
    )
    SELECT ticket_id, company_id, contract_id, channel, team, severity, measure,
           calendar_id, target_seconds, opened_at, m_end AS ended_at, elapsed_s,
           elapsed_s / target_seconds AS used_share, target_seconds - elapsed_s AS left_s,
           to_timestamp(deadline_s) AS deadline, state,
           CASE state WHEN 'met' THEN m_end WHEN 'breached' THEN to_timestamp(deadline_s) END AS decided_at,
           CASE state WHEN 'met' THEN end_s WHEN 'breached' THEN deadline_s END AS decided_s,
           source_made_sla, {"paused_s" if pauses else "0.0::DOUBLE"} AS paused_s
    FROM judged
    """
    return sql, params


def query_params(flt_params: dict, *, as_of: datetime, at_risk: float,
            start: datetime | None = None, end: datetime | None = None) -> dict:
    params = dict(flt_params)
    params.update({"as_of": as_of, "at_risk": at_risk})
    if start is not None:
        params.update({"from": start, "to": end})
    return params


def ticket_measures(db: Database, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
                    at_risk: float | None = None, period: Period | None = None) -> pd.DataFrame:
    """Every ticket and measure with deadline, state, share used and time left."""
    at_risk = at_risk_share(db, at_risk)
    sql, fparams = measures_sql(flt, prune=period is not None, pauses=pause_statuses(db), contracted=any_assigned(db))
    start, end = period.bounds() if period else (None, None)
    return db.query(sql, query_params(fparams, as_of=as_of, at_risk=at_risk, start=start, end=end))


