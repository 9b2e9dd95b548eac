"""Which tickets a figure covers: the filter every ticket page and figure takes, as a checked SQL fragment."""
from __future__ import annotations

from dataclasses import dataclass

from analytics.kernel.sql import identifier

ALIASES = ("t", "tickets", "l", "d")  # how the queries name the tickets (l: the SLA ledger, d: its rollup)
COLUMNS = {"severities": "severity", "company_ids": "company_id", "channels": "channel", "teams": "team",
           "ticket_ids": "id"}


@dataclass(frozen=True)
class TicketFilter:
    """Which tickets a figure covers; empty tuples mean 'all'."""

    severities: tuple[int, ...] = ()
    company_ids: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    ticket_ids: tuple[int, ...] = ()

    def sql(self, alias: str = "t") -> tuple[str, dict]:
        """A WHERE fragment with named placeholders, and its parameters."""
        alias = identifier(alias, ALIASES)
        clauses, params = [], {}
        for name, column in COLUMNS.items():
            values = getattr(self, name)
            if values:
                column = "ticket_id" if alias == "l" and column == "id" else column
                clauses.append(f"list_contains(${name}, {alias}.{column})")
                params[name] = list(values)
        return (" AND ".join(clauses) or "true"), params
