"""Lockout figures on a hand-built month: counts, depth, release times, zone, phone hours, inactivity, tickets."""
from __future__ import annotations

from datetime import date

import pytest

from analytics.kernel.periods import Period
from analytics.logins import support
from analytics.logins.rules import load_policy
from analytics.logins.stats import (
    LoginFilter,
    by_company,
    by_user,
    daily_counts,
    failure_depth,
    overview,
    rollup_is_fresh,
)
from analytics.settings.service import put_setting
from tests.factories import add_company, add_ticket, paris
from tests.logins.factories import add_logins, human_lockout, run_of

NOV = LoginFilter(Period(date(2026, 11, 1), date(2026, 12, 1)))


@pytest.fixture
def month(db):
    """November 2026 (Paris). a1 (Alpha, office) locked Tue 3 at 10:01, unlocked 30 min later; b1 (Beta,
    home) locked Sat 7 at 23:01, regenerated 34 h later; a3 (Alpha, office) locked Thu 12, still locked;
    b2 (Beta, office) fails twice then logs in. a1 is logged out inside the zone after 80 min and back in
    3 min; b1 outside after 30 min and not back. One failure just after the month (1 Dec 00:10 Paris)."""
    events = run_of(paris(2026, 11, 3, 10, 0), "a1", "Alpha", "10.1.1.1",
                    human_lockout() + [(1800, "unlock"), (300, "success")], actor="alpha-admin")
    events += run_of(paris(2026, 11, 4, 9, 0), "a1", "Alpha", "10.1.1.1",
                     [(0, "success"), (80 * 60, "inactivity_logout"), (180, "success")])
    events += run_of(paris(2026, 11, 7, 23, 0), "b1", "Beta", "198.51.100.7",
                     human_lockout() + [(34 * 3600, "password_regenerated")], actor="beta-admin")
    events += run_of(paris(2026, 11, 9, 10, 0), "b1", "Beta", "198.51.100.7",
                     [(0, "success"), (30 * 60, "inactivity_logout")])
    events += run_of(paris(2026, 11, 5, 8, 0), "b2", "Beta", "192.168.5.5",
                     [(0, "failure"), (10, "failure"), (10, "success")])
    events += run_of(paris(2026, 11, 12, 14, 0), "a3", "Alpha", "10.1.1.3", human_lockout())
    events += run_of(paris(2026, 12, 1, 0, 10), "b2", "Beta", "192.168.5.5", [(0, "failure")])
    add_logins(db, events)
    for reference, category, day in (("T-1", "login lockout", 3), ("T-2", "password regeneration", 9),
                                     ("T-3", "connectivity", 4)):
        add_ticket(db, reference, severity=4, opened=paris(2026, 11, day, 11, 0), company="Beta")
        db.write(lambda cur, c, r: cur.execute("UPDATE tickets SET category = ? WHERE reference = ?", [c, r]),
                 category, reference)
    return db


def test_headline_figures(month):
    o = overview(month, NOV, load_policy(month))
    assert {k: o[k] for k in ("failures", "lockouts", "unlocks", "regenerations", "ordinary_lockouts",
                              "attack_lockouts", "users_locked", "still_locked", "outside_zone", "off_hours",
                              "login_tickets")} == {
        "failures": 20, "lockouts": 3, "unlocks": 1, "regenerations": 1, "ordinary_lockouts": 3,
        "attack_lockouts": 0, "users_locked": 3, "still_locked": 1, "outside_zone": 1, "off_hours": 1,
        "login_tickets": 2}
    assert o["median_release_h"] == pytest.approx((0.5 + 34) / 2)


def test_daily_counts_cut_at_midnight_paris(month):
    daily = daily_counts(month, NOV).set_index("day")
    daily.index = daily.index.date
    assert len(daily) == 30
    assert daily.loc[date(2026, 11, 3)].to_dict() == {"failures": 6, "lockouts": 1, "unlocks": 1, "regenerations": 0}
    assert daily.loc[date(2026, 11, 7), "lockouts"] == 1 and daily.loc[date(2026, 11, 9), "regenerations"] == 1
    assert daily.loc[date(2026, 11, 30), "failures"] == 0   # 1 Dec 00:10 Paris is 30 Nov 23:10 UTC
    assert int(daily["failures"].sum()) == 20


def test_the_rollup_and_the_events_agree(month):
    assert rollup_is_fresh(month)
    from_rollup = daily_counts(month, NOV)
    month.write(lambda cur: cur.execute("DELETE FROM login_rollup_state"))
    assert not rollup_is_fresh(month)
    assert daily_counts(month, NOV).equals(from_rollup)
    assert by_company(month, NOV, load_policy(month))["failures"].tolist() == [12, 8]


