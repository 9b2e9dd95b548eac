"""Login lockout statistics (DOMAIN.md section 5), computed on read in DuckDB.

Every figure covers a :class:`LoginFilter` (a period of local days and companies)
and applies the policy in force (:class:`~analytics.logins.rules.LockoutPolicy`)
at the moment it is asked for: the trusted zone is tested on each event's address
number, the delays decide which failures came too fast, the phone-support
calendar decides which lockouts came when nobody could help. Counts per day and
company read the ``login_daily`` rollup when it is current for the deployment time
zone, the events otherwise. A lockout is *released* by the next unlock or
password regeneration of its account; one without a release is still locked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analytics.kernel.periods import Period
from analytics.kernel.sql import identifier
from analytics.logins.attacks import attack_params, label_attacks, suspected_attacks_sql
from analytics.logins.days import local_day_sql
from analytics.logins.rules import LockoutPolicy
from analytics.store.database import Database

LOGIN_TICKET_CATEGORIES = ("login lockout", "password regeneration")
PARAM = re.compile(r"\$([a-z_0-9]+)")
OUTCOME_COLUMNS = {"failure": "failures", "locked": "lockouts", "unlock": "unlocks",
                   "password_regenerated": "regenerations"}


@dataclass(frozen=True)
class LoginFilter:
    """Which events a figure covers: a period of local days and companies (empty: all)."""

    period: Period
    company_ids: tuple[int, ...] = ()


EVENT_ALIASES = ("e", "s")  # how the figures name login_events in joins
ZONE_COLUMNS = ("ip_num", "e.ip_num", "s.ip_num")


def event_filter(alias: str = "") -> str:
    """WHERE fragment on the period and companies ($from, $to, $all_companies, $companies)."""
    p = f"{identifier(alias, EVENT_ALIASES)}." if alias else ""
    return (f"{p}occurred_at >= $from AND {p}occurred_at < $to "
            f"AND ($all_companies OR list_contains($companies, {p}company_id))")


def zone_sql(policy: LockoutPolicy, column: str = "ip_num") -> tuple[str, dict]:
    """Boolean SQL testing an address number against the trusted zone, and its parameters."""
    column = identifier(column, ZONE_COLUMNS)
    parts, params = [], {}
    for i, (first, last) in enumerate(policy.zone()):
        parts.append(f"{column} BETWEEN CAST($zone_lo_{i} AS UHUGEINT) AND CAST($zone_hi_{i} AS UHUGEINT)")
        params[f"zone_lo_{i}"], params[f"zone_hi_{i}"] = str(first), str(last)
    return ("(" + " OR ".join(parts) + ")" if parts else "false"), params


def phone_calendar_id(db: Database, policy: LockoutPolicy) -> int | None:
    """The id of the phone-support calendar named in the settings (None when unknown)."""
    return db.scalar("SELECT id FROM calendars WHERE name = ?", [policy.phone_hours_calendar])


def filter_params(db: Database, flt: LoginFilter, policy: LockoutPolicy) -> dict:
    """The bound parameters of the filter, the policy and the local-day expressions."""
    start, end = flt.period.bounds()
    return {"from": start, "to": end, "first_day": flt.period.start, "end_day": flt.period.end,
            "all_companies": not flt.company_ids, "companies": [int(c) for c in flt.company_ids],
            "tz": db.timezone, "phone_calendar": phone_calendar_id(db, policy),
            "timeout_inside": policy.inactivity_minutes_inside,
            "timeout_outside": policy.inactivity_minutes_outside, **attack_params(policy),
            **local_day_sql("occurred_at", db.timezone, start, end)[1]}


def fragments(db: Database, flt: LoginFilter) -> dict[str, str]:
    """SQL fragments of the filter and of the local day, bare and for the alias ``e``."""
    start, end = flt.period.bounds()
    return {"filter": event_filter(), "filter_e": event_filter("e"),
            "day": local_day_sql("occurred_at", db.timezone, start, end)[0],
            "day_e": local_day_sql("e.occurred_at", db.timezone, start, end)[0]}


def run_query(db: Database, sql: str, params: dict, frames: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Run ``sql`` with the parameters it names (DuckDB refuses unused ones), ``frames`` visible as tables."""
    used = {k: v for k, v in params.items() if k in set(PARAM.findall(sql))}
    if not frames:
        return db.query(sql, used)
    cur = db.cursor()
    try:
        for name, frame in frames.items():
            cur.register(name, frame)
        return cur.execute(sql, used).df()
    finally:
        cur.close()


def rollup_is_fresh(db: Database) -> bool:
    """True when ``login_daily`` was rebuilt after the last write, in the deployment time zone."""
    return bool(db.scalar("SELECT count(*) FROM login_rollup_state WHERE timezone = ? "
                          "AND events = (SELECT count(*) FROM login_events)", [db.timezone]))


