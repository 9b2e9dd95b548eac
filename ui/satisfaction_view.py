"""The SLA page's section "Satisfaction" (issue 18, item 6): what customers said of the tickets resolved in the
period, per verdict of the resolution target (what a breach costs), per team and per severity.

Drawn by :func:`satisfaction_section` from the page's period and ticket filter; the figures are
``analytics.sla.satisfaction``'s. When no ticket resolved in the period has a score, one line says so.
"""
from __future__ import annotations

import streamlit as st

from analytics.kernel.periods import Period
from analytics.sla import satisfaction
from analytics.sla.filters import TicketFilter
from analytics.store.database import Database
from ui.columns import COUNT, NUMBER, PERCENT, Col, code
from ui.formats import share
from ui.tables import show_table

SCALE = "1 (very dissatisfied) to 5 (very satisfied); a good / bad rating (Zendesk) counts as 5 / 1"
COLUMNS = {
    "resolution_sla": code("Resolution target", "sla_state", "The verdict of the ticket's resolution target"),
    "team": Col("Team", help="The team that holds the ticket"),
    "resolved": Col("Resolved", COUNT, "Tickets resolved in the period"),
    "responses": Col("Responses", COUNT, "Resolved tickets with a satisfaction score"),
    "response_pct": Col("Answered (%)", PERCENT, "Responses / resolved tickets"),
    "average_score": Col("Average score (1-5)", NUMBER, f"Mean of the scores, {SCALE}"),
    "satisfied": Col("Satisfied", COUNT, f"Responses with a score of {satisfaction.SATISFIED} or more"),
    "satisfied_pct": Col("Satisfied (%)", PERCENT, "Satisfied / responses"),
}


@st.cache_data(ttl=60, show_spinner="Computing satisfaction…")
def load_satisfaction(_db: Database, path: str, period: Period, flt: TicketFilter, version: int | None):
    """The figures of the section (cached a minute per store, period, filter and rules version)."""
    return satisfaction.figures(_db, period, flt, version=version)


def breach_cost(verdicts) -> str | None:
    """One sentence comparing the share satisfied when the resolution target was met and when it was breached."""
    by = {r["resolution_sla"]: r for r in verdicts.to_dict("records") if r["responses"]}
    if "met" not in by or "breached" not in by:
        return None
    met, breached = by["met"], by["breached"]
    points = met["satisfied_pct"] - breached["satisfied_pct"]
    return (f"Resolution target met: {share(met['satisfied'], met['responses'])} satisfied "
            f"({met['responses']:,} responses); breached: {share(breached['satisfied'], breached['responses'])} "
            f"({breached['responses']:,} responses), {abs(points):.1f} points {'less' if points >= 0 else 'more'} "
            "after a breach.")


def satisfaction_section(db: Database, period: Period, flt: TicketFilter, *, version: int | None = None) -> None:
    """Draw the section: one line when nobody answered in the period, else the three tables."""
    st.subheader("Satisfaction")
    tables = load_satisfaction(db, str(db.path), period, flt, version)
    if not satisfaction.responses(tables):
        st.info("No ticket resolved in the period has a satisfaction score: the source has no survey, "
                "or no customer answered.")
        return
    st.caption(f"Tickets resolved in the period, by what their customer answered: a score from {SCALE}; "
               f"satisfied means {satisfaction.SATISFIED} or more. Not surveyed, or no answer: no score.")
    cost = breach_cost(tables["resolution_sla"])
    if cost:
        st.markdown(cost)
    show_table(tables["resolution_sla"], key="sla_satisfaction_sla", tz=db.timezone, columns=COLUMNS,
               csv="satisfaction-by-resolution-target.csv")
    # one under the other: eight columns do not fit half the page without scrolling sideways
    show_table(tables["team"], key="sla_satisfaction_team", tz=db.timezone, columns=COLUMNS,
               csv="satisfaction-by-team.csv")
    show_table(tables["severity"], key="sla_satisfaction_severity", tz=db.timezone, columns=COLUMNS,
               csv="satisfaction-by-severity.csv")
