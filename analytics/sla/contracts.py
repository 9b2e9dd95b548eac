"""Contracts per customer: each contract holds its own SLA targets, and a company is under one from a day on.

A ticket is measured against the targets of the contract its company was under when the ticket was
opened (the engine's ``CONTRACTED_SQL``); a change of contract applies from its first day, and history
before it stays measured under the old one. Standard (id 1) is the default: its targets are the SLA
targets table of the Settings page, and a company without a contract is under it, so an installation
that defines no contract measures exactly as before.

Every write here is an administrator's, role-checked, audited in the same transaction, and a new
version of the SLA rules (the ledger is rebuilt for it; see :mod:`analytics.sla.rebuild`).
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from analytics.audit import service as audit
from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import ADMIN, Actor, require_role
from analytics.sla.engine import DEFAULT_CONTRACT, MEASURES, TARGETS_SQL
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd

UNITS = ("minutes", "hours", "business_days")
NAME_MAX = 60
CURRENT = """(SELECT company_id, arg_max(contract_id, starts_at) AS contract_id FROM company_contracts
              WHERE starts_at <= now() GROUP BY company_id)"""


class ContractError(RuleRefused):
    """A contract write refused, with the reason in words."""


def contract_choices(db: Database) -> dict[int, str]:
    """Contract id -> name, Standard first."""
    return dict(db.rows("SELECT id, name FROM contracts ORDER BY id <> 1, name"))


def has_contracts(db: Database) -> bool:
    """True when a contract other than Standard exists (the pages then offer to filter and break down by it)."""
    return bool(db.scalar("SELECT count(*) FROM contracts WHERE id <> ?", [DEFAULT_CONTRACT]))


def contracts_table(db: Database) -> pd.DataFrame:
    """Every contract with its description and how many companies are under it today."""
    return db.query(f"""
        SELECT ct.name AS contract, ct.description,
               count(co.id) FILTER (WHERE coalesce(cur.contract_id, 1) = ct.id) AS companies
        FROM contracts ct CROSS JOIN companies co LEFT JOIN {CURRENT} cur ON cur.company_id = co.id
        GROUP BY ct.id, ct.name, ct.description ORDER BY ct.id <> 1, ct.name""")


def targets_of(db: Database, contract_id: int) -> pd.DataFrame:
    """A contract's targets per severity and measure, with their calendar."""
    return db.query(f"""
        SELECT severity, measure, target_value, target_unit, calendar_name FROM ({TARGETS_SQL})
        WHERE contract_id = ? ORDER BY severity, measure DESC""", [int(contract_id)])


def assignments_table(db: Database) -> pd.DataFrame:
    """Which company is under which contract from which day (local), until the next one."""
    return db.query("""
        SELECT co.name AS company, ct.name AS contract, (cc.starts_at AT TIME ZONE current_setting('TimeZone'))::DATE
               AS starts_on,
               (lead(cc.starts_at) OVER (PARTITION BY cc.company_id ORDER BY cc.starts_at)
                AT TIME ZONE current_setting('TimeZone'))::DATE AS until
        FROM company_contracts cc JOIN companies co ON co.id = cc.company_id JOIN contracts ct ON ct.id = cc.contract_id
        ORDER BY co.name, cc.starts_at""")


def _check_target(db: Database, measure: str, target_value: float, target_unit: str, calendar_id: int) -> None:
    if measure not in MEASURES:
        raise ContractError(f"The measure must be one of {', '.join(MEASURES)}.")
    if target_unit not in UNITS:
        raise ContractError(f"The unit must be one of {', '.join(UNITS)}.")
    if isinstance(target_value, bool) or not isinstance(target_value, (int, float)) or not target_value > 0:
        raise ContractError("The target must be a number above 0.")
    if not db.scalar("SELECT count(*) FROM calendars WHERE id = ?", [int(calendar_id)]):
        raise ContractError(f"There is no calendar with id {calendar_id}.")


