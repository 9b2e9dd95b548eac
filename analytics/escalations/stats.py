"""Figures on escalations, computed in DuckDB from ``escalations`` and ``escalation_events``.

- the open escalations a manager checks first: level, age, time at level, owner, the next
  level, and whether they sat unacknowledged past ``escalation.ack_hours`` (flagged for the
  next level);
- trends over a period: arrivals per month and level, time to acknowledge per level, the
  share raised because an SLA was breached (reason code, cross-checked against the SLA
  engine's verdict on the ticket at the moment of raising), depth (the highest level
  reached), time spent at each level, and customers who escalate again and again.

A *stint* is the time an escalation spent at one level: from its arrival there (raised or
escalated) until it left (escalated again or resolved), or until now while still there.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd

from analytics.escalations.rules import REASON_CODES
from analytics.escalations.service import escalation_chain
from analytics.kernel.periods import Period
from analytics.notices.rules import delivery_state_sql
from analytics.settings.queries import get_setting
from analytics.sla.clock import format_duration
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import measures_of
from analytics.store.database import Database

LEVEL_NAME = "coalesce(list_extract($chain, {col}), 'Level ' || {col})"

STINTS_SQL = """
    moves AS (
        SELECT escalation_id, id, occurred_at, kind, to_level FROM escalation_events
        WHERE kind IN ('raised', 'escalated', 'resolved')
    ),
    stints AS (
        SELECT escalation_id, to_level AS level, occurred_at AS arrived_at,
               lead(occurred_at) OVER w AS left_at, lead(kind) OVER w AS left_by
        FROM moves
        WINDOW w AS (PARTITION BY escalation_id ORDER BY occurred_at, id)
        QUALIFY kind <> 'resolved'
    ),
    judged_stints AS (
        SELECT s.*, k.occurred_at AS acknowledged_at,
               epoch(coalesce(s.left_at, $now)) - epoch(s.arrived_at) AS stayed_s,
               epoch(k.occurred_at) - epoch(s.arrived_at) AS ack_s
        FROM stints s LEFT JOIN escalation_events k
          ON k.escalation_id = s.escalation_id AND k.kind = 'acknowledged' AND k.to_level = s.level
    )
