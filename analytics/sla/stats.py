"""SLA figures for a period, aggregated in DuckDB over the engine's measures: compliance, the severity table,
the monthly trend, the tickets behind a figure, and the rows of ``python -m analytics sla``."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from analytics.kernel.periods import Period
from analytics.sla import daily_stats, rollups
from analytics.sla.breakdowns import breakdown_columns, named_join, named_sql
from analytics.sla.engine import MEASURES, STATES, at_risk_share, grid_contract, grid_sql, query_params
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import measures_for, reading_version
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd


def compliance(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
               at_risk: float | None = None, version: int | None = None, by: str | None = None,
               per_severity: bool = True) -> pd.DataFrame:
    """Met, breached, pending and compliance per measure (and severity, and ``by``) for a period.

    A group with nothing decided in the period and nothing open has no row.
    """
    at_risk = at_risk_share(db, at_risk)
    return db.query(*compliance_query(db, period, flt, as_of=as_of, at_risk=at_risk, version=version, by=by,
                                      per_severity=per_severity))


def compliance_query(db: Database, period: Period, flt: TicketFilter, *, as_of: datetime, at_risk: float,
                     version: int | None, by: str | None, per_severity: bool) -> tuple[str, dict]:
    """The SQL of :func:`compliance` and its parameters: from the rollups when they hold the answer."""
    extra = breakdown_columns(by)
    per_severity = per_severity or by == "severity"
    chosen = reading_version(db, version)
    if rollups.usable(chosen, flt, as_of):
        return daily_stats.compliance_query(db, period, flt, as_of=as_of, at_risk=at_risk, version=chosen,
                                            groups=extra + ("severity," if per_severity else ""),
                                            by=by)
    sql, fparams, targets = measures_for(db, flt, prune=True, chosen=chosen)
    start, end = period.bounds()
    query = f"""
    WITH measures AS ({sql}),
    counted AS (
        SELECT {extra} {'severity,' if per_severity else ''} measure,
               count(*) FILTER (WHERE state = 'met' AND decided_s >= epoch($from) AND decided_s < epoch($to)) AS met,
               count(*) FILTER (WHERE state = 'breached' AND decided_s >= epoch($from) AND decided_s < epoch($to)) AS breached,
               count(*) FILTER (WHERE state IN ('pending', 'at_risk') AND opened_at < $to) AS pending,
               count(*) FILTER (WHERE state = 'at_risk' AND opened_at < $to) AS at_risk
        FROM measures GROUP BY ALL HAVING met + breached + pending > 0
    )
    SELECT {named_sql(by)} counted.*,
           round(100.0 * met / nullif(met + breached, 0), 1) AS compliance_pct
    FROM counted {named_join(by)}
    ORDER BY ALL
    """
    return query, query_params(fparams, as_of=as_of, at_risk=at_risk, start=start, end=end)


def severity_table(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
                   at_risk: float | None = None, version: int | None = None) -> pd.DataFrame:
    """One row per severity and measure: counts, compliance, target, median and p90 elapsed."""
    at_risk = at_risk_share(db, at_risk)
    chosen = reading_version(db, version)
    if rollups.usable(chosen, flt, as_of):
        return daily_stats.severity_table(db, period, flt, as_of=as_of, at_risk=at_risk, version=chosen)
    sql, fparams, targets = measures_for(db, flt, prune=True, chosen=chosen)
    start, end = period.bounds()
    query = f"""
    WITH measures AS ({sql}),
    grid AS (SELECT severity, measure, target_value, target_unit, calendar_name, target_seconds
             FROM ({grid_sql(targets)}))
    SELECT g.severity, g.measure, g.target_value, g.target_unit, g.calendar_name, g.target_seconds,
           count(m.ticket_id) FILTER (WHERE m.state = 'met' AND m.decided_s >= epoch($from) AND m.decided_s < epoch($to)) AS met,
           count(m.ticket_id) FILTER (WHERE m.state = 'breached' AND m.decided_s >= epoch($from)
                                      AND m.decided_s < epoch($to)) AS breached,
           count(m.ticket_id) FILTER (WHERE m.state IN ('pending', 'at_risk') AND m.opened_at < $to) AS pending,
           count(m.ticket_id) FILTER (WHERE m.state = 'at_risk' AND m.opened_at < $to) AS at_risk,
           round(100.0 * met / nullif(met + breached, 0), 1) AS compliance_pct,
           quantile_cont(m.elapsed_s, 0.5) FILTER (WHERE m.ended_at >= $from AND m.ended_at < $to
                                                   AND m.ended_at <= $as_of) AS median_s,
           quantile_cont(m.elapsed_s, 0.9) FILTER (WHERE m.ended_at >= $from AND m.ended_at < $to
                                                   AND m.ended_at <= $as_of) AS p90_s
    FROM grid g LEFT JOIN measures m ON m.severity = g.severity AND m.measure = g.measure
    GROUP BY ALL ORDER BY g.severity, g.measure DESC
    """
    params = query_params(fparams, as_of=as_of, at_risk=at_risk, start=start, end=end)
    return db.query(query, {**params, "grid_contract": grid_contract(flt)})


def monthly_trend(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
                  at_risk: float | None = None, version: int | None = None) -> pd.DataFrame:
    """Compliance per month (local time) and measure, with the counts behind it."""
    at_risk = at_risk_share(db, at_risk)
    chosen = reading_version(db, version)
    if rollups.usable(chosen, flt, as_of):
        return daily_stats.monthly_trend(db, period, flt, as_of=as_of, at_risk=at_risk, version=chosen)
    sql, fparams, _ = measures_for(db, flt, prune=True, chosen=chosen)
    start, end = period.bounds()
    query = f"""
    WITH measures AS ({sql})
    SELECT date_trunc('month', decided_at)::DATE AS month, measure,
           count(*) FILTER (WHERE state = 'met') AS met,
           count(*) FILTER (WHERE state = 'breached') AS breached,
           round(100.0 * met / nullif(met + breached, 0), 1) AS compliance_pct
    FROM measures
    WHERE state IN ('met', 'breached') AND decided_s >= epoch($from) AND decided_s < epoch($to)
    GROUP BY ALL ORDER BY month, measure DESC
    """
    return db.query(query, query_params(fparams, as_of=as_of, at_risk=at_risk, start=start, end=end))


def tickets_behind(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime,
                   at_risk: float | None = None, version: int | None = None, measure: str | None = None,
                   states: tuple[str, ...] = ("met", "breached"), limit: int = 5000) -> pd.DataFrame:
    """The tickets behind a figure: decided in the period (met/breached) or still open (pending/at_risk)."""
    at_risk = at_risk_share(db, at_risk)
    if measure is not None and measure not in MEASURES:
        raise ValueError(f"Unknown measure {measure!r}")
    unknown = set(states) - set(STATES)
    if unknown:
        raise ValueError(f"Unknown states {sorted(unknown)}")
    sql, fparams, targets = measures_for(db, flt, prune=True, version=version)
    start, end = period.bounds()
    # the first $limit measures are picked before the tickets are joined: at 10M tickets the join of
    # every breached measure of a quarter to the tickets' references was most of the list's time
    query = f"""
    WITH measures AS ({sql}),
    picked AS (
        SELECT * FROM measures m
        WHERE list_contains($states, m.state)
          AND ($measure IS NULL OR m.measure = $measure)
          AND CASE WHEN m.state IN ('met', 'breached') THEN m.decided_s >= epoch($from) AND m.decided_s < epoch($to)
                   ELSE m.opened_at < $to END
        ORDER BY CASE WHEN m.state IN ('pending', 'at_risk') THEN m.left_s END NULLS LAST,
                 m.decided_at DESC NULLS LAST, m.ticket_id
        LIMIT $limit
    )
    SELECT t.reference, co.name AS company, m.severity, m.measure, m.state, m.channel, m.team,
           t.status, m.opened_at, m.ended_at, m.deadline, m.decided_at,
           round(m.elapsed_s / 3600.0, 2) AS elapsed_h, round(m.target_seconds / 3600.0, 2) AS target_h,
           round(100 * m.used_share, 1) AS used_pct, round(m.left_s / 3600.0, 2) AS left_h,
           m.source_made_sla, m.ticket_id
    FROM picked m JOIN companies co ON co.id = m.company_id JOIN tickets t ON t.id = m.ticket_id
    ORDER BY CASE WHEN m.state IN ('pending', 'at_risk') THEN m.left_s END NULLS LAST,
             m.decided_at DESC NULLS LAST, t.reference
    """
    params = query_params(fparams, as_of=as_of, at_risk=at_risk, start=start, end=end)
    params.update({"states": list(states), "measure": measure, "limit": limit})
    return db.query(query, params)


CLI_COLUMNS = ("severity", "measure", "met", "breached", "pending", "compliance_pct")


def cli_records(db: Database, period: Period, *, as_of: datetime, at_risk: float | None = None,
                version: int | None = None) -> list[tuple]:
    """The rows of ``python -m analytics sla`` (:data:`CLI_COLUMNS`), every severity and measure, without pandas."""
    at_risk = at_risk_share(db, at_risk)
    sql, params = compliance_query(db, period, TicketFilter(), as_of=as_of, at_risk=at_risk, version=version, by=None,
                                   per_severity=True)
    return db.rows(f"""
        WITH c AS ({sql})
        SELECT g.severity, g.measure, coalesce(c.met, 0), coalesce(c.breached, 0), coalesce(c.pending, 0),
               c.compliance_pct
        FROM (SELECT * FROM (VALUES (1), (2), (3), (4)) s(severity),
                            (VALUES ('response', 1), ('resolution', 2)) m(measure, rank)) g
        LEFT JOIN c USING (severity, measure)
        ORDER BY g.severity, g.rank""", params)


def compliance_cli_rows(db: Database, period: Period, *, as_of: datetime, at_risk: float | None = None,
                        version: int | None = None) -> pd.DataFrame:
    """The contract of ``python -m analytics sla`` as a frame: severity, measure, met, breached, pending, compliance_pct."""
    at_risk = at_risk_share(db, at_risk)
    import pandas as pd

    rows = pd.DataFrame(cli_records(db, period, as_of=as_of, at_risk=at_risk, version=version),
                        columns=list(CLI_COLUMNS))
    return rows.astype({"severity": int, "met": int, "breached": int, "pending": int, "compliance_pct": float})
