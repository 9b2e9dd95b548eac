"""Which tickets a figure covers: the filter every ticket page and figure takes, as a checked SQL fragment."""
from __future__ import annotations

from dataclasses import dataclass


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
        clauses, params = [], {}
        for name, column in (("severities", "severity"), ("company_ids", "company_id"),
                             ("channels", "channel"), ("teams", "team"), ("ticket_ids", "id")):
            values = getattr(self, name)
            if values:
                clauses.append(f"list_contains(${name}, {alias}.{column})")
                params[name] = list(values)
        return (" AND ".join(clauses) or "true"), params