"""


def _incident_columns(db: Database) -> tuple[str, str]:
    """Select expression and join for the incident of an escalation, if the incidents table has references."""
    has_reference = db.scalar("SELECT count(*) FROM information_schema.columns "
                              "WHERE table_name = 'incidents' AND column_name = 'reference'")
    if has_reference:
        return "coalesce(i.reference, 'incident #' || e.incident_id)", "LEFT JOIN incidents i ON i.id = e.incident_id"
    return "CASE WHEN e.incident_id IS NOT NULL THEN 'incident #' || e.incident_id END", ""


def open_escalations(db: Database, *, now: datetime, ack_hours: float | None = None,
                     chain: list[str] | None = None) -> pd.DataFrame:
    """Open escalations, highest level then oldest first, with age, next level and the unacknowledged flag."""
    chain = chain or escalation_chain(db)
    ack_hours = get_setting(db, "escalation.ack_hours") if ack_hours is None else ack_hours
    incident, join = _incident_columns(db)
    return db.query(f"""
        SELECT e.reference, e.level, {LEVEL_NAME.format(col='e.level')} AS level_name,
               list_extract($chain, e.level + 1) AS next_level,
               e.raised_at, e.level_since, epoch($now) - epoch(e.raised_at) AS age_s,
               epoch($now) - epoch(e.level_since) AS at_level_s,
               e.reason_code, e.reason, e.owner, e.raised_by, co.name AS company, t.reference AS ticket,
               {incident} AS incident, e.acknowledged_at, e.acknowledged_by,
               e.acknowledged_at IS NULL AND epoch($now) - epoch(e.level_since) > $ack_s AS flagged
        FROM escalations e JOIN companies co ON co.id = e.company_id
        LEFT JOIN tickets t ON t.id = e.ticket_id {join}
        WHERE e.resolved_at IS NULL AND e.raised_at <= $now
        ORDER BY e.level DESC, e.raised_at, e.reference
    """, {"now": now, "ack_s": float(ack_hours) * 3600, "chain": chain})


def display_open(frame: pd.DataFrame) -> pd.DataFrame:
    """The open escalations as the page shows them: durations in words, flag and acknowledgement spelled out."""
    acknowledged = [f"yes, by {who} on {when:%d %b %H:%M}" if pd.notna(when) else "no"
                    for who, when in zip(frame["acknowledged_by"], frame["acknowledged_at"])]
    flag = [f"⚑ unacknowledged: call the {nxt.lower()}" if flagged and isinstance(nxt, str)
            else ("⚑ unacknowledged at the top level" if flagged else "")
            for flagged, nxt in zip(frame["flagged"], frame["next_level"])]
    return pd.DataFrame({  # who and what first: a table wider than the page scrolls the rest
        "reference": frame["reference"], "level": frame["level"], "level_name": frame["level_name"],
        "company": frame["company"], "ticket": frame["ticket"], "incident": frame["incident"],
        "flag": flag, "age": frame["age_s"].map(format_duration),
        "at level": frame["at_level_s"].map(format_duration), "owner": frame["owner"],
        "acknowledged": acknowledged, "next level": frame["next_level"],
        "reason code": frame["reason_code"].map(REASON_CODES), "reason": frame["reason"],
        "raised by": frame["raised_by"],
        "age_s": frame["age_s"], "flagged": frame["flagged"].astype(bool),
        "unacknowledged": frame["acknowledged_at"].isna(),
    })


def escalation_timeline(db: Database, reference: str, *, chain: list[str] | None = None) -> pd.DataFrame:
    """Every event of one escalation, oldest first, with level names; the reminders e-mailed to the next level
    (``analytics.jobs.escalation_reminders``) are events too, at their delivery (or queueing) time."""
    chain = chain or escalation_chain(db)
    return db.query(f"""
        SELECT occurred_at, kind, from_level_name, level_name, actor, note FROM (
            SELECT ev.occurred_at, ev.kind, {LEVEL_NAME.format(col='ev.from_level')} AS from_level_name,
                   {LEVEL_NAME.format(col='ev.to_level')} AS level_name, ev.actor, ev.note, 0 AS source, ev.id
            FROM escalation_events ev JOIN escalations e ON e.id = ev.escalation_id
            WHERE e.reference = $reference
            UNION ALL
            SELECT coalesce(o.accepted_at, o.queued_at), 'reminder', NULL, NULL, o.queued_by,
                   'E-mail to ' || {delivery_state_sql("o")}, 1, o.id
            FROM outbox o WHERE o.entity = 'escalation' AND o.entity_id = $reference
        ) ORDER BY occurred_at, source, id
    """, {"reference": reference, "chain": chain})


def arrivals_by_month(db: Database, period: Period, *, chain: list[str] | None = None) -> pd.DataFrame:
    """Escalations arriving at each level per month (local time): one count per level reached."""
    start, end = period.bounds()
    return db.query(f"""
        SELECT date_trunc('month', occurred_at)::DATE AS month, to_level AS level,
               {LEVEL_NAME.format(col='to_level')} AS level_name, count(*) AS escalations
        FROM escalation_events
        WHERE kind IN ('raised', 'escalated') AND occurred_at >= $from AND occurred_at < $to
        GROUP BY ALL ORDER BY month, level
    """, {"from": start, "to": end, "chain": chain or escalation_chain(db)})


def acknowledgement_times(db: Database, period: Period, *, now: datetime, ack_hours: float | None = None,
                          chain: list[str] | None = None) -> pd.DataFrame:
    """Per level, for arrivals in the period: how many, acknowledged, median/p90 hours to acknowledge, late."""
    start, end = period.bounds()
    ack_hours = get_setting(db, "escalation.ack_hours") if ack_hours is None else ack_hours
    return db.query(f"""
        WITH {STINTS_SQL}
        SELECT level, {LEVEL_NAME.format(col='level')} AS level_name, count(*) AS arrived,
               count(acknowledged_at) AS acknowledged,
               round(quantile_cont(ack_s, 0.5) / 3600, 2) AS median_ack_h,
               round(quantile_cont(ack_s, 0.9) / 3600, 2) AS p90_ack_h,
               count(*) FILTER (WHERE coalesce(ack_s, stayed_s) > $ack_s) AS late
        FROM judged_stints
        WHERE arrived_at >= $from AND arrived_at < $to AND arrived_at <= $now
        GROUP BY ALL ORDER BY level
    """, {"from": start, "to": end, "now": now, "ack_s": float(ack_hours) * 3600,
          "chain": chain or escalation_chain(db)})


def _cohort_ticket_ids(db: Database, start, end) -> list[int]:
    return [r[0] for r in db.rows("SELECT DISTINCT ticket_id FROM escalations WHERE ticket_id IS NOT NULL "
                                  "AND raised_at >= ? AND raised_at < ? ORDER BY 1", [start, end])]


def _cross_check_sql(db: Database, period: Period, *, as_of: datetime) -> tuple[str, dict]:
    """Per escalation raised in the period: reason code and the SLA engine's verdict on its ticket."""
    start, end = period.bounds()
    ids = _cohort_ticket_ids(db, start, end)
    measures = measures_of(db, TicketFilter(ticket_ids=tuple(ids)), as_of=as_of) if ids else None
    breached = (measures[measures["state"] == "breached"] if measures is not None
                else pd.DataFrame({"ticket_id": [], "deadline": []}))
    sql = """
        WITH breaches AS (
            SELECT unnest($ticket_ids::BIGINT[]) AS ticket_id, unnest($deadlines::DOUBLE[]) AS deadline_s
        ),
        first_breach AS (SELECT ticket_id, to_timestamp(min(deadline_s)) AS breached_at FROM breaches GROUP BY 1)
        SELECT e.reference, e.raised_at, co.name AS company, t.reference AS ticket, e.reason_code,
               fb.breached_at, coalesce(fb.breached_at <= e.raised_at, false) AS engine_breached,
               e.reason_code = 'sla_breach' AS coded_sla_breach
        FROM escalations e JOIN companies co ON co.id = e.company_id
        LEFT JOIN tickets t ON t.id = e.ticket_id
        LEFT JOIN first_breach fb ON fb.ticket_id = e.ticket_id
        WHERE e.raised_at >= $from AND e.raised_at < $to
    """
    return sql, {"ticket_ids": [int(x) for x in breached["ticket_id"]],
                 "deadlines": [ts.timestamp() for ts in breached["deadline"]], "from": start, "to": end}


