"""The SLA figures of :mod:`analytics.sla.stats`, read from the daily rollups plus the measures still open.

Used when :func:`analytics.sla.rollups.usable` says the rollups hold every decision up to the
instant asked (the usual case: figures as of now). A decision is counted in the local day
that holds it, and a period is whole local days, so the counts are exactly those of the
ledger. Open measures (pending, at risk, breached while open) come live from their clock. The
median and 90th percentile come from the ledger itself when the period holds at most
:data:`EXACT_QUANTILES_MAX` measures or when a company, channel or team is filtered, else from
the elapsed-time buckets, within :data:`analytics.sla.rollups.QUANTILE_ERROR`.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from analytics.kernel.periods import Period
from analytics.sla import rollups
from analytics.sla.breakdowns import named_join, named_sql
from analytics.sla.engine import grid_contract, grid_sql, query_params
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import measures_for
from analytics.sla.versions import Version
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd

EXACT_QUANTILES_MAX = 200_000  # measures in the period up to which medians are read exactly from the ledger
OPEN_COUNTS = """0 AS met,
           count(*) FILTER (WHERE state = 'breached' AND decided_s >= epoch($from) AND decided_s < epoch($to))
               AS breached,
           count(*) FILTER (WHERE state IN ('pending', 'at_risk') AND opened_at < $to) AS pending,
           count(*) FILTER (WHERE state = 'at_risk' AND opened_at < $to) AS at_risk"""


def _params(flt_params: dict, period: Period, *, as_of: datetime, at_risk: float, version: Version) -> dict:
    start, end = period.bounds()
    params = query_params(flt_params, as_of=as_of, at_risk=at_risk, start=start, end=end)
    return {**params, "first_day": period.start, "end_day": period.end, "rules_version": version.version}


def counted_sql(flt: TicketFilter, groups: str) -> str:
    """Decisions in the period (rollups) plus the open measures (CTE ``live``), per ``groups`` and measure."""
    where, _ = flt.sql("d")
    return f"""
    SELECT {groups} measure, sum(met)::BIGINT AS met, sum(breached)::BIGINT AS breached,
           sum(pending)::BIGINT AS pending, sum(at_risk)::BIGINT AS at_risk
    FROM (SELECT {groups} measure, met, breached, 0 AS pending, 0 AS at_risk FROM sla_daily d
          WHERE version = $rules_version AND day >= $first_day AND day < $end_day AND {where}
          UNION ALL BY NAME
          SELECT {groups} measure, {OPEN_COUNTS} FROM live GROUP BY ALL)
    GROUP BY ALL"""


def spread_sql(db: Database, period: Period, flt: TicketFilter, version: Version) -> str:
    """The median and 90th percentile per severity and measure: exact from the ledger, or from the buckets."""
    where, params = flt.sql("d")
    if not (flt.company_ids or flt.contract_ids or flt.channels or flt.teams):
        measures = db.scalar(f"SELECT coalesce(sum(measures), 0) FROM sla_daily_elapsed d WHERE version = $v "
                             f"AND day >= $first_day AND day < $end_day AND {where}",
                             {**params, "v": version.version, "first_day": period.start, "end_day": period.end})
        if measures > EXACT_QUANTILES_MAX:
            return rollups.quantiles_sql(where)
    return f"""
    SELECT severity, measure, quantile_cont(elapsed_s, 0.5) AS median_s, quantile_cont(elapsed_s, 0.9) AS p90_s
    FROM sla_ledger l WHERE version = $rules_version AND state IS NOT NULL
      AND ended_day >= $first_day AND ended_day < $end_day AND {flt.sql("l")[0]}
    GROUP BY ALL"""


def severity_table(db: Database, period: Period, flt: TicketFilter, *, as_of: datetime, at_risk: float,
                   version: Version) -> pd.DataFrame:
    """As :func:`analytics.sla.stats.severity_table`, from the rollups."""
    live, params, targets = measures_for(db, flt, prune=True, chosen=version, live_only=True)
    query = f"""
    WITH live AS ({live}), counted AS ({counted_sql(flt, "severity,")}),
    spread AS ({spread_sql(db, period, flt, version)})
    SELECT g.severity, g.measure, g.target_value, g.target_unit, g.calendar_name, g.target_seconds,
           coalesce(c.met, 0) AS met, coalesce(c.breached, 0) AS breached, coalesce(c.pending, 0) AS pending,
           coalesce(c.at_risk, 0) AS at_risk,
           round(100.0 * c.met / nullif(c.met + c.breached, 0), 1) AS compliance_pct, q.median_s, q.p90_s
    FROM ({grid_sql(targets)}) g LEFT JOIN counted c USING (severity, measure) LEFT JOIN spread q USING (severity, measure)
    ORDER BY g.severity, g.measure DESC
    """
    return db.query(query, {**_params(params, period, as_of=as_of, at_risk=at_risk, version=version),
                            "grid_contract": grid_contract(flt)})


def compliance_query(db: Database, period: Period, flt: TicketFilter, *, as_of: datetime, at_risk: float,
                     version: Version, groups: str, by: str | None) -> tuple[str, dict]:
    """The SQL of :func:`analytics.sla.stats.compliance` from the rollups (``groups``: its leading columns)."""
    live, params, _ = measures_for(db, flt, prune=True, chosen=version, live_only=True)
    query = f"""
    WITH live AS ({live}), counted AS ({counted_sql(flt, groups)})
    SELECT {named_sql(by)} counted.*,
           round(100.0 * met / nullif(met + breached, 0), 1) AS compliance_pct
    FROM counted {named_join(by)}
    WHERE met + breached + pending > 0
    ORDER BY ALL
    """
    return query, _params(params, period, as_of=as_of, at_risk=at_risk, version=version)


def monthly_trend(db: Database, period: Period, flt: TicketFilter, *, as_of: datetime, at_risk: float,
                  version: Version) -> pd.DataFrame:
    """As :func:`analytics.sla.stats.monthly_trend`, from the rollups."""
    live, params, _ = measures_for(db, flt, prune=True, chosen=version, live_only=True)
    where, _ = flt.sql("d")
    query = f"""
    WITH live AS ({live})
    SELECT month, measure, sum(met)::BIGINT AS met, sum(breached)::BIGINT AS breached,
           round(100.0 * sum(met) / nullif(sum(met) + sum(breached), 0), 1) AS compliance_pct
    FROM (SELECT date_trunc('month', day)::DATE AS month, measure, met, breached FROM sla_daily d
          WHERE version = $rules_version AND day >= $first_day AND day < $end_day AND {where}
          UNION ALL
          SELECT date_trunc('month', decided_at)::DATE, measure, 0, 1 FROM live
          WHERE state = 'breached' AND decided_s >= epoch($from) AND decided_s < epoch($to))
    GROUP BY ALL ORDER BY month, measure DESC
    """
    return db.query(query, _params(params, period, as_of=as_of, at_risk=at_risk, version=version))
