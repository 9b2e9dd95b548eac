"""The login policy's exact figures and words, written to kill the mutants mutmut left alive in
``analytics/logins/rules.py`` (README "Tests", scripts/mutation.py): every setting read by
:func:`load_policy` moves its own field, the statement is compared whole, the timeout follows the zone."""
from __future__ import annotations

import re

import pytest

from analytics.logins.rules import LockoutPolicy, load_policy
from analytics.settings.service import put_setting


def test_every_lockout_setting_reaches_its_own_field(db):
    values = {"lockout.threshold": 9, "lockout.base_delay_seconds": 3.5, "lockout.delay_growth": 1.5,
              "lockout.max_delay_seconds": 120.5, "lockout.trusted_zone": ["172.16.0.0/12", "fd00::/8"],
              "lockout.inactivity_minutes_inside": 45, "lockout.inactivity_minutes_outside": 7,
              "support.phone_hours_calendar": "Round the clock", "lockout.attack_accounts_per_ip": 11,
              "lockout.attack_fast_failures": 4}
    with db.transaction() as cur:
        for name, value in values.items():
            put_setting(cur, name=name, value=value, actor="test")
    assert load_policy(db) == LockoutPolicy(
        threshold=9, base_delay_seconds=3.5, delay_growth=1.5, max_delay_seconds=120.5,
        trusted_zone=("172.16.0.0/12", "fd00::/8"), inactivity_minutes_inside=45, inactivity_minutes_outside=7,
        phone_hours_calendar="Round the clock", attack_accounts_per_ip=11, attack_fast_failures=4)


def test_invalid_zone_ranges_are_all_named_in_one_message(db):
    with db.transaction() as cur:
        put_setting(cur, name="lockout.trusted_zone", value=["banana", "10.0.0.0/8", "10.0.0.0/33"], actor="test")
    with pytest.raises(ValueError, match=re.escape("lockout.trusted_zone holds invalid range(s): banana, 10.0.0.0/33")
                       + "$"):
        load_policy(db)


def test_the_timeout_depends_on_the_zone():
    policy = LockoutPolicy(inactivity_minutes_inside=50, inactivity_minutes_outside=10)
    assert policy.timeout_minutes(inside=True) == 50
    assert policy.timeout_minutes(inside=False) == 10


def test_policy_statement_word_for_word():
    assert LockoutPolicy().describe() == (
        "Each failed login lengthens the delay before the next attempt (2, 4, 8, 16, 32 s after failures 1-5: "
        "2 s × 2 per failure, at most 300 s); 6 failures in a row lock the account until its administrator "
        "unlocks it or regenerates the password. Trusted zone: `10.0.0.0/8`, `192.168.0.0/16`, "
        "`2001:db8:100::/48`. Inactivity timeout: 60 min inside the zone, 15 min outside. "
        "Phone support: Business hours (Paris).")
    assert "Trusted zone: none." in LockoutPolicy(trusted_zone=()).describe()


def test_a_threshold_of_one_locks_at_the_first_failure(db):
    with db.transaction() as cur:
        put_setting(cur, name="lockout.threshold", value=1, actor="test")
    policy = load_policy(db)
    assert policy.threshold == 1
    assert policy.delays() == [] and policy.is_locked(1)