def sla_cross_check(db: Database, period: Period, *, as_of: datetime, mismatches_only: bool = False) -> pd.DataFrame:
    """Escalations raised in the period with the reason code and the SLA engine's verdict on their ticket.

    ``engine_breached`` is true when one of the ticket's measures was breached (its deadline
    had passed) at the moment the customer escalated. ``mismatches_only`` keeps the rows
    where the reason code and the engine disagree.
    """
    sql, params = _cross_check_sql(db, period, as_of=as_of)
    mismatch = "AND (e.reason_code = 'sla_breach') <> coalesce(fb.breached_at <= e.raised_at, false)"
    return db.query(f"{sql} {mismatch if mismatches_only else ''} ORDER BY e.raised_at, e.reference", params)


def sla_breach_share(db: Database, period: Period, *, as_of: datetime) -> pd.DataFrame:
    """Per month raised: escalations, coded 'sla_breach', ticket breached per the SLA engine, and shares."""
    sql, params = _cross_check_sql(db, period, as_of=as_of)
    return db.query(f"""
        WITH checked AS ({sql})
        SELECT date_trunc('month', raised_at)::DATE AS month, count(*) AS raised,
               count(ticket) AS with_ticket,
               count(*) FILTER (WHERE coded_sla_breach) AS coded_sla_breach,
               count(*) FILTER (WHERE engine_breached) AS engine_breached,
               count(*) FILTER (WHERE coded_sla_breach AND NOT engine_breached) AS coded_not_breached,
               count(*) FILTER (WHERE engine_breached AND NOT coded_sla_breach) AS breached_not_coded,
               round(100.0 * count(*) FILTER (WHERE coded_sla_breach) / count(*), 1) AS coded_pct,
               round(100.0 * count(*) FILTER (WHERE engine_breached) / count(*), 1) AS engine_pct
        FROM checked GROUP BY ALL ORDER BY month
    """, params)


