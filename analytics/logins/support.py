"""What lockouts and inactivity logouts cost the support desk and the customers.

Time from lockout to release (distribution, and per company so that slow
administrators show up), lockouts outside phone-support hours when nobody can
help the user, the login-related support tickets beside the lockouts, and
inactivity logouts per zone against the timeout in force: a user who logs back in
within minutes of being logged out was still working, so a high share says the
timeout is too short. Filters, parameters and the per-lockout CTE come from
``analytics/logins/stats.py``.
"""
from __future__ import annotations

import pandas as pd

from analytics.logins.rules import LockoutPolicy
from analytics.logins.stats import (
    LOGIN_TICKET_CATEGORIES,
    LoginFilter,
    event_filter,
    filter_params,
    lockouts_frame,
    run_query,
    zone_sql,
)
from analytics.store.database import Database

RELEASE_BINS_H = (0.25, 0.5, 1, 2, 4, 8, 24, 72)
RETURN_BINS_MIN = (2, 5, 10, 30, 60, 240)
RETURN_WITHIN_S = 600  # back within 10 minutes of an inactivity logout: the timeout cut real work


def _hours(h: float) -> str:
    return f"{h * 60:g} min" if h < 1 else f"{h:g} h"


def _minutes(m: float) -> str:
    return f"{m:g} min" if m < 60 else f"{m / 60:g} h"


def _bin_sql(value: str, edges: int) -> str:
    """Index of the first of the ``$edges`` above ``value`` (0-based), ``edges`` when above them all."""
    whens = " ".join(f"WHEN {value} < $edges[{i + 1}] THEN {i}" for i in range(edges))
    return f"CASE {whens} ELSE {edges} END"


