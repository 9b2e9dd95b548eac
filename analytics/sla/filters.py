"""Which tickets a figure covers: the filter every ticket page and figure takes, as a checked SQL fragment.

A ticket's contract is not a column of ``tickets``: it is the contract its company was under when the
ticket was opened (``company_contracts``; Standard, 1, when none). The ledger and its rollups hold it as
``contract_id``; the engine derives it (``contract_column``); any other query on ``tickets`` reads it
through :data:`CONTRACT_OF`.
"""
from __future__ import annotations

from dataclasses import dataclass

from analytics.kernel.sql import identifier

ALIASES = ("t", "tickets", "l", "d")  # how the queries name the tickets (l: the SLA ledger, d: its rollup)
COLUMNS = {"severities": "severity", "company_ids": "company_id", "contract_ids": "contract_id", "channels": "channel",
           "teams": "team", "ticket_ids": "id"}
# The contract of the ticket aliased {alias}, from the tables (its company's latest contract started by its opening).
CONTRACT_OF = ("coalesce((SELECT cc.contract_id FROM company_contracts cc WHERE cc.company_id = {alias}.company_id "
               "AND cc.starts_at <= {alias}.opened_at ORDER BY cc.starts_at DESC LIMIT 1), 1)")


@dataclass(frozen=True)
class TicketFilter:
    """Which tickets a figure covers; empty tuples mean 'all'."""

    severities: tuple[int, ...] = ()
    company_ids: tuple[int, ...] = ()
    contract_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    ticket_ids: tuple[int, ...] = ()

    def sql(self, alias: str = "t", *, contract_column: str | None = None) -> tuple[str, dict]:
        """A WHERE fragment with named placeholders, and its parameters (``contract_column``: the expression of
        the ticket's contract where the caller derives it; otherwise the ledger's column or :data:`CONTRACT_OF`)."""
        alias = identifier(alias, ALIASES)
        clauses, params = [], {}
        for name, column in COLUMNS.items():
            values = getattr(self, name)
            if values:
                column = "ticket_id" if alias == "l" and column == "id" else column
                expression = f"{alias}.{column}"
                if column == "contract_id" and alias in ("t", "tickets"):
                    expression = contract_column or CONTRACT_OF.format(alias=alias)
                clauses.append(f"list_contains(${name}, {expression})")
                params[name] = list(values)
        return (" AND ".join(clauses) or "true"), params