def depth_distribution(db: Database, period: Period, *, chain: list[str] | None = None) -> pd.DataFrame:
    """Escalations raised in the period by the highest level they reached, with how many are still open."""
    start, end = period.bounds()
    return db.query(f"""
        WITH depth AS (
            SELECT ev.escalation_id, max(ev.to_level) AS depth FROM escalation_events ev GROUP BY 1
        )
        SELECT d.depth, {LEVEL_NAME.format(col='d.depth')} AS level_name, count(*) AS escalations,
               count(*) FILTER (WHERE e.resolved_at IS NULL) AS still_open,
               round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct
        FROM escalations e JOIN depth d ON d.escalation_id = e.id
        WHERE e.raised_at >= $from AND e.raised_at < $to
        GROUP BY ALL ORDER BY d.depth
    """, {"from": start, "to": end, "chain": chain or escalation_chain(db)})


def time_at_level(db: Database, period: Period, *, now: datetime, chain: list[str] | None = None) -> pd.DataFrame:
    """Per level, for escalations raised in the period: stints, median/p90/mean hours spent, how they left."""
    start, end = period.bounds()
    return db.query(f"""
        WITH {STINTS_SQL}
        SELECT s.level, {LEVEL_NAME.format(col='s.level')} AS level_name, count(*) AS stints,
               round(quantile_cont(s.stayed_s, 0.5) / 3600, 2) AS median_h,
               round(quantile_cont(s.stayed_s, 0.9) / 3600, 2) AS p90_h,
               round(avg(s.stayed_s) / 3600, 2) AS mean_h,
               count(*) FILTER (WHERE s.left_by = 'escalated') AS escalated_on,
               count(*) FILTER (WHERE s.left_by = 'resolved') AS resolved_here,
               count(*) FILTER (WHERE s.left_by IS NULL) AS still_here
        FROM judged_stints s JOIN escalations e ON e.id = s.escalation_id
        WHERE e.raised_at >= $from AND e.raised_at < $to AND e.raised_at <= $now
        GROUP BY ALL ORDER BY s.level
    """, {"from": start, "to": end, "now": now, "chain": chain or escalation_chain(db)})


def repeat_customers(db: Database, period: Period, *, threshold: int | None = None,
                     chain: list[str] | None = None) -> pd.DataFrame:
    """Companies that escalated at least ``threshold`` times in the period (setting escalation.repeat_threshold)."""
    start, end = period.bounds()
    threshold = get_setting(db, "escalation.repeat_threshold") if threshold is None else threshold
    return db.query(f"""
        WITH depth AS (SELECT escalation_id, max(to_level) AS depth FROM escalation_events GROUP BY 1)
        SELECT co.name AS company, count(*) AS escalations,
               count(DISTINCT date_trunc('month', e.raised_at)) AS months,
               count(*) FILTER (WHERE e.reason_code = 'sla_breach') AS sla_breach,
               max(d.depth) AS deepest, {LEVEL_NAME.format(col='max(d.depth)')} AS deepest_level,
               count(*) FILTER (WHERE e.resolved_at IS NULL) AS still_open,
               min(e.raised_at) AS first_raised, max(e.raised_at) AS last_raised
        FROM escalations e JOIN companies co ON co.id = e.company_id JOIN depth d ON d.escalation_id = e.id
        WHERE e.raised_at >= $from AND e.raised_at < $to
        GROUP BY co.name HAVING count(*) >= $threshold
        ORDER BY escalations DESC, deepest DESC, company
    """, {"from": start, "to": end, "threshold": int(threshold), "chain": chain or escalation_chain(db)})