def release_distribution(db: Database, flt: LoginFilter, policy: LockoutPolicy,
                         lockouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Lockouts by time to release, ordinary and attack apart; 'still locked' last."""
    edges = list(RELEASE_BINS_H)
    labels = ([f"< {_hours(edges[0])}"] + [f"{_hours(a)}-{_hours(b)}" for a, b in zip(edges, edges[1:])]
              + [f"≥ {_hours(edges[-1])}", "still locked"])
    sql = f"""
        WITH binned AS (SELECT CASE WHEN release_h IS NULL THEN {len(edges) + 1}
                               ELSE {_bin_sql("release_h", len(edges))} END AS b, attack FROM lockouts)
        SELECT $labels[k + 1] AS time_to_release,
               count(binned.attack) FILTER (WHERE NOT binned.attack) AS ordinary,
               count(binned.attack) FILTER (WHERE binned.attack) AS attack
        FROM range(0, {len(edges) + 2}) r(k) LEFT JOIN binned ON binned.b = r.k GROUP BY k ORDER BY k"""
    params = {**filter_params(db, flt, policy), "edges": edges, "labels": labels}
    return run_query(db, sql, params, lockouts_frame(db, flt, policy, lockouts))


def release_by_company(db: Database, flt: LoginFilter, policy: LockoutPolicy,
                       lockouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Quartiles of the time to release (hours) of ordinary lockouts per company, slowest first."""
    sql = """
        SELECT co.name AS company, count(*) AS released, min(release_h) AS min_h,
               quantile_cont(release_h, 0.25) AS q1_h, median(release_h) AS median_h,
               quantile_cont(release_h, 0.75) AS q3_h, quantile_cont(release_h, 0.9) AS p90_h,
               max(release_h) AS max_h
        FROM lockouts l JOIN companies co ON co.id = l.company_id
        WHERE NOT l.attack AND l.release_h IS NOT NULL
        GROUP BY co.name ORDER BY median_h DESC, company"""
    return run_query(db, sql, {}, lockouts_frame(db, flt, policy, lockouts))


def phone_hours_by_company(db: Database, flt: LoginFilter, policy: LockoutPolicy,
                           lockouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per company: ordinary lockouts outside phone-support hours, and how long those users waited."""
    sql = """
        SELECT co.name AS company, count(*) AS lockouts,
               count(*) FILTER (WHERE off_hours) AS outside_phone_hours,
               round(100.0 * count(*) FILTER (WHERE off_hours) / count(*), 1) AS outside_pct,
               median(release_h) FILTER (WHERE off_hours) AS median_release_h_outside,
               median(release_h) FILTER (WHERE NOT off_hours) AS median_release_h_inside
        FROM lockouts l JOIN companies co ON co.id = l.company_id WHERE NOT l.attack
        GROUP BY co.name ORDER BY outside_phone_hours DESC, company"""
    return run_query(db, sql, {}, lockouts_frame(db, flt, policy, lockouts))


def login_tickets_weekly(db: Database, flt: LoginFilter) -> pd.DataFrame:
    """Per week (Monday, local): lockouts and regenerations beside the login-related tickets opened."""
    sql = f"""
        WITH weeks AS (SELECT w::DATE AS week FROM generate_series(date_trunc('week', $first_day::TIMESTAMP),
                       $end_day::TIMESTAMP - INTERVAL 1 DAY, INTERVAL 7 DAY) t(w)),
        ev AS (SELECT date_trunc('week', timezone($tz, occurred_at))::DATE AS week,
                      count(*) FILTER (WHERE outcome = 'locked') AS lockouts,
                      count(*) FILTER (WHERE outcome = 'password_regenerated') AS regenerations
               FROM login_events WHERE outcome IN ('locked', 'password_regenerated') AND {event_filter()}
               GROUP BY 1),
        tk AS (SELECT date_trunc('week', timezone($tz, opened_at))::DATE AS week,
                      count(*) FILTER (WHERE category = $categories[1]) AS lockout_tickets,
                      count(*) FILTER (WHERE category = $categories[2]) AS regeneration_tickets
               FROM tickets WHERE opened_at >= $from AND opened_at < $to AND list_contains($categories, category)
                 AND ($all_companies OR list_contains($companies, company_id)) GROUP BY 1)
        SELECT weeks.week, coalesce(ev.lockouts, 0) AS lockouts, coalesce(ev.regenerations, 0) AS regenerations,
               coalesce(tk.lockout_tickets, 0) AS lockout_tickets,
               coalesce(tk.regeneration_tickets, 0) AS regeneration_tickets
        FROM weeks LEFT JOIN ev USING (week) LEFT JOIN tk USING (week) ORDER BY weeks.week"""
    params = {**filter_params(db, flt, LockoutPolicy()), "categories": list(LOGIN_TICKET_CATEGORIES)}
    return run_query(db, sql, params)


def _logouts_cte(policy: LockoutPolicy) -> tuple[str, dict]:
    """CTE `logouts`: the period's inactivity logouts with their zone."""
    zone, params = zone_sql(policy)
    return f"""logouts AS (
        SELECT user_id, since_success_s, next_attempt_s, CASE WHEN {zone} THEN 'inside' ELSE 'outside' END AS zone
        FROM login_events WHERE outcome = 'inactivity_logout' AND {event_filter()})""", params


def inactivity_by_zone(db: Database, flt: LoginFilter, policy: LockoutPolicy) -> pd.DataFrame:
    """Per zone: the timeout in force, logins, inactivity logouts, and how many came straight back."""
    cte, params = _logouts_cte(policy)
    zone = zone_sql(policy, "ip_num")[0]
    sql = f"""
        WITH {cte},
        logins AS (  -- successes counted per address first: the zone is then tested once per address
            SELECT CASE WHEN {zone} THEN 'inside' ELSE 'outside' END AS zone, sum(n) AS logins
            FROM (SELECT ip, any_value(ip_num) AS ip_num, count(*) AS n FROM login_events
                  WHERE outcome = 'success' AND {event_filter()} GROUP BY ip) GROUP BY 1
        ),
        per_zone AS (
            SELECT zone, count(*) AS inactivity_logouts, count(DISTINCT user_id) AS users,
                   median(since_success_s / 60) AS median_session_min,
                   count(*) FILTER (WHERE next_attempt_s <= $within) AS back_within_10_min
            FROM logouts GROUP BY zone
        )
        SELECT z.zone, CASE z.zone WHEN 'inside' THEN $timeout_inside ELSE $timeout_outside END AS timeout_min,
               coalesce(l.logins, 0)::BIGINT AS logins, coalesce(p.inactivity_logouts, 0) AS inactivity_logouts,
               coalesce(p.users, 0) AS users,
               round(100.0 * p.inactivity_logouts / nullif(l.logins, 0), 1) AS logout_pct, p.median_session_min,
               coalesce(p.back_within_10_min, 0) AS back_within_10_min,
               round(100.0 * p.back_within_10_min / nullif(p.inactivity_logouts, 0), 1) AS back_within_10_min_pct
        FROM (VALUES ('inside'), ('outside')) z(zone) LEFT JOIN logins l ON l.zone = z.zone
        LEFT JOIN per_zone p ON p.zone = z.zone ORDER BY z.zone"""
    return run_query(db, sql, {**filter_params(db, flt, policy), **params, "within": RETURN_WITHIN_S})


def return_distribution(db: Database, flt: LoginFilter, policy: LockoutPolicy) -> pd.DataFrame:
    """Inactivity logouts per zone by time until the user's next login attempt."""
    cte, zone_params = _logouts_cte(policy)
    edges = list(RETURN_BINS_MIN)
    labels = ([f"< {_minutes(edges[0])}"] + [f"{_minutes(a)}-{_minutes(b)}" for a, b in zip(edges, edges[1:])]
              + [f"≥ {_minutes(edges[-1])}", "not back"])
    sql = f"""
        WITH {cte},
        binned AS (SELECT zone, CASE WHEN next_attempt_s IS NULL THEN {len(edges) + 1}
                                     ELSE {_bin_sql("next_attempt_s / 60", len(edges))} END AS b
                   FROM logouts)
        SELECT $labels[k + 1] AS back_after, z.zone, count(binned.b) AS logouts
        FROM range(0, {len(edges) + 2}) r(k) CROSS JOIN (VALUES ('inside'), ('outside')) z(zone)
        LEFT JOIN binned ON binned.b = r.k AND binned.zone = z.zone
        GROUP BY k, z.zone ORDER BY z.zone, k"""
    params = {**filter_params(db, flt, policy), **zone_params, "edges": edges, "labels": labels}
    return run_query(db, sql, params)
