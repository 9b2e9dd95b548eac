"""The import's optional ``contract`` column: the contract a ticket's company was under when it was opened.

A contract is named as on the Settings page (case and surrounding spaces do not matter); a name no
contract has rejects the row, saying so (define the contract first, then import again). An empty
cell says nothing about the contract: the company keeps the one it has.

A company's accepted tickets, in the order of their opening, form runs that name the same contract.
The first ticket of each run puts the company under that contract from the day it was opened (midnight
in the deployment time zone, as on the Settings page), unless the company is already under it at that
ticket's opening; so re-importing a file changes nothing, and history before the day keeps the
contract it had. Each change is audited as the importer's, inside the import's transaction, and is
a new version of the SLA rules (the ledger is rebuilt for it). Tickets that still name a contract
other than their company's at opening (two contracts named on one day, or a later change made on the
Settings page) are counted in a warning rather than silently re-measured.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from analytics.kernel.roles import Actor
from analytics.sla import contracts

NAMED = "nullif(trim(contract), '')"
# the reject reason of a row naming no known contract (a CASE branch of the import's validation)
UNKNOWN_CONTRACT_SQL = (f"WHEN {NAMED} IS NOT NULL AND lower({NAMED}) NOT IN (SELECT lower(name) FROM contracts) "
                        "THEN 'unknown contract ''' || contract || ''' (define it on the Settings page first; known: ' "
                        "|| (SELECT string_agg(name, ', ' ORDER BY name) FROM contracts) || ')'")
NAMED_TICKETS = f"""
    SELECT co.id AS company_id, co.name AS company, ct.id AS contract_id, ct.name AS contract,
           st.opened_at_ts AS opened, st.line, st.ref AS reference
    FROM staged st JOIN companies co ON co.name = st.company JOIN contracts ct ON lower(ct.name) = lower({NAMED})
    WHERE st.reject_reason IS NULL AND {NAMED} IS NOT NULL"""
# the contract a company was under at an instant (Standard, id 1, when none had started)
IN_FORCE = """coalesce((SELECT arg_max(cc.contract_id, cc.starts_at) FROM company_contracts cc
                        WHERE cc.company_id = {company} AND cc.starts_at <= {at}), 1)"""


def names_contracts(cur) -> bool:
    """True when an accepted row of ``staged`` names a contract."""
    return bool(cur.execute(f"SELECT count(*) FROM staged WHERE reject_reason IS NULL AND {NAMED} IS NOT NULL")
                .fetchone()[0])


def apply_contracts(cur, actor: Actor) -> tuple[list[str], list[str]]:
    """Put the companies of ``staged`` under the contracts their tickets name; the changes made, in words
    ("Acme: Premium from 2026-03-04"), and the warnings."""
    zone = cur.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    runs = cur.execute(f"""
        WITH ordered AS (
            SELECT *, lag(contract_id) OVER (PARTITION BY company_id ORDER BY opened, line) AS previous
            FROM ({NAMED_TICKETS}))
        SELECT company_id, company, contract_id, contract, opened FROM ordered
        WHERE previous IS DISTINCT FROM contract_id ORDER BY company, opened""").fetchall()
    changes = []
    for company_id, company, contract_id, contract, opened in runs:
        in_force = cur.execute(f"SELECT {IN_FORCE.format(company='?', at='?')}", [company_id, opened]).fetchone()[0]
        if in_force == contract_id:
            continue
        day = _local_day(opened, zone)
        contracts.assign_on(cur, zone, actor, company_id, contract_id, day)
        changes.append(f"{company}: {contract} from {day:%Y-%m-%d}")
    count, example = cur.execute(f"SELECT count(*), min(reference) FROM ({NAMED_TICKETS}) n "
                                 f"WHERE contract_id <> {IN_FORCE.format(company='n.company_id', at='n.opened')}").fetchone()
    warnings = [] if not count else [
        f"contract: {count} ticket(s) name a contract other than the one their company was under when they were "
        f"opened (e.g. {example}: two contracts named on one day, or a later change on the Settings page); "
        "they are measured under their company's contract"]
    return changes, warnings


def _local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()
