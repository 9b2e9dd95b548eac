"""Drawing incidents: an open incident's card with its countdown, and one incident's detail.

Only layout: every figure comes from ``analytics.incidents.queries`` (via the cached
loaders of ``ui.incident_data``) and the charts from ``analytics.incidents.charts``.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.incidents.charts import timeline_figure
from analytics.incidents.queries import NotifySettings, clock, countdown_text
from analytics.incidents.rules import STATUS_LABELS
from ui.columns import INCIDENT_TIMELINE, INVESTIGATION_STEPS, NOTIFICATIONS
from ui.tables import show_table
from ui.text import literal

STATE_ICONS = {"on track": ":material/schedule:", "past target": ":material/warning:", "late": ":material/alarm:"}


def _when(value, tz: str) -> str:
    if value is None or pd.isna(value):
        return "-"
    return pd.Timestamp(value).tz_convert(tz).strftime("%d %b %Y %H:%M")


def badges(row: dict) -> str:
    """Severity, status and breach as coloured Markdown badges."""
    colour = {1: "red", 2: "orange", 3: "blue"}.get(int(row["severity"]), "gray")
    parts = [f":{colour}-badge[Severity {int(row['severity'])}]",
             f":gray-badge[{STATUS_LABELS[row['status']]}]"]
    if row["security_breach"]:
        parts.append(":red-badge[:material/lock_open: security breach]")
    return " ".join(parts)


def show_clock(row: dict, now: datetime, tz: str) -> None:
    """The live countdown of an open incident, coloured by its state."""
    value = clock(row, now)
    if value is None:
        return
    text = f"{countdown_text(value)} (at {_when(value.due_at, tz)[-5:]})"
    if value.kind == "first notification" and value.state == "past target":
        text += " — past the 20-minute target"
    show = {"on track": st.info, "past target": st.warning, "late": st.error}[value.state]
    show(text, icon=STATE_ICONS[value.state])


def open_card(row: dict, now: datetime, tz: str) -> None:
    """One open incident: reference, title, badges, leads and its clock."""
    with st.container(border=True, key=f"incidents_open_{row['reference']}"):
        left, right = st.columns([3, 2])
        left.markdown(f"**{literal(row['reference'])}** — {literal(row['title'])}  \n{badges(row)}")
        left.caption(f"Impact defined {_when(row['impact_defined_at'], tz)} · customers: {literal(row['customers'])} · "
                     f"commander {literal(row['commander'])} · notifications {literal(row['notification_lead'])} · "
                     f"investigation {literal(row['investigation_lead'])}")
        with right:
            show_clock(row, now, tz)


def notification_summary(incident: dict, settings: NotifySettings) -> str:
    """'First notification 16 min after impact: on time' and the like."""
    minutes = incident["minutes_to_notify"]
    if minutes is None or pd.isna(minutes):
        return "No customer notification recorded yet."
    verdict = ("within target" if minutes <= settings.target else
               "within deadline, past target" if minutes <= settings.deadline else "LATE")
    return (f"First notification {minutes:.0f} min after the impact was defined "
            f"(target {settings.target}, deadline {settings.deadline}): **{verdict}**.")


def detail(data: dict, now: datetime, tz: str, settings: NotifySettings) -> None:
    """Facts, clock, the two tracks side by side, the timeline and the impacted customers' tickets."""
    incident = data["incident"]
    st.markdown(f"### {literal(incident['reference'])} — {literal(incident['title'])}")
    st.markdown(badges(incident))
    show_clock(incident, now, tz)
    facts = st.columns(4)
    facts[0].markdown(f"**Started** {_when(incident['started_at'], tz)}  \n"
                      f"**Detected** {_when(incident['detected_at'], tz)}")
    facts[1].markdown(f"**Impact defined** {_when(incident['impact_defined_at'], tz)}  \n"
                      f"**Declared** {_when(incident['declared_at'], tz)}")
    facts[2].markdown(f"**Resolved** {_when(incident['resolved_at'], tz)}  \n"
                      f"**Closed** {_when(incident['closed_at'], tz)}")
    facts[3].markdown(f"**Commander** {literal(incident['commander'])}  \n**Platforms** {literal(incident['platforms'])}")
    st.markdown(f"**Impacted customers:** {literal(incident['customers'])}")
    st.text(incident["description"])

    # the two tracks one under the other: the notices' eight columns do not fit half the page
    st.markdown(f"#### Notification track  \nLead: {literal(incident['notification_lead'])}")
    st.markdown(notification_summary(incident, settings))
    show_table(data["notifications"][list(NOTIFICATIONS)], key="incidents_notifications_table", tz=tz,
               columns=NOTIFICATIONS)
    st.markdown(f"#### Investigation track  \nLead: {literal(incident['investigation_lead'])}")
    show_table(data["steps"][list(INVESTIGATION_STEPS)], key="incidents_steps_table", tz=tz,
               columns=INVESTIGATION_STEPS)

    st.markdown("#### Timeline")
    events = data["timeline"]
    st.plotly_chart(timeline_figure(events), width="stretch", key="incidents_timeline_chart")
    show_table(events[["occurred_at", *INCIDENT_TIMELINE]], key="incidents_timeline_table", tz=tz,
               columns=INCIDENT_TIMELINE)

    tickets = data["tickets"]
    st.markdown(f"#### Tickets of impacted customers opened during the incident ({len(tickets)})")
    st.caption("Opened between the start of the disruption and its resolution (or now, while open). "
               "Look a reference up in the ticket clock of the SLA compliance page.")
    show_table(tickets.drop(columns=["ticket_id"]), key="incidents_tickets_table", tz=tz,
               csv=f"{incident['reference']}-tickets.csv")
