"""The measures every SLA figure reads: decided ones from the ledger, open ones live, under one rules version.

:func:`measures_for` gives the SQL of one row per ticket and measure with the columns of the
on-read engine (:func:`analytics.sla.engine.measures_sql`), for an instant ``$as_of``:

- a measure that ended by ``$as_of`` is read from the ledger, as decided;
- a measure still open at ``$as_of`` (or ended after it) is computed from its clock at that
  instant, by the engine limited to those tickets and run under the same version's rules, so
  its state (pending, at risk, breached while open), share used and time left are live.

Before a ledger exists, or when the rules in the tables changed without the ledger knowing
(a store written by something other than Vigie), the figures come from the engine itself.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from analytics.sla import versions
from analytics.sla.engine import TARGETS_SQL, any_assigned, at_risk_share, measures_sql, pause_statuses, targets_sql
from analytics.sla.filters import TicketFilter
from analytics.sla.versions import Version
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd

ON_READ = 0  # as a version number: the on-read engine itself (the reference the ledger is tested against)
ROW = ("ticket_id, company_id, contract_id, channel, team, severity, measure, calendar_id, target_seconds, opened_at, ended_at, "
       "elapsed_s, elapsed_s / target_seconds AS used_share, target_seconds - elapsed_s AS left_s, deadline, state, "
       "CASE state WHEN 'met' THEN ended_at ELSE to_timestamp(decided_s) END AS decided_at, decided_s, source_made_sla, "
       "paused_s")


def reading_version(db: Database, number: int | None = None) -> Version | None:
    """The version figures read: ``number`` while it is still kept, else the one in force (None: the engine).

    The version in force answers while a newer one builds. With none building, it must match the
    rules in the tables; otherwise (a change the ledger did not see) the engine answers.
    """
    if number == ON_READ:
        return None
    kept = versions.versions(db)
    if number is not None:
        chosen = next((v for v in kept if v.version == number and v.state == "complete"), None)
        if chosen is not None:
            return chosen
    chosen = next((v for v in kept if v.state == "complete"), None)
    if chosen is None:
        return None
    if not any(v.state == "building" for v in kept):
        cur = db.cursor()
        try:
            if versions.current_rules(cur)[0] != chosen.rules_hash:
                return None
        finally:
            cur.close()
    return chosen


def measures_for(db: Database, flt: TicketFilter, *, prune: bool, version: int | None = None,
                 chosen: Version | None | bool = False, live_only: bool = False) -> tuple[str, dict, str]:
    """SQL of the measures, its parameters (besides $as_of, $at_risk, $from, $to) and the targets' SQL.

    ``version``: the number of the version a page started reading (it keeps reading it while
    it is kept); None for the one in force now; :data:`ON_READ` for the on-read engine.
    ``chosen``: the version already resolved by :func:`reading_version`; ``live_only``: only the
    measures still open at ``$as_of`` (those the daily rollups do not hold).
    """
    chosen = reading_version(db, version) if chosen is False else chosen
    if chosen is None:
        sql, params = measures_sql(flt, prune=prune, pauses=pause_statuses(db), contracted=any_assigned(db))
        return sql, params, TARGETS_SQL
    where, params = flt.sql("l")
    period = "AND l.opened_at < $to AND l.ended_at >= $from" if prune else ""
    live_period = "AND l.opened_at < $to" if prune else ""
    live_sql, live_params = measures_sql(flt, prune=prune, pauses=chosen.pause_statuses, versioned=True,
                                         source="live_tickets", contracted=any_assigned(db, chosen.version))
    final = "" if live_only else f"""
    SELECT {ROW} FROM sla_ledger l
    WHERE l.version = $rules_version AND l.ended_at <= $as_of AND l.opened_at <= $as_of AND {where} {period}
    UNION ALL BY NAME"""
    sql = f"""
    WITH live_tickets AS (  -- the tickets with a measure open at $as_of, as the engine reads tickets
        SELECT ticket_id AS id, any_value(company_id) AS company_id, any_value(channel) AS channel,
               any_value(team) AS team, any_value(severity) AS severity, any_value(opened_at) AS opened_at,
               any_value(first_response_at) AS first_response_at, any_value(resolved_at) AS resolved_at,
               any_value(source_made_sla) AS source_made_sla
        FROM sla_ledger l
        WHERE l.version = $rules_version AND (l.ended_at IS NULL OR l.ended_at > $as_of)
          AND l.opened_at <= $as_of AND {where} {live_period}
        GROUP BY ticket_id
    ),
    live AS ({live_sql})
    {final}
    SELECT * FROM live WHERE ended_at IS NULL OR ended_at > $as_of
    """
    return sql, {**params, **live_params, "rules_version": chosen.version}, targets_sql(True)


def measures_of(db: Database, flt: TicketFilter = TicketFilter(), *, as_of: datetime, at_risk: float | None = None,
                version: int | None = None) -> pd.DataFrame:
    """Every measure of the filtered tickets at ``as_of``: the engine's frame, read from the ledger."""
    at_risk = at_risk_share(db, at_risk)
    sql, params, _ = measures_for(db, flt, prune=False, version=version)
    return db.query(sql, {**params, "as_of": as_of, "at_risk": at_risk})


def figures_status(db: Database) -> tuple[int | None, float | None]:
    """What a page reads: the version (None: the on-read engine) and, while a newer version is
    being built after a change of the rules, how far that build is (0..1; None when none is)."""
    chosen = reading_version(db)
    newer = versions.building(db)
    return (None if chosen is None else chosen.version), (None if newer is None else newer.progress)