def create_contract(db: Database, *, actor: Actor | None, name: str, description: str = "",
                    calendar_id: int | None = None) -> int:
    """A new contract with Standard's targets (on ``calendar_id`` when given, e.g. a 24/7 calendar); its id."""
    require_role(actor, ADMIN, action="create a contract")
    name = (name or "").strip()
    if not name:
        raise ContractError("The contract needs a name.")
    if len(name) > NAME_MAX:
        raise ContractError(f"The name is {len(name)} characters long; at most {NAME_MAX}.")
    if calendar_id is not None and not db.scalar("SELECT count(*) FROM calendars WHERE id = ?", [int(calendar_id)]):
        raise ContractError(f"There is no calendar with id {calendar_id}.")

    def work(cur) -> int:
        if cur.execute("SELECT count(*) FROM contracts WHERE lower(name) = lower(?)", [name]).fetchone()[0]:
            raise ContractError(f"A contract named “{name}” already exists.")
        number = cur.execute("SELECT max(id) + 1 FROM contracts").fetchone()[0]
        cur.execute("INSERT INTO contracts (id, name, description) VALUES (?, ?, ?)",
                    [number, name, (description or "").strip() or None])
        cur.execute("INSERT INTO contract_targets SELECT ?, severity, measure, target_value, target_unit, "
                    "coalesce(?, calendar_id) FROM sla_targets",
                    [number, None if calendar_id is None else int(calendar_id)])
        audit.record(cur, actor=actor, action="create", entity="contract", entity_id=number,
                     after={"name": name, "description": description or None, "calendar_id": calendar_id})
        return number

    return db.write(work)


def change_contract_target(db: Database, *, actor: Actor | None, contract_id: int, severity: int, measure: str,
                           target_value: float, target_unit: str, calendar_id: int) -> None:
    """Change one target of a contract (Standard's is the SLA targets table), audited."""
    require_role(actor, ADMIN, action="change a contract's target")
    if int(contract_id) == DEFAULT_CONTRACT:
        from analytics.settings.service import change_sla_target  # the Settings page's own write

        change_sla_target(db, actor=actor, severity=severity, measure=measure, target_value=target_value,
                          target_unit=target_unit, calendar_id=calendar_id)
        return
    _check_target(db, measure, target_value, target_unit, calendar_id)
    entity_id = f"{int(contract_id)}/{int(severity)}/{measure}"

    def work(cur) -> None:
        row = cur.execute("SELECT target_value, target_unit, calendar_id FROM contract_targets "
                          "WHERE contract_id = ? AND severity = ? AND measure = ?",
                          [int(contract_id), int(severity), measure]).fetchone()
        if row is None:
            raise ContractError(f"Contract {contract_id} has no target for severity {severity}, {measure}.")
        before = {"target_value": row[0], "target_unit": row[1], "calendar_id": row[2]}
        after = {"target_value": float(target_value), "target_unit": target_unit, "calendar_id": int(calendar_id)}
        if before == after:
            return
        cur.execute("UPDATE contract_targets SET target_value = ?, target_unit = ?, calendar_id = ? "
                    "WHERE contract_id = ? AND severity = ? AND measure = ?",
                    [after["target_value"], target_unit, after["calendar_id"], int(contract_id), int(severity), measure])
        audit.record(cur, actor=actor, action="change", entity="contract_target", entity_id=entity_id,
                     before=before, after=after)

    db.write(work)


def starts_at(db: Database, day: date) -> datetime:
    """The instant a contract starting on ``day`` applies from: midnight there, in the deployment time zone."""
    return _midnight(db.timezone, day)


def _midnight(zone: str, day: date) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(zone))


def assign_contract(db: Database, *, actor: Actor | None, company_id: int, contract_id: int, starts_on: date) -> None:
    """Put a company under a contract from ``starts_on`` (its tickets opened from then on), audited.

    The same day again replaces that day's contract; history before the day keeps the contract it had.
    """
    require_role(actor, ADMIN, action="assign a contract")
    if not isinstance(starts_on, date):
        raise ContractError("Pick the day the contract starts.")
    db.write(lambda cur: _assign(cur, db, actor, int(company_id), int(contract_id), starts_on))


