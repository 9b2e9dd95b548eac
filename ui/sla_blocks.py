"""Streamlit blocks shared by the pages that read SLA figures (SLA compliance, Backlog): the notice shown
while the figures are recomputed for changed rules, and a ticket's clock."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from analytics.sla.clock import explain_clock
from analytics.store.database import Database
from ui.labels import code_label


def rebuild_notice(rebuilding: float | None) -> None:
    """Say how far the recomputation for changed rules is (nothing when none is running)."""
    if rebuilding is not None:
        st.info(f"Figures are being recomputed for the changed SLA rules: {rebuilding:.0%} done. Until then every "
                "figure here follows the rules as they were before the change.", icon=":material/sync:")


def ticket_clock(db: Database, reference: str, *, as_of: datetime) -> bool:
    """One bordered box per measure of the ticket: its state and the clock's lines as plain text. Returns False
    when there is no ticket with that reference."""
    explanations = explain_clock(db, reference, as_of=as_of)
    for item in explanations:
        with st.container(border=True):
            st.markdown(f"**{code_label(item['measure'], 'measure')}** — {code_label(item['state'], 'sla_state').lower()}")
            for line in item["lines"]:
                st.text(line)
    return bool(explanations)
