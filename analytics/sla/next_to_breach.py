"""Next to breach (issue 18, item 5): one queue of the open measures whose deadline is nearest.

An open measure (response or resolution, still running at ``as_of``) is *next to breach* when
the working time left to its deadline, on its own target's calendar, is at most the horizon:
the setting ``sla.next_to_breach_hours`` (4 working hours by default). A measure already past
its deadline while open (breached while open) has a negative time left: it is listed first,
and marked. The rest follow by time left, least first. The states are live, derived at
``as_of`` by the engine from the ledger (:mod:`analytics.sla.measures`).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from analytics.sla.engine import at_risk_share
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import measures_for
from analytics.store.database import Database

if TYPE_CHECKING:
    import pandas as pd


def horizon_hours(db: Database, given: float | None = None) -> float:
    """The horizon in working hours: ``given``, else the setting ``sla.next_to_breach_hours``."""
    if given is not None:
        return float(given)
    from analytics.settings.queries import get_setting

    return float(get_setting(db, "sla.next_to_breach_hours"))


def next_to_breach(db: Database, flt: TicketFilter = TicketFilter(), *, as_of: datetime, hours: float | None = None,
                   version: int | None = None, limit: int = 1000) -> pd.DataFrame:
    """The open measures with at most ``hours`` working hours left (breached while open first), up to ``limit``:
    reference, company, severity, measure, team, state, breached_while_open, opened_at, deadline, left_h,
    used_pct, ticket_id."""
    sql, params, _ = measures_for(db, flt, prune=False, version=version, live_only=True)
    return db.query(f"""
        WITH measures AS ({sql}),
        picked AS (SELECT * FROM measures m
                   WHERE (m.ended_at IS NULL OR m.ended_at > $as_of) AND m.left_s <= $horizon_s
                   ORDER BY m.state = 'breached' DESC, m.left_s, m.ticket_id, m.measure LIMIT $limit)
        SELECT t.reference, co.name AS company, m.severity, m.measure, m.team, m.state,
               m.state = 'breached' AS breached_while_open, m.opened_at, m.deadline,
               round(m.left_s / 3600.0, 2) AS left_h, round(100 * m.used_share, 1) AS used_pct, m.ticket_id
        FROM picked m JOIN tickets t ON t.id = m.ticket_id JOIN companies co ON co.id = m.company_id
        ORDER BY m.state = 'breached' DESC, m.left_s, m.ticket_id, m.measure""",
        {**params, "as_of": as_of, "at_risk": at_risk_share(db), "horizon_s": horizon_hours(db, hours) * 3600,
         "limit": limit})