def _counts_source(db: Database, flt: LoginFilter) -> str:
    """Rows (day, company_id, outcome, n) for the filter, from the rollup when it is current."""
    if rollup_is_fresh(db):
        return ("SELECT day, company_id, outcome, events AS n FROM login_daily WHERE day >= $first_day "
                "AND day < $end_day AND ($all_companies OR list_contains($companies, company_id))")
    return (f"SELECT {fragments(db, flt)['day']} AS day, company_id, outcome, count(*) AS n "
            f"FROM login_events WHERE {event_filter()} GROUP BY ALL")


def suspected_attacks(db: Database, flt: LoginFilter, policy: LockoutPolicy) -> pd.DataFrame:
    """Suspected attacks of the period (sprays by address, bursts by account), most recent first."""
    zone, zone_params = zone_sql(policy, "s.ip_num")
    sql = suspected_attacks_sql(fragments(db, flt), zone, from_rollup=rollup_is_fresh(db))
    return label_attacks(run_query(db, sql, {**filter_params(db, flt, policy), **zone_params}))


def lockout_rows(db: Database, flt: LoginFilter, policy: LockoutPolicy, attacks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per lockout of the period: account, company, instant, address, hours until released (None:
    still locked), inside the trusted zone, outside phone hours, during a suspected attack."""
    if attacks is None:
        attacks = suspected_attacks(db, flt, policy)
    zone, params = zone_sql(policy, "e.ip_num")
    parts = fragments(db, flt)
    sql = f"""
        WITH lk AS (
            SELECT e.user_id, e.company_id, e.occurred_at, e.ip, e.release_s / 3600 AS release_h,
                   epoch(e.occurred_at) AS t, {parts["day_e"]} AS day, {zone} AS in_zone
            FROM login_events e WHERE e.outcome = 'locked' AND {parts["filter_e"]}
        )
        SELECT lk.user_id, lk.company_id, lk.occurred_at, lk.ip, lk.release_h, lk.in_zone,
               CASE WHEN $phone_calendar IS NULL THEN NULL ELSE coalesce(lk.t >= ci.end_s, true) END AS off_hours,
               EXISTS (SELECT 1 FROM login_attack_list a WHERE a.day::DATE = lk.day
                       AND a.source = CASE a.kind WHEN 'spray' THEN lk.ip ELSE lk.user_id END) AS attack
        FROM lk ASOF LEFT JOIN (SELECT start_s, end_s FROM calendar_intervals
                                WHERE calendar_id = $phone_calendar) ci ON lk.t >= ci.start_s
        ORDER BY lk.occurred_at"""
    keys = attacks[["kind", "source", "day"]].astype({"kind": "string", "source": "string"})
    return run_query(db, sql, {**filter_params(db, flt, policy), **params}, {"login_attack_list": keys})


def lockouts_frame(db: Database, flt: LoginFilter, policy: LockoutPolicy, lockouts: pd.DataFrame | None) -> dict:
    """The lockout rows as a frame for ``run_query`` (computed unless the caller has them already)."""
    return {"lockouts": lockout_rows(db, flt, policy) if lockouts is None else lockouts}


def daily_counts(db: Database, flt: LoginFilter) -> pd.DataFrame:
    """Failures, lockouts, unlocks and regenerations per local day of the period (zeros included)."""
    sums = ", ".join(f"coalesce(sum(c.n) FILTER (WHERE c.outcome = '{o}'), 0)::BIGINT AS {name}"
                     for o, name in OUTCOME_COLUMNS.items())
    sql = f"""
        WITH days AS (SELECT d::DATE AS day FROM generate_series($first_day::TIMESTAMP,
                      $end_day::TIMESTAMP - INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)),
             c AS ({_counts_source(db, flt)})
        SELECT days.day, {sums} FROM days LEFT JOIN c ON c.day = days.day GROUP BY days.day ORDER BY days.day"""
    return run_query(db, sql, filter_params(db, flt, LockoutPolicy()))


def failure_depth(db: Database, flt: LoginFilter, policy: LockoutPolicy) -> pd.DataFrame:
    """How far runs of failures went: failures that were the k-th in a row (k > threshold: while locked)."""
    sql = f"""
        WITH f AS (SELECT least(streak + 1, $threshold + 1) AS in_a_row, count(*) AS failures
                   FROM login_events WHERE outcome = 'failure' AND {event_filter()} GROUP BY 1)
        SELECT k AS in_a_row, coalesce(f.failures, 0) AS failures, k = $threshold AS locks
        FROM range(1, $threshold + 2) r(k) LEFT JOIN f ON f.in_a_row = r.k ORDER BY k"""
    return run_query(db, sql, filter_params(db, flt, policy))


def overview(db: Database, flt: LoginFilter, policy: LockoutPolicy, lockouts: pd.DataFrame | None = None) -> dict:
    """The headline figures of the period."""
    sql = f"""
        WITH counts AS (SELECT {", ".join(f"coalesce(sum(n) FILTER (WHERE outcome = '{o}'), 0)::BIGINT AS {name}"
                                          for o, name in OUTCOME_COLUMNS.items())} FROM ({_counts_source(db, flt)}))
        SELECT counts.*, count(*) FILTER (WHERE l.attack) AS attack_lockouts,
               count(*) FILTER (WHERE NOT l.attack) AS ordinary_lockouts,
               count(DISTINCT l.user_id) AS users_locked,
               count(l.occurred_at) FILTER (WHERE l.release_h IS NULL) AS still_locked,
               median(l.release_h) FILTER (WHERE NOT l.attack) AS median_release_h,
               count(*) FILTER (WHERE NOT l.in_zone) AS outside_zone,
               count(*) FILTER (WHERE l.off_hours) AS off_hours,
               (SELECT count(*) FROM tickets t WHERE t.opened_at >= $from AND t.opened_at < $to
                  AND list_contains($ticket_categories, t.category)
                  AND ($all_companies OR list_contains($companies, t.company_id))) AS login_tickets
        FROM counts LEFT JOIN lockouts l ON true GROUP BY ALL"""
    params = {**filter_params(db, flt, policy), "ticket_categories": list(LOGIN_TICKET_CATEGORIES)}
    row = run_query(db, sql, params, lockouts_frame(db, flt, policy, lockouts)).to_dict(orient="records")[0]
    return {name: None if pd.isna(value) else value for name, value in row.items()}


def by_company(db: Database, flt: LoginFilter, policy: LockoutPolicy, lockouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per company: failures, lockouts (and how many in attacks), releases and how long they took."""
    sums = ", ".join(f"coalesce(sum(n) FILTER (WHERE outcome = '{o}'), 0)::BIGINT AS {name}"
                     for o, name in OUTCOME_COLUMNS.items() if o != "locked")
    sql = f"""
        WITH counts AS (SELECT company_id, {sums} FROM ({_counts_source(db, flt)}) GROUP BY company_id),
        locks AS (
            SELECT company_id, count(*) AS lockouts, count(*) FILTER (WHERE attack) AS attack_lockouts,
                   count(DISTINCT user_id) AS users_locked, median(release_h) AS median_release_h,
                   quantile_cont(release_h, 0.9) AS p90_release_h,
                   count(*) FILTER (WHERE release_h IS NULL) AS still_locked,
                   round(100.0 * count(*) FILTER (WHERE NOT in_zone) / count(*), 1) AS outside_zone_pct,
                   count(*) FILTER (WHERE off_hours) AS outside_phone_hours
            FROM lockouts GROUP BY company_id
        )
        SELECT co.name AS company, coalesce(l.lockouts, 0) AS lockouts, coalesce(l.attack_lockouts, 0)
                   AS attack_lockouts, coalesce(l.users_locked, 0) AS users_locked, c.failures, c.unlocks,
               c.regenerations, l.median_release_h, l.p90_release_h, coalesce(l.still_locked, 0) AS still_locked,
               l.outside_zone_pct, coalesce(l.outside_phone_hours, 0) AS outside_phone_hours
        FROM counts c JOIN companies co ON co.id = c.company_id LEFT JOIN locks l ON l.company_id = c.company_id
        ORDER BY lockouts DESC, c.failures DESC, company"""
    return run_query(db, sql, filter_params(db, flt, policy), lockouts_frame(db, flt, policy, lockouts))


def by_user(db: Database, flt: LoginFilter, policy: LockoutPolicy, *, limit: int = 20,
            lockouts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The users most often locked out (then most failures), with their company."""
    sql = f"""
        WITH per_user AS (
            SELECT user_id, any_value(company_id) AS company_id,
                   count(*) FILTER (WHERE outcome = 'failure') AS failures,
                   count(*) FILTER (WHERE outcome = 'password_regenerated') AS regenerations
            FROM login_events WHERE outcome IN ('failure', 'password_regenerated') AND {event_filter()}
            GROUP BY user_id
        ),
        locks AS (SELECT user_id, count(*) AS lockouts, count(*) FILTER (WHERE attack) AS attack_lockouts,
                         max(occurred_at) AS last_lockout FROM lockouts GROUP BY user_id)
        SELECT p.user_id, (SELECT any_value(name) FROM contacts ct WHERE ct.user_id = p.user_id) AS name,
               co.name AS company, coalesce(l.lockouts, 0) AS lockouts,
               coalesce(l.attack_lockouts, 0) AS attack_lockouts, p.failures, p.regenerations, l.last_lockout
        FROM per_user p JOIN companies co ON co.id = p.company_id LEFT JOIN locks l ON l.user_id = p.user_id
        ORDER BY lockouts DESC, p.failures DESC, p.user_id LIMIT $limit"""
    return run_query(db, sql, {**filter_params(db, flt, policy), "limit": limit},
                     lockouts_frame(db, flt, policy, lockouts))


def company_choices(db: Database) -> dict[str, int]:
    """Company names and ids for the filter, alphabetically."""
    return dict(db.rows("SELECT name, id FROM companies ORDER BY name"))


def has_login_events(db: Database) -> bool:
    """True when any login event is stored."""
    return bool(db.scalar("SELECT count(*) FROM (SELECT 1 FROM login_events LIMIT 1)"))
