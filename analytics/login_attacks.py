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
``analytics/login_stats.py``; the filter and parameters come from there.
"""
from __future__ import annotations

import pandas as pd

from analytics.lockout_policy import LockoutPolicy

ATTACK_KINDS = {"spray": "password spray (many accounts, one address)",
                "burst": "failures faster than the delay policy allows"}

# CTEs (to follow a WITH ... , ) defining `sprays` (ip, day) and `bursts` (user_id, day).
ATTACK_CTES = """
fails AS (
    SELECT user_id, company_id, ip, ip_num, occurred_at, {day} AS day, streak, since_attempt_s
    FROM login_events WHERE outcome = 'failure' AND {filter}
),
spray_candidates AS (
    SELECT ip, day FROM fails GROUP BY ip, day HAVING count(DISTINCT user_id) >= $accounts_per_ip
),
spray_logged_in AS (
    SELECT DISTINCT e.ip, {day_e} AS day, e.user_id
    FROM login_events e SEMI JOIN (SELECT DISTINCT ip FROM spray_candidates) c ON e.ip = c.ip
    WHERE e.outcome = 'success' AND {filter_e}
),
sprays AS (
    SELECT f.ip, f.day, any_value(f.ip_num) AS ip_num, count(DISTINCT f.user_id) AS accounts,
           count(DISTINCT f.company_id) AS companies, count(*) AS failures,
           min(f.occurred_at) AS first_seen, max(f.occurred_at) AS last_seen
    FROM fails f JOIN spray_candidates c ON c.ip = f.ip AND c.day = f.day
    ANTI JOIN spray_logged_in o ON o.ip = f.ip AND o.day = f.day AND o.user_id = f.user_id
    GROUP BY f.ip, f.day HAVING count(DISTINCT f.user_id) >= $accounts_per_ip
),
bursts AS (
    SELECT user_id, day, any_value(company_id) AS company_id, count(*) AS failures,
           string_agg(DISTINCT ip, ', ' ORDER BY ip) AS ips, min(occurred_at) AS first_seen,
           max(occurred_at) AS last_seen
    FROM fails
    WHERE streak BETWEEN 1 AND $threshold - 1
      AND since_attempt_s < least($base_delay * power($growth, streak - 1), $max_delay)
    GROUP BY user_id, day HAVING count(*) >= $fast_failures
)"""


def attack_params(policy: LockoutPolicy) -> dict:
    """The policy's figures the attack CTEs bind."""
    return {"threshold": policy.threshold, "base_delay": policy.base_delay_seconds,
            "growth": policy.delay_growth, "max_delay": policy.max_delay_seconds,
            "accounts_per_ip": policy.attack_accounts_per_ip, "fast_failures": policy.attack_fast_failures}


def attack_ctes(sql: dict[str, str]) -> str:
    """The attack CTEs over the filtered events; ``sql`` holds the fragments ``filter``, ``filter_e``, ``day``
    and ``day_e`` built by login_stats (never user text)."""
    return ATTACK_CTES.format(**sql)


def suspected_attacks_sql(sql: dict[str, str], spray_zone_sql: str) -> str:
    """One row per suspected attack: sprays by address, bursts by account, most recent first.

    ``spray_zone_sql`` tests ``s.ip_num`` against the trusted zone.
    """
    return f"""
    WITH {attack_ctes(sql)},
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
