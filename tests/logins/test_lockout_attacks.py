"""Suspected attacks on crafted sequences: sprays from one address, failures faster than the delays."""
from __future__ import annotations

from datetime import date

import pytest

from analytics.kernel.periods import Period
from analytics.logins.rules import load_policy
from analytics.logins.stats import LoginFilter, overview, suspected_attacks
from analytics.settings.service import put_setting
from tests.factories import add_ticket, paris
from tests.logins.factories import add_logins, human_lockout, run_of, scripted_lockout

NOV = LoginFilter(Period(date(2026, 11, 1), date(2026, 12, 1)))
NIGHT = paris(2026, 11, 3, 2, 0)
SPRAYER = "192.0.2.66"


def attacks(db):
    frame = suspected_attacks(db, NOV, load_policy(db))
    return sorted(zip(frame["kind"], frame["source"], frame["failures"], frame["lockouts"]))


def spray(accounts: int, *, ip=SPRAYER, per_account=2, gap=30, day=3, first=0) -> list[tuple]:
    """Each account fails ``per_account`` times from ``ip``, one account a minute, on 2026-11-``day``."""
    events = []
    for k in range(first, first + accounts):
        start = NIGHT.replace(day=day, minute=k)
        steps = [(0 if i == 0 else gap, "failure") for i in range(per_account)]
        events += run_of(start, f"v{k}", "Acme" if k % 2 else "Beta", ip, steps)
    return events


def without_rollups(db):
    """Make the rollups stale so that the figures come from the events themselves."""
    db.write(lambda cur: cur.execute("DELETE FROM login_rollup_state"))
    return db


@pytest.mark.parametrize("accounts,flagged", [(4, False), (5, True), (12, True)])
@pytest.mark.parametrize("source", ["rollup", "events"])
def test_spray_needs_the_accounts_threshold(db, accounts, flagged, source):
    add_logins(db, spray(accounts))
    if source == "events":
        without_rollups(db)
    assert attacks(db) == ([("spray", SPRAYER, 2 * accounts, 0)] if flagged else [])


@pytest.mark.parametrize("source", ["rollup", "events"])
def test_accounts_that_log_in_from_the_address_are_not_a_spray(db, source):
    """An office behind one address: five people fail, four then log in from it, one gives up."""
    events = spray(5, ip="203.0.113.40", gap=30)
    for k in range(4):
        events.append((NIGHT.replace(minute=k, second=50), f"v{k}", "Acme" if k % 2 else "Beta", "203.0.113.40",
                       "success"))
    add_logins(db, events)
    if source == "events":
        without_rollups(db)
    assert attacks(db) == []
    events.append((NIGHT.replace(minute=55), "v9", "Acme", "203.0.113.40", "failure"))   # a fifth one fails
    add_logins(db, events[-1:])
    if source == "events":
        without_rollups(db)
    assert attacks(db) == []   # 4 did log in: only v4 and v9 failed without


def test_spray_is_counted_per_day(db):
    add_logins(db, spray(4, day=3) + spray(4, day=4, first=4))
    assert attacks(db) == []


@pytest.mark.parametrize("source", ["rollup", "events"])
def test_spray_lockouts_are_attributed(db, source):
    events = spray(5)
    events += run_of(NIGHT.replace(hour=3), "v9", "Acme", SPRAYER, scripted_lockout())
    add_logins(db, events)
    if source == "events":
        without_rollups(db)
    assert attacks(db) == [("burst", "v9", 5, 1), ("spray", SPRAYER, 16, 1)]
    figures = overview(db, NOV, load_policy(db))
    assert (figures["lockouts"], figures["attack_lockouts"]) == (1, 1)


@pytest.mark.parametrize("steps,fast", [
    ([(0, "failure"), (1, "failure"), (1, "failure"), (1, "failure")], 3),        # 1 s < 2, 4, 8 s
    ([(0, "failure"), (1, "failure"), (1, "failure")], None),                     # only 2 fast
    ([(0, "failure"), (3, "failure"), (5, "failure"), (9, "failure")], None),     # waits longer than 2, 4, 8 s
    ([(0, "failure"), (2, "failure"), (4, "failure"), (8, "failure")], None),     # exactly the delays: allowed
    ([(0, "failure"), (1.9, "failure"), (3.9, "failure"), (7.9, "failure")], 3),
    ([(0, "failure"), (1, "success"), (1, "failure"), (1, "success"), (1, "failure")], None),  # runs reset
    ([(0, "failure"), (40, "failure"), (40, "failure"), (40, "failure"), (40, "failure"), (20, "failure")],
     None),                                                                       # only the 6th (20 < 32 s)
    ([(0, "failure"), (3, "failure"), (1, "failure"), (1, "failure"), (1, "failure")], 3),
])
def test_failures_faster_than_the_delay_policy(db, steps, fast):
    add_logins(db, run_of(paris(2026, 11, 3, 10, 0), "u1", "Acme", "10.1.1.1", steps))
    assert attacks(db) == ([("burst", "u1", fast, 0)] if fast else [])


def test_attack_lockouts_are_kept_apart_from_ordinary_ones(db):
    add_ticket(db, "T-1", severity=4, opened=paris(2026, 11, 3, 9, 0))
    events = run_of(paris(2026, 11, 3, 10, 0), "u1", "Acme", "10.1.1.1",
                    human_lockout() + [(1800, "unlock")], actor="admin")
    events += run_of(paris(2026, 11, 3, 23, 0), "u2", "Acme", "2001:db8:bad::7",
                     scripted_lockout() + [(3600, "password_regenerated")], actor="admin")
    add_logins(db, events)
    figures = overview(db, NOV, load_policy(db))
    assert (figures["lockouts"], figures["ordinary_lockouts"], figures["attack_lockouts"]) == (2, 1, 1)
    assert figures["median_release_h"] == pytest.approx(0.5)   # the attack's release is left out
    assert attacks(db) == [("burst", "u2", 5, 1)]


def test_thresholds_are_settings(db):
    add_logins(db, run_of(paris(2026, 11, 3, 10, 0), "u1", "Acme", "10.1.1.1", scripted_lockout()) + spray(5))
    assert [a[0] for a in attacks(db)] == ["burst", "spray"]
    with db.transaction() as cur:
        put_setting(cur, name="lockout.attack_fast_failures", value=6, actor="test")
        put_setting(cur, name="lockout.attack_accounts_per_ip", value=6, actor="test")
    assert attacks(db) == []
    with db.transaction() as cur:
        put_setting(cur, name="lockout.base_delay_seconds", value=0.5, actor="test")   # 0.5, 1, 2, 4, 8 s
        put_setting(cur, name="lockout.attack_fast_failures", value=3, actor="test")
    # 1 s gaps against delays of 0.5, 1, 2, 4, 8 s: fast after the 3rd, 4th and 5th failures
    assert attacks(db) == [("burst", "u1", 3, 1)]
