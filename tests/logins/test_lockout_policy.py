"""The login policy of DOMAIN.md section 5, table-driven: delays, the lock, resets, the trusted zone."""
from __future__ import annotations

import re

import pytest

from analytics.logins.rules import (
    AccountState,
    LockoutPolicy,
    canonical_ip,
    check_zone,
    ip_number,
    load_policy,
    replay,
    step,
)
from analytics.logins.stats import zone_sql
from analytics.settings.service import put_setting

DEFAULT = LockoutPolicy()
STEEP = LockoutPolicy(threshold=5, base_delay_seconds=2, delay_growth=3, max_delay_seconds=60)


@pytest.mark.parametrize("policy,failures,delay", [
    (DEFAULT, 0, 0.0), (DEFAULT, 1, 2.0), (DEFAULT, 2, 4.0), (DEFAULT, 3, 8.0), (DEFAULT, 4, 16.0),
    (DEFAULT, 5, 32.0), (DEFAULT, 6, None), (DEFAULT, 9, None),
    (STEEP, 1, 2.0), (STEEP, 2, 6.0), (STEEP, 3, 18.0), (STEEP, 4, 54.0), (STEEP, 5, None),
    (LockoutPolicy(threshold=10, max_delay_seconds=20), 5, 20.0),   # 32 s capped at 20
    (LockoutPolicy(threshold=10, max_delay_seconds=20), 9, 20.0),
    (LockoutPolicy(delay_growth=1.0), 5, 2.0),                       # constant delay
])
def test_delay_after_failures(policy, failures, delay):
    assert policy.delay_after(failures) == delay


def test_delays_listed_up_to_the_lock():
    assert DEFAULT.delays() == [2, 4, 8, 16, 32]
    assert STEEP.delays() == [2, 6, 18, 54]


F, L, S, U, R, I = "failure", "locked", "success", "unlock", "password_regenerated", "inactivity_logout"


@pytest.mark.parametrize("outcomes,expected", [
    ([F] * 5, AccountState(5, False)),
    ([F] * 6, AccountState(6, True)),                 # locked at the threshold
    ([F] * 6 + [L], AccountState(6, True)),
    ([F] * 7, AccountState(7, True)),                 # attempts on a locked account stay locked
    ([F] * 5 + [S], AccountState(0, False)),          # a success resets the count
    ([F] * 5 + [S, F], AccountState(1, False)),
    ([F] * 6 + [U], AccountState(0, False)),          # the administrator's unlock resets and unlocks
    ([F] * 6 + [R], AccountState(0, False)),          # so does a regeneration
    ([F] * 6 + [U] + [F] * 5, AccountState(5, False)),
    ([F] * 6 + [U] + [F] * 6, AccountState(6, True)),
    ([F, F, I], AccountState(2, False)),              # an inactivity logout changes nothing
    ([L], AccountState(0, True)),                     # a lock recorded by the source system
    ([], AccountState(0, False)),
], ids=lambda v: "-".join(v) if isinstance(v, list) else None)
def test_replay(outcomes, expected):
    states = replay(DEFAULT, outcomes)
    assert (states[-1] if states else AccountState()) == expected


def test_lower_threshold_locks_sooner():
    assert replay(STEEP, [F] * 5)[-1].locked
    assert not replay(STEEP, [F] * 4)[-1].locked


def test_unknown_outcome_is_refused():
    with pytest.raises(ValueError, match="unknown outcome"):
        step(DEFAULT, AccountState(), "hacked")


ZONE_CASES = [
    ("10.0.0.0", True), ("10.255.255.255", True), ("9.255.255.255", False), ("11.0.0.0", False),
    ("192.168.4.20", True), ("192.169.0.1", False), ("203.0.113.9", False),
    ("2001:db8:100::1", True), ("2001:db8:100:ffff:ffff:ffff:ffff:ffff", True), ("2001:db8:101::", False),
    ("2001:DB8:100:0:0:0:0:7", True), ("2001:db8:bad::7", False), ("fe80::1", False), ("::1", False),
    ("::ffff:10.1.2.3", True), ("::ffff:11.1.2.3", False),   # IPv4-mapped IPv6 counts as IPv4
]


