"""Writing login events: each user's sequence facts and the daily rollup.

Login events arrive from the demo and from imports. Before they are stored, the
facts that depend on a user's whole sequence are derived once in DuckDB window
functions (the failures in a row before each event, the time since the previous
attempt and success, the time to the next attempt, the time until the next
unlock or regeneration), so that the page's figures are plain scans whatever the
number of events. Those facts do not depend on the settings; everything that
does (delays, zone, timeouts) is applied on read by ``analytics/login_stats.py``.

After every write the ``login_daily`` rollup (events per local day, company and
outcome) is rebuilt in the same transaction.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

BASE_COLUMNS = ("occurred_at", "user_id", "company_id", "ip", "ip_num", "outcome", "actor", "source",
                "import_id")
TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
ORDER_IN_INSTANT = ("CASE outcome WHEN 'failure' THEN 1 WHEN 'locked' THEN 2 WHEN 'unlock' THEN 3 "
                    "WHEN 'password_regenerated' THEN 4 WHEN 'success' THEN 5 ELSE 6 END")

DERIVED_SELECT = """
WITH ordered AS (
    SELECT {base}, epoch(occurred_at) AS t, {order_in_instant} AS tie,
           outcome IN ('success', 'unlock', 'password_regenerated') AS is_reset,
           outcome IN ('success', 'failure') AS is_attempt
    FROM {source}
), grouped AS (
    SELECT *, coalesce(sum(is_reset::INTEGER) OVER (
               PARTITION BY user_id ORDER BY t, tie ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS run
    FROM ordered
)
SELECT {base},
       coalesce(sum((outcome = 'failure')::INTEGER) OVER (
           PARTITION BY user_id, run ORDER BY t, tie ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0
       )::SMALLINT AS streak,
       t - last_value(CASE WHEN is_attempt THEN t END IGNORE NULLS) OVER before AS since_attempt_s,
       t - last_value(CASE WHEN outcome = 'success' THEN t END IGNORE NULLS) OVER before AS since_success_s,
       first_value(CASE WHEN is_attempt THEN t END IGNORE NULLS) OVER after - t AS next_attempt_s,
       first_value(CASE WHEN outcome IN ('unlock', 'password_regenerated') THEN t END IGNORE NULLS)
           OVER after - t AS release_s
FROM grouped
WINDOW before AS (PARTITION BY user_id ORDER BY t, tie ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
       after AS (PARTITION BY user_id ORDER BY t, tie ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
"""


def _checked(name: str) -> str:
    if not TABLE_NAME.match(name):
        raise ValueError(f"not a table name: {name!r}")
    return name


def derived_sql(source: str) -> str:
    """SELECT of the stored columns of ``source`` (a table with BASE_COLUMNS) with the sequence facts."""
    return DERIVED_SELECT.format(base=", ".join(BASE_COLUMNS), order_in_instant=ORDER_IN_INSTANT,
                                 source=_checked(source))


def insert_events(cur, source: str, *, tz: str) -> int:
    """Store the events of ``source`` (users with no stored event yet); returns the rows written."""
    before = cur.execute("SELECT count(*) FROM login_events").fetchone()[0]
    cur.execute(f"INSERT INTO login_events {derived_sql(source)} ORDER BY occurred_at")
    written = cur.execute("SELECT count(*) FROM login_events").fetchone()[0] - before
    refresh_daily(cur, tz=tz)
    return written


def merge_events(cur, incoming: str, *, tz: str) -> None:
    """Insert or replace the events of ``incoming`` (keyed on user, instant and outcome).

    The stored events of every user concerned are re-derived with the new ones, so
    the failures in a row and the gaps stay true whatever order files arrive in.
    """
    incoming = _checked(incoming)
    base = ", ".join(BASE_COLUMNS)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE login_touched AS SELECT DISTINCT user_id FROM {incoming}")
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE login_merged AS
        SELECT {base} FROM login_events e
        WHERE e.user_id IN (SELECT user_id FROM login_touched)
          AND NOT EXISTS (SELECT 1 FROM {incoming} i WHERE i.user_id = e.user_id
                          AND i.occurred_at = e.occurred_at AND i.outcome = e.outcome)
        UNION ALL
        SELECT {base} FROM {incoming}""")
    cur.execute("DELETE FROM login_events WHERE user_id IN (SELECT user_id FROM login_touched)")
    cur.execute(f"INSERT INTO login_events {derived_sql('login_merged')} ORDER BY occurred_at")
    for name in ("login_touched", "login_merged"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    refresh_daily(cur, tz=tz)


def refresh_daily(cur, *, tz: str) -> None:
    """Rebuild the daily rollup, days cut at midnight in ``tz``."""
    cur.execute("DELETE FROM login_daily")
    cur.execute("""
        INSERT INTO login_daily
        SELECT timezone($tz, occurred_at)::DATE AS day, company_id, outcome, count(*) AS events
        FROM login_events GROUP BY ALL""", {"tz": tz})
    cur.execute("DELETE FROM login_rollup_state")
    cur.execute("INSERT INTO login_rollup_state SELECT $tz, (SELECT count(*) FROM login_events), $now",
                {"tz": tz, "now": datetime.now(timezone.utc)})
