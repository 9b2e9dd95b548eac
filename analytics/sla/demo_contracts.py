"""The demo's contracts: a Premium contract, and a few companies under it (issue 18).

Premium answers and resolves severity 1 and 2 in half Standard's time and runs every target on the 24/7
calendar (Standard's "3 business days" for a severity 4 resolution becomes 72 wall-clock hours). Three
companies are under it from the demo's first day and one from the first of the month after the middle of
its history, so the contract breakdown shows a change of contract (Standard, then Premium).

Written in the demo's transaction before its tickets, into the tables :mod:`analytics.sla.contracts`
writes, and chosen from the company ids (no random draw: the rest of the demo stays as it was). When the
store keeps a ledger, the rules with the contract become the version in force at once (there is no ticket
to measure yet), so the ledger's own hook computes the demo's tickets once, under the contract, at COMMIT.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from analytics.sla import rollups, versions
from analytics.store.cursor import Cursor

PREMIUM = "Premium"
PREMIUM_DESCRIPTION = "24/7 support; severity 1 and 2 answered and resolved in half Standard's time"
PREMIUM_TARGETS = (  # severity, measure, value, unit (all on the 24/7 calendar)
    (1, "response", 15, "minutes"), (1, "resolution", 1, "hours"),
    (2, "response", 30, "minutes"), (2, "resolution", 90, "minutes"),
    (3, "response", 2, "hours"), (3, "resolution", 12, "hours"),
    (4, "response", 24, "hours"), (4, "resolution", 3, "business_days"),
)
FROM_THE_START = (3, 7, 9)  # company ids under Premium from the demo's first day
FROM_MID_HISTORY = (4,)  # company ids under Standard, then Premium from partway through the history


def switch_day(first_day: date, last_day: date) -> date:
    """The day the mid-history companies move to Premium: the first of the month after the middle of the history."""
    middle = first_day + (last_day - first_day) / 2
    return (middle.replace(day=1) + timedelta(days=32)).replace(day=1)


def demo_contracts(cur: Cursor, *, company_ids: Collection[int], first_day: date, now: datetime, timezone: str) -> None:
    """The Premium contract and its companies (those of ``company_ids`` among the chosen ones), from ``first_day``
    (the local day of the first demo ticket) or from :func:`switch_day`."""
    zone = ZoneInfo(timezone)
    calendar_id = cur.execute("SELECT min(id) FROM calendars WHERE always_open").fetchone()[0]
    number = cur.execute("SELECT max(id) + 1 FROM contracts").fetchone()[0]
    cur.execute("INSERT INTO contracts (id, name, description) VALUES (?, ?, ?)", [number, PREMIUM, PREMIUM_DESCRIPTION])
    cur.executemany("INSERT INTO contract_targets (contract_id, severity, measure, target_value, target_unit, calendar_id) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [[number, severity, measure, float(value), unit, calendar_id]
                     for severity, measure, value, unit in PREMIUM_TARGETS])
    switch = switch_day(first_day, now.astimezone(zone).date())
    rows = [(company, first_day) for company in FROM_THE_START if company in company_ids]
    rows += [(company, switch) for company in FROM_MID_HISTORY if company in company_ids]
    cur.executemany("INSERT INTO company_contracts (company_id, contract_id, starts_at) VALUES (?, ?, ?)",
                    [[company, number, datetime.combine(day, time(0), zone)] for company, day in rows])
    _rules_in_force(cur)


def _rules_in_force(cur: Cursor) -> None:
    """When a version of the rules is in force and no ticket is stored yet, a version of the rules with the
    contract, complete at once: the tickets written next are measured under it (and only under it)."""
    if versions.in_force(cur) is None or cur.execute("SELECT count(*) FROM tickets").fetchone()[0]:
        return  # no ledger kept here yet (the first opening builds one), or tickets a rebuild must measure
    rules_hash, pauses = versions.current_rules(cur)
    version = versions.create(cur, rules_hash, pauses)
    rollups.build(cur, version.version)
    versions.complete(cur, version.version)
