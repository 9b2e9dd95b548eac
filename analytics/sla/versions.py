"""Versions of the SLA rules: what the figures depend on, fingerprinted, saved with each version of the ledger.

The rules are the targets (value, unit, calendar) of every contract, which company is under which
contract from when, the calendars with their hours, closures,
holiday country and derived working intervals, the severities, and the pause statuses. Any
change to them gives a new fingerprint, hence a new version: its rules are copied into
``sla_version_targets`` / ``sla_version_intervals`` so that its ledger, and the open tickets read
under it, are computed under exactly those rules while the tables move on. The latest complete
version is *in force*; a newer one is *building* until its ledger holds every ticket.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from analytics.sla.engine import TARGETS_SQL
from analytics.store.cursor import Cursor
from analytics.store.database import Database
from analytics.store.reading import read_rows

RULE_TABLES = ("sla_targets", "calendars", "calendar_hours", "calendar_closures", "calendar_intervals",
               "severities", "settings", "contract_targets", "company_contracts")  # a write may change the rules
RULE_QUERIES = (  # each ordered, so that the fingerprint depends on content only
    "SELECT severity, measure, target_value, target_unit, calendar_id FROM sla_targets ORDER BY ALL",
    "SELECT id, name, timezone, hours_per_day, holiday_country, holiday_subdiv, always_open FROM calendars ORDER BY id",
    "SELECT calendar_id, weekday, start_time, end_time FROM calendar_hours ORDER BY ALL",
    "SELECT calendar_id, day FROM calendar_closures ORDER BY ALL",
    "SELECT severity FROM severities ORDER BY ALL",
    "SELECT calendar_id, count(*), sum(start_s), sum(end_s), sum(cum_start), max(cum_start + seconds) "
    "FROM calendar_intervals GROUP BY ALL ORDER BY ALL",
)
# The contracts: in the fingerprint only when there are some, so that a store that defines none keeps the
# fingerprint (and the ledger) it had before contracts existed.
CONTRACT_QUERIES = (
    "SELECT contract_id, severity, measure, target_value, target_unit, calendar_id FROM contract_targets ORDER BY ALL",
    "SELECT company_id, contract_id, starts_at FROM company_contracts ORDER BY ALL",
)


@dataclass(frozen=True)
class Version:
    """One version of the rules and the state of its ledger."""

    version: int
    rules_hash: str
    pause_statuses: tuple[str, ...]
    state: str
    tickets_total: int
    tickets_done: int
    next_ticket_id: int
    max_end_s: float | None = None

    @property
    def progress(self) -> float:
        """Share of the tickets already in this version's ledger (1.0 when complete)."""
        if self.state == "complete" or not self.tickets_total:
            return 1.0
        return min(1.0, self.tickets_done / self.tickets_total)


COLUMNS = "version, rules_hash, pause_statuses, state, tickets_total, tickets_done, next_ticket_id, max_end_s"


def _version(row) -> Version:
    return Version(row[0], row[1], tuple(json.loads(row[2])), row[3], row[4], row[5], row[6], row[7])


def current_rules(cur: Cursor) -> tuple[str, tuple[str, ...]]:
    """The fingerprint of the rules in the tables now, and the pause statuses (lower-cased)."""
    row = cur.execute("SELECT value FROM settings WHERE name = 'sla.pause_statuses'").fetchone()
    statuses = json.loads(row[0]) if row else []
    pauses = tuple(str(s).strip().lower() for s in statuses if str(s).strip())
    digest = hashlib.sha256(json.dumps(sorted(set(pauses))).encode())
    for sql in RULE_QUERIES:
        digest.update(json.dumps(cur.execute(sql).fetchall(), default=str).encode())
    for sql in CONTRACT_QUERIES:
        rows = cur.execute(sql).fetchall()
        if rows:
            digest.update(json.dumps(rows, default=str).encode())
    return digest.hexdigest(), pauses


def versions(reader: Database | Cursor) -> list[Version]:
    """Every version not retired, newest first."""
    sql = f"SELECT {COLUMNS} FROM sla_versions WHERE state <> 'retired' ORDER BY version DESC"
    return [_version(r) for r in read_rows(reader, sql)]


def in_force(reader: Database | Cursor) -> Version | None:
    """The latest complete version: the one every figure reads (None before the first is built)."""
    return next((v for v in versions(reader) if v.state == "complete"), None)


def building(reader: Database | Cursor) -> Version | None:
    """The version being built after a change of the rules, if any."""
    newest = next(iter(versions(reader)), None)
    return newest if newest is not None and newest.state == "building" else None


def create(cur: Cursor, rules_hash: str, pauses: tuple[str, ...]) -> Version:
    """A new building version with a copy of the rules in the tables now; a version still building is dropped."""
    for old in versions(cur):
        if old.state == "building":
            retire(cur, old.version)
    number = cur.execute("SELECT coalesce(max(version), 0) + 1 FROM sla_versions").fetchone()[0]
    total = cur.execute("SELECT count(*) FROM tickets").fetchone()[0]
    cur.execute("INSERT INTO sla_versions (version, rules_hash, pause_statuses, state, created_at, tickets_total) "
                "VALUES (?, ?, ?, 'building', ?, ?)", [number, rules_hash, json.dumps(list(pauses)),
                                                        datetime.now(UTC), total])
    cur.execute(f"INSERT INTO sla_version_targets (version, severity, measure, calendar_id, calendar_name, always_open, "
                f"target_value, target_unit, target_seconds, contract_id) SELECT ?, severity, measure, calendar_id, "
                f"calendar_name, always_open, target_value, target_unit, target_seconds, contract_id FROM ({TARGETS_SQL})",
                [number])
    cur.execute("INSERT INTO sla_version_contracts SELECT ?, company_id, contract_id, starts_at FROM company_contracts",
                [number])
    cur.execute("INSERT INTO sla_version_intervals SELECT ?, calendar_id, start_s, end_s, seconds, cum_start "
                "FROM calendar_intervals", [number])
    return Version(number, rules_hash, pauses, "building", total, 0, 0)


def retire(cur: Cursor, version: int) -> None:
    """Drop a version's ledger, rollups and rules (its row stays, retired, for the record)."""
    for table in ("sla_ledger", "sla_daily", "sla_daily_elapsed", "sla_version_targets", "sla_version_intervals",
                  "sla_version_contracts"):
        cur.execute(f"DELETE FROM {table} WHERE version = ?", [version])  # table names from this tuple
    cur.execute("UPDATE sla_versions SET state = 'retired' WHERE version = ?", [version])


def complete(cur: Cursor, version: int) -> None:
    """Put a fully built version in force; the one it replaces is kept (a page reading it finishes with it),
    older ones are retired."""
    cur.execute("UPDATE sla_versions SET state = 'complete', completed_at = ?, tickets_done = tickets_total "
                "WHERE version = ?", [datetime.now(UTC), version])
    previous = next((v.version for v in versions(cur) if v.version < version and v.state == "complete"), None)
    for old in versions(cur):
        if old.version < version and old.version != previous:
            retire(cur, old.version)
