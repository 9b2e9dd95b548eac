"""Incoming requests (DOMAIN.md section 1): volume per channel, report completeness,
requests raised by customer administrators, reassignments and out-of-scope resolutions.

Every figure is one DuckDB aggregate over the tickets opened in a period and matching a
:class:`analytics.sla.filters.TicketFilter`.
"""
from __future__ import annotations

import pandas as pd

from analytics.kernel.periods import Period
from analytics.sla.filters import TicketFilter
from analytics.store.database import Database

# What a complete report carries (DOMAIN.md section 1), as ticket columns.
REPORT_FIELDS = {
    "company": "company_id IS NOT NULL",
    "contact name": "nullif(contact_name, '') IS NOT NULL",
    "contact phone": "nullif(contact_phone, '') IS NOT NULL",
    "contact e-mail": "nullif(contact_email, '') IS NOT NULL",
    "user id": "nullif(user_id, '') IS NOT NULL",
    "job / transaction ids": "nullif(transaction_ids, '') IS NOT NULL",
    "event date and time": "event_at IS NOT NULL",
    "description": "nullif(description, '') IS NOT NULL",
    "error messages": "nullif(error_messages, '') IS NOT NULL",
}
OUT_OF_SCOPE_CODES = ("third-party software", "customer infrastructure")


def _where(period: Period, flt: TicketFilter) -> tuple[str, dict]:
    where, params = flt.sql("t")
    start, end = period.bounds()
    params.update({"from": start, "to": end})
    return f"t.opened_at >= $from AND t.opened_at < $to AND {where}", params


def volume_by_channel(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """Tickets opened per week (local time) and channel."""
    where, params = _where(period, flt)
    return db.query(f"""
        SELECT date_trunc('week', t.opened_at)::DATE AS week, t.channel, count(*) AS tickets
        FROM tickets t WHERE {where} GROUP BY ALL ORDER BY week, channel""", params)


def tickets_per_channel(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> dict[str, int]:
    """Tickets opened in the period per channel (the weekly volume's totals, without placing each in its week)."""
    where, params = _where(period, flt)
    rows = db.rows(f"SELECT t.channel, count(*) FROM tickets t WHERE {where} GROUP BY t.channel", params)
    return {channel: int(count) for channel, count in rows}


def intake_summary(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> dict:
    """Headline figures: tickets, share raised by administrators, reassigned, out of scope, complete reports."""
    where, params = _where(period, flt)
    complete = " AND ".join(f"({c})" for c in REPORT_FIELDS.values())
    row = db.query(f"""
        WITH opened AS (SELECT * FROM tickets t WHERE {where}),
        moved AS (  -- the reassignments of the period's tickets only: not those of every ticket ever (47M events at 10M)
            SELECT e.ticket_id, count(*) AS moves FROM ticket_events e SEMI JOIN opened o ON o.id = e.ticket_id
            WHERE e.kind = 'reassigned' GROUP BY e.ticket_id)
        SELECT count(*) AS tickets,
               count(*) FILTER (WHERE t.raised_by_admin) AS by_admin,
               count(*) FILTER (WHERE t.raised_by_admin IS NOT NULL) AS admin_known,
               count(*) FILTER (WHERE m.moves > 0) AS reassigned,
               coalesce(sum(m.moves), 0) AS reassignments,
               count(*) FILTER (WHERE list_contains($scope, t.resolution_code)) AS out_of_scope,
               count(*) FILTER (WHERE {complete}) AS complete_reports,
               count(*) FILTER (WHERE t.channel = 'email' AND t.initial_severity = 4 AND t.severity < 4)
                   AS email_raised,
               count(*) FILTER (WHERE t.channel = 'email') AS email
        FROM opened t LEFT JOIN moved m ON m.ticket_id = t.id""",
                   {**params, "scope": list(OUT_OF_SCOPE_CODES)}).iloc[0].to_dict()
    return {key: int(value) for key, value in row.items()}


def report_completeness(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """Share of tickets carrying each field of a complete report, per channel."""
    where, params = _where(period, flt)
    shares = ", ".join(f"round(100.0 * count(*) FILTER (WHERE {cond}) / count(*), 1) AS \"{name}\""
                       for name, cond in REPORT_FIELDS.items())
    return db.query(f"SELECT t.channel, count(*) AS tickets, {shares} FROM tickets t WHERE {where} "
                    "GROUP BY ALL ORDER BY tickets DESC", params)


def reassignment_flows(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """How many tickets moved from one team to another."""
    where, params = _where(period, flt)
    return db.query(f"""
        SELECT e.from_value AS from_team, e.to_value AS to_team, count(*) AS reassignments
        FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE e.kind = 'reassigned' AND {where}
        GROUP BY ALL ORDER BY reassignments DESC, from_team, to_team""", params)


def out_of_scope_by_company(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """Tickets closed as third-party software or customer infrastructure, per company."""
    where, params = _where(period, flt)
    return db.query(f"""
        SELECT c.name AS company, t.resolution_code, count(*) AS tickets
        FROM tickets t JOIN companies c ON c.id = t.company_id
        WHERE list_contains($scope, t.resolution_code) AND {where}
        GROUP BY ALL ORDER BY tickets DESC, company""", {**params, "scope": list(OUT_OF_SCOPE_CODES)})


def admin_share_by_company(db: Database, period: Period, flt: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """Per company: tickets and the share raised by its administrators (the preferred contact)."""
    where, params = _where(period, flt)
    return db.query(f"""
        SELECT c.name AS company, count(*) AS tickets,
               round(100.0 * count(*) FILTER (WHERE t.raised_by_admin) /
                     nullif(count(*) FILTER (WHERE t.raised_by_admin IS NOT NULL), 0), 1) AS by_admin_pct
        FROM tickets t JOIN companies c ON c.id = t.company_id WHERE {where}
        GROUP BY ALL ORDER BY by_admin_pct NULLS LAST, tickets DESC""", params)