def assign_contracts(db: Database, *, actor: Actor | None, rows: list[tuple[str, str, date]]) -> int:
    """Put companies under contracts by name, ``(company, contract, first day)`` per row, in one transaction:
    a row naming an unknown company or contract refuses them all, saying which row. How many were written."""
    require_role(actor, ADMIN, action="assign a contract")
    companies = {name.lower(): i for i, name in db.rows("SELECT id, name FROM companies")}
    contracts = {name.lower(): i for i, name in db.rows("SELECT id, name FROM contracts")}
    resolved = []
    for number, (company, contract, day) in enumerate(rows, start=1):
        if (company or "").strip().lower() not in companies:
            raise ContractError(f"Row {number}: there is no company named “{company}”.")
        if (contract or "").strip().lower() not in contracts:
            raise ContractError(f"Row {number}: there is no contract named “{contract}” "
                                f"(known: {', '.join(sorted(n for n in contract_choices(db).values()))}).")
        if not isinstance(day, date):
            raise ContractError(f"Row {number}: the first day must be a date like 2026-01-31.")
        resolved.append((companies[company.strip().lower()], contracts[contract.strip().lower()], day))

    def work(cur) -> int:
        for company_id, contract_id, day in resolved:
            _assign(cur, db, actor, company_id, contract_id, day)
        return len(resolved)

    return db.write(work)


def _assign(cur, db: Database, actor: Actor, company_id: int, contract_id: int, starts_on: date) -> None:
    assign_on(cur, db.timezone, actor, company_id, contract_id, starts_on)


def assign_on(cur, zone: str, actor: Actor, company_id: int, contract_id: int, starts_on: date) -> None:
    """Inside the caller's transaction: the company under the contract from midnight of ``starts_on`` in ``zone``
    (replacing the contract it took that day, if any), audited. The caller has checked the actor's role."""
    at = _midnight(zone, starts_on)
    if not cur.execute("SELECT count(*) FROM companies WHERE id = ?", [company_id]).fetchone()[0]:
        raise ContractError(f"There is no company with id {company_id}.")
    if not cur.execute("SELECT count(*) FROM contracts WHERE id = ?", [contract_id]).fetchone()[0]:
        raise ContractError(f"There is no contract with id {contract_id}.")
    row = cur.execute("SELECT contract_id FROM company_contracts WHERE company_id = ? AND starts_at = ?",
                      [company_id, at]).fetchone()
    cur.execute("DELETE FROM company_contracts WHERE company_id = ? AND starts_at = ?", [company_id, at])
    cur.execute("INSERT INTO company_contracts (company_id, contract_id, starts_at) VALUES (?, ?, ?)",
                [company_id, contract_id, at])
    audit.record(cur, actor=actor, action="assign", entity="company_contract", entity_id=f"{company_id}@{starts_on}",
                 before=None if row is None else {"contract_id": row[0]}, after={"contract_id": contract_id})


def remove_assignment(db: Database, *, actor: Actor | None, company_id: int, starts_on: date) -> None:
    """Withdraw the contract a company took on ``starts_on`` (its tickets fall back to the one before), audited."""
    require_role(actor, ADMIN, action="remove a contract")
    at = starts_at(db, starts_on)

    def work(cur) -> None:
        row = cur.execute("SELECT contract_id FROM company_contracts WHERE company_id = ? AND starts_at = ?",
                          [int(company_id), at]).fetchone()
        if row is None:
            raise ContractError(f"Company {company_id} has no contract starting on {starts_on:%d %b %Y}.")
        cur.execute("DELETE FROM company_contracts WHERE company_id = ? AND starts_at = ?", [int(company_id), at])
        audit.record(cur, actor=actor, action="remove", entity="company_contract", entity_id=f"{int(company_id)}@{starts_on}",
                     before={"contract_id": row[0]}, after=None)

    db.write(work)