def test_failure_depth_marks_the_threshold(month):
    depth = failure_depth(month, NOV, load_policy(month))
    assert depth["in_a_row"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert depth["failures"].tolist() == [4, 4, 3, 3, 3, 3, 0]
    assert depth["locks"].tolist() == [False] * 5 + [True, False]


def test_by_company(month):
    frame = by_company(month, NOV, load_policy(month)).set_index("company")
    alpha, beta = frame.loc["Alpha"], frame.loc["Beta"]
    assert (alpha["lockouts"], alpha["users_locked"], alpha["failures"], alpha["unlocks"], alpha["still_locked"],
            alpha["outside_zone_pct"], alpha["outside_phone_hours"]) == (2, 2, 12, 1, 1, 0.0, 0)
    assert alpha["median_release_h"] == pytest.approx(0.5)
    assert (beta["lockouts"], beta["failures"], beta["regenerations"], beta["outside_zone_pct"],
            beta["outside_phone_hours"]) == (1, 8, 1, 100.0, 1)
    assert beta["median_release_h"] == pytest.approx(34)


def test_company_filter(month):
    beta = LoginFilter(NOV.period, (add_company(month, "Beta"),))
    assert overview(month, beta, load_policy(month))["lockouts"] == 1
    assert by_company(month, beta, load_policy(month))["company"].tolist() == ["Beta"]


def test_top_users(month):
    users = by_user(month, NOV, load_policy(month), limit=3)
    assert users["user_id"].tolist() == ["a1", "a3", "b1"]
    assert users["lockouts"].tolist() == [1, 1, 1] and users["failures"].tolist() == [6, 6, 6]


def test_time_to_release(month):
    policy = load_policy(month)
    dist = support.release_distribution(month, NOV, policy).set_index("time_to_release")
    assert dist["ordinary"].to_dict() == {"< 15 min": 0, "15 min-30 min": 0, "30 min-1 h": 1, "1 h-2 h": 0,
                                          "2 h-4 h": 0, "4 h-8 h": 0, "8 h-24 h": 0, "24 h-72 h": 1, "≥ 72 h": 0,
                                          "still locked": 1}
    per_company = support.release_by_company(month, NOV, policy)
    assert per_company["company"].tolist() == ["Beta", "Alpha"]   # slowest administrators first
    assert per_company["median_h"].tolist() == pytest.approx([34, 0.5])


def test_lockouts_outside_phone_hours(month):
    frame = support.phone_hours_by_company(month, NOV, load_policy(month)).set_index("company")
    assert frame.loc["Beta", ["lockouts", "outside_phone_hours", "outside_pct"]].tolist() == [1, 1, 100.0]
    assert frame.loc["Beta", "median_release_h_outside"] == pytest.approx(34)
    assert frame.loc["Alpha", ["lockouts", "outside_phone_hours"]].tolist() == [2, 0]


def test_settings_change_the_figures_on_read(month):
    with month.transaction() as cur:
        put_setting(cur, name="lockout.trusted_zone", value=["10.0.0.0/8", "198.51.100.0/24"], actor="test")
        put_setting(cur, name="support.phone_hours_calendar", value="24/7", actor="test")
    o = overview(month, NOV, load_policy(month))
    assert (o["outside_zone"], o["off_hours"]) == (0, 0)
    assert by_company(month, NOV, load_policy(month)).set_index("company").loc["Beta", "outside_zone_pct"] == 0.0


def test_inactivity_logouts_by_zone(month):
    frame = support.inactivity_by_zone(month, NOV, load_policy(month)).set_index("zone")
    inside, outside = frame.loc["inside"], frame.loc["outside"]
    assert (inside["timeout_min"], inside["logins"], inside["inactivity_logouts"], inside["logout_pct"],
            inside["back_within_10_min"], inside["back_within_10_min_pct"]) == (60, 4, 1, 25.0, 1, 100.0)
    assert inside["median_session_min"] == pytest.approx(80)
    assert (outside["timeout_min"], outside["logins"], outside["inactivity_logouts"], outside["logout_pct"],
            outside["back_within_10_min"], outside["back_within_10_min_pct"]) == (15, 1, 1, 100.0, 0, 0.0)
    returns = support.return_distribution(month, NOV, load_policy(month))
    shown = {(r.zone, r.back_after): r.logouts for r in returns.itertuples() if r.logouts}
    assert shown == {("inside", "2 min-5 min"): 1, ("outside", "not back"): 1}


def test_login_tickets_beside_lockouts(month):
    weekly = support.login_tickets_weekly(month, NOV).set_index("week")
    weekly.index = weekly.index.date
    assert list(weekly.index) == [date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16),
                                  date(2026, 11, 23), date(2026, 11, 30)]
    assert weekly.loc[date(2026, 11, 2)].to_dict() == {"lockouts": 2, "regenerations": 0, "lockout_tickets": 1,
                                                       "regeneration_tickets": 0}
    assert weekly.loc[date(2026, 11, 9)].to_dict() == {"lockouts": 1, "regenerations": 1, "lockout_tickets": 0,
                                                       "regeneration_tickets": 1}


def test_empty_database_gives_zeros(db):
    o = overview(db, NOV, load_policy(db))
    assert (o["failures"], o["lockouts"], o["still_locked"], o["median_release_h"]) == (0, 0, 0, None)
    assert int(daily_counts(db, NOV)["failures"].sum()) == 0
    assert by_company(db, NOV, load_policy(db)).empty
