"""Writing login events: each user's sequence facts and the daily rollup.

Login events arrive from the demo and from imports. Before they are stored, the
facts that depend on a user's whole sequence are derived once in DuckDB window
functions, so that the page's figures are plain scans whatever the number of
events: the failures in a row before each event, and, only on the events they
serve (which keeps the table small), the time since the previous attempt (on
failures), the session length and the time until the next attempt (on inactivity
logouts) and the time until the next unlock or regeneration (on lockouts). Those
facts do not depend on the settings; everything that does (delays, zone,
timeouts) is applied on read by ``analytics/logins/stats.py``.

:func:`sequence_facts` computes the same facts in NumPy for generated data (the
demo, the benchmark), where a million events must be written in a second; a test
checks that both give the same result.

After every write the rollups are rebuilt in the same transaction: ``login_daily``
(events per local day, company and outcome) and ``login_ip_daily`` (per day,
address and company, the accounts failing from the address without logging in
from it: what a password spray leaves behind).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from analytics.logins.attacks import UNANSWERED_FAILURES
from analytics.logins.days import local_day_sql
from analytics.logins.rules import OUTCOMES

BASE_COLUMNS = ("occurred_at", "user_id", "company_id", "ip", "ip_num", "outcome", "actor", "source",
                "import_id")
TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
TIE_RANK = {"failure": 1, "locked": 2, "unlock": 3, "password_regenerated": 4, "success": 5,
            "inactivity_logout": 6}  # order of events of one user at the same instant
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
       CASE WHEN outcome = 'failure'
            THEN t - last_value(CASE WHEN is_attempt THEN t END IGNORE NULLS) OVER before END AS since_attempt_s,
       CASE WHEN outcome = 'inactivity_logout'
            THEN t - last_value(CASE WHEN outcome = 'success' THEN t END IGNORE NULLS) OVER before
       END AS since_success_s,
       CASE WHEN outcome = 'inactivity_logout'
            THEN first_value(CASE WHEN is_attempt THEN t END IGNORE NULLS) OVER after - t END AS next_attempt_s,
       CASE WHEN outcome = 'locked'
            THEN first_value(CASE WHEN outcome IN ('unlock', 'password_regenerated') THEN t END IGNORE NULLS)
                 OVER after - t END AS release_s
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


def merge_events(cur, incoming: str, *, tz: str) -> None:
    """Insert or replace the events of ``incoming`` (keyed on user, instant and outcome).

    The stored events of every user concerned are re-derived with the new ones, so
    the failures in a row and the gaps stay true whatever order files arrive in. The
    rollups are rebuilt for the days the new events cover when they were current.
    """
    incoming = _checked(incoming)
    base = ", ".join(BASE_COLUMNS)
    current = rollups_current(cur, tz=tz)
    first, last = cur.execute(f"SELECT min(occurred_at), max(occurred_at) FROM {incoming}").fetchone()
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
    if first is None:
        return
    zone = ZoneInfo(tz)
    refresh_daily(cur, tz=tz, days=(first.astimezone(zone).date(), last.astimezone(zone).date()) if current else None)


def rollups_current(cur, *, tz: str) -> bool:
    """True when the rollups were rebuilt after the last write, with days cut in ``tz``."""
    return bool(cur.execute("SELECT count(*) FROM login_rollup_state WHERE timezone = ? "
                            "AND events = (SELECT count(*) FROM login_events)", [tz]).fetchone()[0])


def refresh_daily(cur, *, tz: str, days: tuple[date, date] | None = None) -> None:
    """Rebuild the rollups (``login_daily``, ``login_ip_daily``), days cut at midnight in ``tz``:
    all of them, or only the local days ``days`` (first, last) when the others are current."""
    if days is None:
        cur.execute("DELETE FROM login_daily")
        cur.execute("DELETE FROM login_ip_daily")
        first, last = cur.execute("SELECT min(occurred_at), max(occurred_at) FROM login_events").fetchone()
        window = {"t0": first, "t1": last}
    else:
        zone = ZoneInfo(tz)
        window = {"t0": datetime.combine(days[0], time(0), zone),
                  "t1": datetime.combine(days[1] + timedelta(days=1), time(0), zone) - timedelta(microseconds=1)}
        for table in ("login_daily", "login_ip_daily"):
            cur.execute(f"DELETE FROM {table} WHERE day BETWEEN ? AND ?", [days[0], days[1]])
    if window["t0"] is not None:
        day, params = local_day_sql("occurred_at", tz, window["t0"], window["t1"])
        params.update(window)
        where = "occurred_at BETWEEN $t0 AND $t1"
        cur.execute(f"INSERT INTO login_daily SELECT {day} AS day, company_id, outcome, count(*) AS events "
                    f"FROM login_events WHERE {where} GROUP BY ALL", params)
        unanswered = UNANSWERED_FAILURES.format(day=day, filter=where)
        cur.execute(f"INSERT INTO login_ip_daily SELECT day, ip, any_value(ip_num), company_id, count(*), "
                    f"sum(failures), min(first_seen), max(last_seen) FROM ({unanswered}) GROUP BY day, ip, company_id",
                    params)
    cur.execute("DELETE FROM login_rollup_state")
    cur.execute("INSERT INTO login_rollup_state SELECT $tz, (SELECT count(*) FROM login_events), $now",
                {"tz": tz, "now": datetime.now(UTC)})


def _previous(mask: np.ndarray, first: np.ndarray) -> np.ndarray:
    """For rows sorted by user, the index of the previous row of the same user where ``mask`` holds, or -1."""
    n = len(mask)
    latest = np.maximum.accumulate(np.where(mask, np.arange(n), -1))
    before = np.r_[-1, latest[:-1]]
    return np.where(before >= first, before, -1)


def _following(mask: np.ndarray, last: np.ndarray) -> np.ndarray:
    """For rows sorted by user, the index of the next row of the same user where ``mask`` holds, or -1."""
    n = len(mask)
    soonest = np.minimum.accumulate(np.where(mask, np.arange(n), n)[::-1])[::-1]
    after = np.r_[soonest[1:], n]
    return np.where(after <= last, after, -1)


def sequence_facts(user: np.ndarray, t: np.ndarray, outcome: np.ndarray) -> dict[str, np.ndarray]:
    """The stored sequence facts of events given as user codes, epoch seconds and outcome codes
    (indexes into ``OUTCOMES``), in the rows' own order: the NumPy twin of :data:`DERIVED_SELECT`."""
    tie = np.array([TIE_RANK[o] for o in OUTCOMES])[outcome]
    order = np.lexsort((tie, t, user))
    u, tt, oc = user[order], t[order], outcome[order]
    n = len(u)
    idx = np.arange(n)
    starts = np.r_[True, u[1:] != u[:-1]] if n else np.zeros(0, bool)
    ends = np.r_[u[1:] != u[:-1], True] if n else np.zeros(0, bool)
    first = np.maximum.accumulate(np.where(starts, idx, 0))
    last = np.minimum.accumulate(np.where(ends, idx, n)[::-1])[::-1]
    code = {name: OUTCOMES.index(name) for name in OUTCOMES}
    failure = oc == code["failure"]
    reset = np.isin(oc, [code["success"], code["unlock"], code["password_regenerated"]])
    attempt = np.isin(oc, [code["success"], code["failure"]])
    release = np.isin(oc, [code["unlock"], code["password_regenerated"]])
    failures_before = np.cumsum(failure) - failure
    last_reset = _previous(reset, first)
    streak = failures_before - failures_before[np.where(last_reset >= 0, last_reset, first)]

    def since(mask):
        j = _previous(mask, first)
        return np.where(j >= 0, tt - tt[np.maximum(j, 0)], np.nan)

    def until(mask):
        j = _following(mask, last)
        return np.where(j >= 0, tt[np.maximum(j, 0)] - tt, np.nan)

    logout = oc == code["inactivity_logout"]
    facts = {"streak": streak.astype(np.int16),
             "since_attempt_s": np.where(failure, since(attempt), np.nan),
             "since_success_s": np.where(logout, since(oc == code["success"]), np.nan),
             "next_attempt_s": np.where(logout, until(attempt), np.nan),
             "release_s": np.where(oc == code["locked"], until(release), np.nan)}
    unsorted = {}
    for name, values in facts.items():
        back = np.empty_like(values)
        back[order] = values
        unsorted[name] = back
    return unsorted
