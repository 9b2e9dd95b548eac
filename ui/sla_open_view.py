"""The SLA page's open measures at risk, live: read again every 10 seconds in a fragment of their own, so a
ticket pushed by a webhook (whose write clears the pages' caches) shows without a reload.

Selecting a ticket here puts it in the page's ticket clock (a rerun of the whole page, the clock being
outside the fragment).
"""
from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from analytics.kernel.periods import Period
from analytics.sla import stats as sla
from analytics.sla.engine import at_risk_share
from analytics.sla.filters import TicketFilter
from analytics.store.database import Database
from ui.tables import show_table

REFRESH_S = 10


@st.cache_data(ttl=60, show_spinner=False)
def load_open(_db: Database, path: str, period: Period, flt: TicketFilter, as_of: datetime, version: int | None):
    """How many measures of the period's tickets are open and at risk as of the minute, and those at risk."""
    table = sla.severity_table(_db, period, flt, as_of=as_of, version=version)
    frame = sla.tickets_behind(_db, period, flt, as_of=as_of, measure=None, states=("at_risk",), version=version)
    return int(table["pending"].sum()), int(table["at_risk"].sum()), frame   # "pending" counts those at risk too


@st.fragment(run_every=REFRESH_S)
def open_at_risk(db: Database, period: Period, flt: TicketFilter, version: int | None) -> None:
    """How many measures are open now, and the table of those at risk, least time left first."""
    as_of = datetime.now(UTC).replace(second=0, microsecond=0)
    opened, at_risk, risky = load_open(db, str(db.path), period, flt, as_of, version)
    st.write(f"{opened:,} open measurements now, {at_risk:,} of them at risk: they have used "
             f"{at_risk_share(db):.0%} or more of their target (least time left first; the setting "
             f"sla.at_risk_share; the first {len(risky):,} listed). Read again every {REFRESH_S} seconds.")
    shown = risky.drop(columns=["ticket_id"])
    rows = show_table(shown, key="sla_at_risk", tz=db.timezone, csv="sla-at-risk.csv", select=True)
    picked = shown.iloc[rows[0]]["reference"] if rows else None
    if picked and picked != st.session_state.get("sla_clock_last_selected"):
        st.session_state["sla_clock_last_selected"] = picked
        st.session_state["sla_clock_reference"] = picked
        st.rerun()   # the whole page: the ticket clock below shows the ticket picked
