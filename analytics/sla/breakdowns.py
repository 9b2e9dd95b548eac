"""What the SLA figures can be broken down by, as checked SQL: the grouping columns and the names shown.

A breakdown by company or by contract groups by the id and shows the name (joined from ``companies`` or
``contracts``); channel, team and severity are their own columns.
"""
from __future__ import annotations

from analytics.kernel.sql import identifier
from analytics.sla.engine import BREAKDOWNS

NAMED = {"company": ("company_id", "co.name AS company,", "JOIN companies co ON co.id = counted.company_id"),
         "contract": ("contract_id", "ct.name AS contract,", "JOIN contracts ct ON ct.id = counted.contract_id")}


def breakdown_columns(by: str | None) -> str:
    """The leading GROUP BY columns of a compliance query for a breakdown ``by`` (severity has its own switch)."""
    if by is None or by == "severity":
        return ""
    column = identifier(by, BREAKDOWNS)
    return f"{NAMED[column][0]}," if column in NAMED else f"{BREAKDOWNS[column]},"


def named_sql(by: str | None) -> str:
    """The name column shown before the counts of the CTE ``counted`` (company or contract), else nothing."""
    return NAMED[by][1] if by in NAMED else ""


def named_join(by: str | None) -> str:
    """The join that gives :func:`named_sql` its name."""
    return NAMED[by][2] if by in NAMED else ""
