"""The login policy of the SaaS guide (DOMAIN.md section 5) as pure rules.

Each failed login lengthens the delay before the next attempt (``base`` seconds
after the first failure, multiplied by ``growth`` per further failure, capped at
``max``); at ``threshold`` failures in a row the account is locked until its
administrator unlocks it or has the password regenerated. A success, an unlock
or a regeneration resets the count. The trusted zone is a list of IP ranges
(CIDR); the inactivity timeout differs inside and outside it.

Nothing here touches the database except :func:`load_policy`, which reads the
``lockout.*`` settings. IP addresses become 128-bit numbers (IPv4 as
IPv4-mapped IPv6, ``::ffff:a.b.c.d``) so that a range is a ``BETWEEN`` in SQL.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from analytics.settings.queries import get_setting
from analytics.store.database import Database

OUTCOMES = ("success", "failure", "locked", "unlock", "password_regenerated", "inactivity_logout")
ATTEMPTS = ("success", "failure")
RESETS = ("success", "unlock", "password_regenerated")  # end a run of failures
ADMIN_ACTIONS = ("unlock", "password_regenerated")      # done by the customer's administrator
IPV4_MAPPED = 0xFFFF << 32


@dataclass(frozen=True)
class LockoutPolicy:
    """The login policy in force (defaults from DOMAIN.md, overridable as settings)."""

    threshold: int = 6
    base_delay_seconds: float = 2
    delay_growth: float = 2.0
    max_delay_seconds: float = 300
    trusted_zone: tuple[str, ...] = ("10.0.0.0/8", "192.168.0.0/16", "2001:db8:100::/48")
    inactivity_minutes_inside: float = 60
    inactivity_minutes_outside: float = 15
    phone_hours_calendar: str = "Business hours (Paris)"
    attack_accounts_per_ip: int = 5
    attack_fast_failures: int = 3

    def delay_after(self, failures: int) -> float | None:
        """Seconds to wait after ``failures`` failures in a row; None once locked, 0 with none."""
        if failures <= 0:
            return 0.0
        if failures >= self.threshold:
            return None
        return float(min(self.base_delay_seconds * self.delay_growth ** (failures - 1), self.max_delay_seconds))

    def delays(self) -> list[float]:
        """The delay after each failure before the lock (1 .. threshold - 1)."""
        return [self.delay_after(n) for n in range(1, self.threshold)]

    def is_locked(self, failures: int) -> bool:
        """True when that many failures in a row lock the account."""
        return failures >= self.threshold

    def timeout_minutes(self, inside: bool) -> float:
        """The inactivity timeout in force inside or outside the trusted zone."""
        return self.inactivity_minutes_inside if inside else self.inactivity_minutes_outside

    def zone(self) -> list[tuple[int, int]]:
        """The trusted zone as (first, last) 128-bit address numbers."""
        return [network_range(cidr) for cidr in self.trusted_zone]

    def in_trusted_zone(self, ip: str) -> bool:
        """True when the address lies in one of the trusted ranges."""
        number = ip_number(ip)
        return any(first <= number <= last for first, last in self.zone())

    def describe(self) -> str:
        """The policy in a few sentences, as the page states it (Markdown: ranges as code)."""
        delays = ", ".join(f"{d:g}" for d in self.delays())
        return (f"Each failed login lengthens the delay before the next attempt ({delays} s after failures "
                f"1-{self.threshold - 1}: {self.base_delay_seconds:g} s × {self.delay_growth:g} per failure, "
                f"at most {self.max_delay_seconds:g} s); {self.threshold} failures in a row lock the account "
                f"until its administrator unlocks it or regenerates the password. Trusted zone: "
                f"{', '.join(f'`{r}`' for r in self.trusted_zone) or 'none'}. Inactivity timeout: "
                f"{self.inactivity_minutes_inside:g} min inside the zone, {self.inactivity_minutes_outside:g} min "
                f"outside. Phone support: {self.phone_hours_calendar}.")


@dataclass(frozen=True)
class AccountState:
    """Where an account stands: failures in a row and whether it is locked."""

    failures: int = 0
    locked: bool = False


def step(policy: LockoutPolicy, state: AccountState, outcome: str) -> AccountState:
    """The account's state after one event of the given outcome."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    if outcome in RESETS:
        return AccountState()
    if outcome == "failure":
        failures = state.failures + 1
        return AccountState(failures, state.locked or policy.is_locked(failures))
    if outcome == "locked":
        return AccountState(state.failures, True)
    return state  # inactivity_logout changes nothing


def replay(policy: LockoutPolicy, outcomes: list[str]) -> list[AccountState]:
    """The state after each event of a sequence, starting from a fresh account."""
    states, state = [], AccountState()
    for outcome in outcomes:
        state = step(policy, state, outcome)
        states.append(state)
    return states


def ip_number(text: str) -> int:
    """An address as a 128-bit number (IPv4 mapped into ::ffff:0:0/96); ValueError if invalid."""
    address = ipaddress.ip_address(text.strip())
    if address.version == 4:
        return IPV4_MAPPED | int(address)
    return int(address)


def canonical_ip(text: str) -> str:
    """The address in its canonical text form (IPv4-mapped IPv6 shown as IPv4)."""
    address = ipaddress.ip_address(text.strip())
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return address.compressed


def network_range(cidr: str) -> tuple[int, int]:
    """First and last address number of a CIDR range; ValueError if invalid."""
    network = ipaddress.ip_network(cidr.strip(), strict=False)
    first, last = int(network.network_address), int(network.broadcast_address)
    if network.version == 4:
        return IPV4_MAPPED | first, IPV4_MAPPED | last
    return first, last


def check_zone(cidrs: list[str]) -> list[str]:
    """The ranges that are not valid CIDR notation (empty when all are)."""
    bad = []
    for cidr in cidrs:
        try:
            network_range(str(cidr))
        except ValueError:
            bad.append(str(cidr))
    return bad


def load_policy(db: Database) -> LockoutPolicy:
    """The policy in force, from the ``lockout.*`` settings."""
    zone = tuple(str(c) for c in get_setting(db, "lockout.trusted_zone"))
    bad = check_zone(list(zone))
    if bad:
        raise ValueError(f"lockout.trusted_zone holds invalid range(s): {', '.join(bad)}")
    return LockoutPolicy(
        threshold=max(1, int(get_setting(db, "lockout.threshold"))),
        base_delay_seconds=float(get_setting(db, "lockout.base_delay_seconds")),
        delay_growth=float(get_setting(db, "lockout.delay_growth")),
        max_delay_seconds=float(get_setting(db, "lockout.max_delay_seconds")),
        trusted_zone=zone,
        inactivity_minutes_inside=float(get_setting(db, "lockout.inactivity_minutes_inside")),
        inactivity_minutes_outside=float(get_setting(db, "lockout.inactivity_minutes_outside")),
        phone_hours_calendar=str(get_setting(db, "support.phone_hours_calendar")),
        attack_accounts_per_ip=int(get_setting(db, "lockout.attack_accounts_per_ip")),
        attack_fast_failures=int(get_setting(db, "lockout.attack_fast_failures")),
    )
