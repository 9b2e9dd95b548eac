"""Daily rollups of a complete ledger version: what long periods read instead of every measure.

``sla_daily`` counts the decisions (met, breached) per local day, severity, measure, company,
contract, channel and team; ``sla_daily_elapsed`` counts the ended measures per local day of their end,
severity, measure and bucket of elapsed working time (0.1 % wide), from which the medians and
90th percentiles of a long period are read within 0.1 %. Both are rebuilt for the days a write
touched, in the writer's transaction, and in full when a version is completed.
"""
from __future__ import annotations

import math

from analytics.sla.versions import Version
from analytics.store.cursor import Cursor

BUCKET_RATIO = 1.001  # bucket b holds elapsed seconds e with 1.001^b <= 1 + e < 1.001^(b+1)
LOG_RATIO = math.log(BUCKET_RATIO)
BUCKET_SQL = f"floor(ln(1 + greatest(elapsed_s, 0)) / {LOG_RATIO!r})::INTEGER"
QUANTILE_ERROR = BUCKET_RATIO - 1  # relative bound of a quantile read from the buckets (0.1 %)
COUNTS_SQL = """
    SELECT version, decided_day, severity, measure, company_id, channel, team,
           count(*) FILTER (WHERE state = 'met'), count(*) FILTER (WHERE state = 'breached'), contract_id
    FROM sla_ledger WHERE version = $v AND state IS NOT NULL {days} GROUP BY ALL"""
ELAPSED_SQL = f"""
    SELECT version, ended_day, severity, measure, {BUCKET_SQL}, count(*)
    FROM sla_ledger WHERE version = $v AND state IS NOT NULL {{days}} GROUP BY ALL"""


def build(cur: Cursor, version: int) -> None:
    """Both rollups of a version, from its whole ledger."""
    for table in ("sla_daily", "sla_daily_elapsed"):
        cur.execute(f"DELETE FROM {table} WHERE version = ?", [version])  # names from this tuple
    cur.execute(f"INSERT INTO sla_daily {COUNTS_SQL.format(days='')}", {"v": version})
    cur.execute(f"INSERT INTO sla_daily_elapsed {ELAPSED_SQL.format(days='')}", {"v": version})


def note_days(cur: Cursor, version: int) -> None:
    """Remember the days of the version's rows of the touched tickets (call before and after they change)."""
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS sla_days (kind VARCHAR, day DATE)")
    cur.execute("INSERT INTO sla_days SELECT DISTINCT 'decided', decided_day FROM sla_ledger WHERE version = ? "
                "AND decided_day IS NOT NULL AND ticket_id IN (SELECT ticket_id FROM sla_touched) "
                "UNION SELECT DISTINCT 'ended', ended_day FROM sla_ledger WHERE version = ? "
                "AND state IS NOT NULL AND ticket_id IN (SELECT ticket_id FROM sla_touched)", [version, version])


def update_days(cur: Cursor, version: Version) -> None:
    """Recount the noted days of a complete version from its ledger."""
    if version.state != "complete":
        return  # a version is rolled up when it is completed
    params = {"v": version.version}
    decided = "AND decided_day IN (SELECT day FROM sla_days WHERE kind = 'decided')"
    ended = "AND ended_day IN (SELECT day FROM sla_days WHERE kind = 'ended')"
    cur.execute(f"DELETE FROM sla_daily WHERE version = $v {decided.replace('decided_day', 'day')}", params)
    cur.execute(f"INSERT INTO sla_daily {COUNTS_SQL.format(days=decided)}", params)
    cur.execute(f"DELETE FROM sla_daily_elapsed WHERE version = $v {ended.replace('ended_day', 'day')}", params)
    cur.execute(f"INSERT INTO sla_daily_elapsed {ELAPSED_SQL.format(days=ended)}", params)
    cur.execute("DROP TABLE sla_days")


def usable(version: Version | None, flt, as_of) -> bool:
    """True when the rollups give the figures at ``as_of`` exactly: a complete version whose every ended
    measure had ended by then, and a filter on what they are keyed by (not single tickets)."""
    return (version is not None and version.state == "complete" and not flt.ticket_ids
            and as_of.timestamp() >= (version.max_end_s or 0))


def representative(bucket_sql: str) -> str:
    """The elapsed seconds a bucket stands for: its geometric middle (within 0.05 % of any value in it)."""
    return f"(exp(({bucket_sql} + 0.5) * {LOG_RATIO!r}) - 1)"


def quantiles_sql(where: str) -> str:
    """Median and 90th percentile per severity and measure from the elapsed buckets of ``$first_day..$end_day``,
    interpolated as ``quantile_cont`` does between the two ranks around the position."""
    picks = []
    for name, q in (("median_s", 0.5), ("p90_s", 0.9)):
        lo, hi = f"floor({q} * (total - 1))", f"ceil({q} * (total - 1))"
        b_lo, b_hi = f"min(bucket) FILTER (WHERE upto > {lo})", f"min(bucket) FILTER (WHERE upto > {hi})"
        picks.append(f"{representative(b_lo)} + ({representative(b_hi)} - {representative(b_lo)}) "
                     f"* ({q} * (any_value(total) - 1) - {lo.replace('total', 'any_value(total)')}) AS {name}")
    return f"""
    SELECT severity, measure, {', '.join(picks)}
    FROM (SELECT severity, measure, bucket, n,
                 sum(n) OVER (PARTITION BY severity, measure ORDER BY bucket) AS upto,
                 sum(n) OVER (PARTITION BY severity, measure) AS total
          FROM (SELECT severity, measure, bucket, sum(measures) AS n FROM sla_daily_elapsed d
                WHERE version = $rules_version AND day >= $first_day AND day < $end_day AND {where}
                GROUP BY ALL))
    GROUP BY severity, measure"""
