"""Suspected attacks among failed logins, kept apart from ordinary lockouts.

Two patterns, both per local day and both thresholds being settings:

- **password spray**: one IP address from which at least
  ``lockout.attack_accounts_per_ip`` accounts failed to log in that day without
  any of them logging in successfully from it (a forgetful office behind one
  address fails and then succeeds; an attacker does not);
- **too fast for the delay policy**: an account with at least
  ``lockout.attack_fast_failures`` failed attempts that came sooner after the
  previous attempt than the policy's delay allows (people wait, scripts do not).

A lockout belongs to a suspected attack when its address and day are a spray's,
or its account and day a burst's. The SQL pieces here are shared with
``analytics/logins/stats.py``; the filter and parameters come from there.
"""
from __future__ import annotations

import pandas as pd

from analytics.logins.rules import LockoutPolicy

ATTACK_KINDS = {"spray": "password spray (many accounts, one address)",
                "burst": "failures faster than the delay policy allows"}

# Per address, day and account: the failures of accounts that did not log in from the address that
# day. Over the filtered events (`{filter}`, `{day}`) or, in login_store, over all events.
UNANSWERED_FAILURES = """
    SELECT ip, {day} AS day, user_id, any_value(ip_num) AS ip_num, any_value(company_id) AS company_id,
           count(*) FILTER (WHERE outcome = 'failure') AS failures,
           min(occurred_at) FILTER (WHERE outcome = 'failure') AS first_seen,
           max(occurred_at) FILTER (WHERE outcome = 'failure') AS last_seen
    FROM login_events WHERE outcome IN ('success', 'failure') AND {filter}
    GROUP BY ip, day, user_id
    HAVING count(*) FILTER (WHERE outcome = 'failure') > 0 AND NOT bool_or(outcome = 'success')"""

# `spray_rows` (day, ip, ip_num, company_id, accounts, failures, first_seen, last_seen), from the rollup.
SPRAY_ROWS_FROM_ROLLUP = """
spray_rows AS (
    SELECT day, ip, ip_num, company_id, accounts, failures, first_seen, last_seen FROM login_ip_daily
    WHERE day >= $first_day AND day < $end_day AND ($all_companies OR list_contains($companies, company_id))
)"""

# The same from the events: addresses with enough failing accounts first, then those that logged in.
SPRAY_ROWS_FROM_EVENTS = """
spray_candidates AS (
    SELECT ip, {day} AS day FROM login_events WHERE outcome = 'failure' AND {filter}
    GROUP BY ip, day HAVING count(DISTINCT user_id) >= $accounts_per_ip
),
spray_rows AS (
    SELECT day, ip, ip_num, company_id, 1 AS accounts, failures, first_seen, last_seen
    FROM ({unanswered}) u SEMI JOIN spray_candidates c USING (ip, day)
)"""

# CTEs (to follow a WITH ... , ) defining `sprays` (ip, day) and `bursts` (user_id, day).
ATTACK_CTES = """{spray_rows},
sprays AS (
    SELECT ip, day, any_value(ip_num) AS ip_num, sum(accounts) AS accounts, count(DISTINCT company_id) AS companies,
           sum(failures) AS failures, min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM spray_rows GROUP BY ip, day HAVING sum(accounts) >= $accounts_per_ip
),
bursts AS (
    SELECT user_id, {day} AS day, any_value(company_id) AS company_id, count(*) AS failures,
           string_agg(DISTINCT ip, ', ' ORDER BY ip) AS ips, min(occurred_at) AS first_seen,
           max(occurred_at) AS last_seen
    FROM login_events
    WHERE outcome = 'failure' AND {filter} AND streak BETWEEN 1 AND $threshold - 1
      AND since_attempt_s < least($base_delay * power($growth, streak - 1), $max_delay)
    GROUP BY user_id, day HAVING count(*) >= $fast_failures
)"""


def attack_params(policy: LockoutPolicy) -> dict:
    """The policy's figures the attack CTEs bind."""
    return {"threshold": policy.threshold, "base_delay": policy.base_delay_seconds,
            "growth": policy.delay_growth, "max_delay": policy.max_delay_seconds,
            "accounts_per_ip": policy.attack_accounts_per_ip, "fast_failures": policy.attack_fast_failures}


def attack_ctes(sql: dict[str, str], *, from_rollup: bool) -> str:
    """The attack CTEs over the filtered events; ``sql`` holds the fragments ``filter`` and ``day`` built by
    login_stats (never user text). Sprays come from ``login_ip_daily`` when it is current."""
    if from_rollup:
        spray_rows = SPRAY_ROWS_FROM_ROLLUP
    else:
        unanswered = UNANSWERED_FAILURES.format(day=sql["day"], filter=sql["filter"])
        spray_rows = SPRAY_ROWS_FROM_EVENTS.format(unanswered=unanswered, **sql)
    return ATTACK_CTES.format(spray_rows=spray_rows, **sql)


def suspected_attacks_sql(sql: dict[str, str], spray_zone_sql: str, *, from_rollup: bool) -> str:
    """One row per suspected attack: sprays by address, bursts by account, most recent first.

    ``spray_zone_sql`` tests ``s.ip_num`` against the trusted zone.
    """
    return f"""
    WITH {attack_ctes(sql, from_rollup=from_rollup)},
    locks AS (
        SELECT user_id, ip, {sql["day"]} AS day FROM login_events WHERE outcome = 'locked' AND {sql["filter"]}
    )
    SELECT 'spray' AS kind, s.ip AS source, s.day, s.accounts, s.companies, s.failures,
           (SELECT count(*) FROM locks l WHERE l.ip = s.ip AND l.day = s.day) AS lockouts,
           CASE WHEN {spray_zone_sql} THEN 'inside the trusted zone' ELSE 'outside the trusted zone' END
               AS detail,
           s.first_seen, s.last_seen
    FROM sprays s
    UNION ALL
    SELECT 'burst', b.user_id, b.day, 1, 1, b.failures,
           (SELECT count(*) FROM locks l WHERE l.user_id = b.user_id AND l.day = b.day),
           'from ' || b.ips, b.first_seen, b.last_seen
    FROM bursts b
    ORDER BY last_seen DESC"""


def label_attacks(frame: pd.DataFrame) -> pd.DataFrame:
    """The attack list with a readable ``pattern`` beside its ``kind`` (spray, burst)."""
    out = frame.copy()
    out.insert(1, "pattern", out["kind"].map(ATTACK_KINDS))
    return out