@pytest.mark.parametrize("ip,inside", ZONE_CASES)
def test_zone_classification(ip, inside):
    assert DEFAULT.in_trusted_zone(ip) is inside


@pytest.mark.parametrize("ip,inside", ZONE_CASES)
def test_zone_classification_in_sql_agrees(db, ip, inside):
    zone, params = zone_sql(DEFAULT, "ip_num")
    assert db.scalar(f"SELECT {zone} FROM (SELECT CAST($ip AS UHUGEINT) AS ip_num)",
                     {**params, "ip": str(ip_number(ip))}) is inside


@pytest.mark.parametrize("zone,ip,inside", [
    (("203.0.113.7/32",), "203.0.113.7", True), (("203.0.113.7/32",), "203.0.113.8", False),
    (("2001:db8::/32",), "2001:db8:ffff::1", True), (("2001:db8::/32",), "2001:db9::1", False),
    (("10.0.0.0/8", "2001:db8::/32"), "10.9.9.9", True), ((), "10.0.0.1", False),
    (("10.1.2.3/8",), "10.200.0.1", True),   # host bits set: the network is taken
])
def test_custom_zones(db, zone, ip, inside):
    policy = LockoutPolicy(trusted_zone=zone)
    assert policy.in_trusted_zone(ip) is inside
    sql, params = zone_sql(policy, "ip_num")
    assert db.scalar(f"SELECT {sql} FROM (SELECT CAST($ip AS UHUGEINT) AS ip_num)",
                     {**params, "ip": str(ip_number(ip))}) is inside


@pytest.mark.parametrize("text,canonical", [
    ("10.1.2.3", "10.1.2.3"), (" 10.1.2.3 ", "10.1.2.3"), ("::ffff:10.1.2.3", "10.1.2.3"),
    ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
])
def test_canonical_addresses(text, canonical):
    assert canonical_ip(text) == canonical


@pytest.mark.parametrize("text", ["", "999.1.1.1", "10.1.2", "10.1.2.3/24", "2001:db8::g", "localhost"])
def test_invalid_addresses(text):
    with pytest.raises(ValueError, match=re.escape(f"{text!r} does not appear to be an IPv4 or IPv6 address")):
        ip_number(text)


def test_invalid_zone_ranges_are_named():
    assert check_zone(["10.0.0.0/8", "10.0.0.0/33", "banana", "2001:db8::/48"]) == ["10.0.0.0/33", "banana"]


def test_policy_comes_from_the_settings(db):
    assert load_policy(db) == DEFAULT
    with db.transaction() as cur:
        put_setting(cur, name="lockout.threshold", value=4, actor="test")
        put_setting(cur, name="lockout.trusted_zone", value=["172.16.0.0/12"], actor="test")
        put_setting(cur, name="lockout.inactivity_minutes_outside", value=30, actor="test")
    policy = load_policy(db)
    assert (policy.threshold, policy.trusted_zone, policy.inactivity_minutes_outside) == (4, ("172.16.0.0/12",), 30)
    assert policy.in_trusted_zone("172.20.1.1") and not policy.in_trusted_zone("10.0.0.1")
    assert "2, 4, 8 s after failures 1-3" in policy.describe()
    assert "4 failures in a row lock the account" in policy.describe()


def test_invalid_zone_setting_is_reported(db):
    with db.transaction() as cur:
        put_setting(cur, name="lockout.trusted_zone", value=["10.0.0.0/8", "not-a-range"], actor="test")
    with pytest.raises(ValueError, match="not-a-range"):
        load_policy(db)


def test_policy_statement():
    text = DEFAULT.describe()
    assert "2, 4, 8, 16, 32 s after failures 1-5" in text
    assert "6 failures in a row lock the account" in text
    assert "Trusted zone: `10.0.0.0/8`, `192.168.0.0/16`, `2001:db8:100::/48`." in text
    assert "60 min inside the zone, 15 min outside" in text
