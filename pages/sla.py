"""SLA compliance: per severity and measure, trend, breaches, tickets at risk, drill-down to the clock."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics.sla import stats as sla
from analytics.sla.charts import compliance_figure, trend_figure
from analytics.sla.contracts import has_contracts
from analytics.sla.engine import STATES
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import figures_status
from ui.filters import ticket_filters
from ui.formats import share
from ui.labels import code_label
from ui.satisfaction_view import satisfaction_section
from ui.session import get_database
from ui.sla_blocks import rebuild_notice, ticket_clock
from ui.sla_open_view import open_at_risk
from ui.sla_view import severity_rows
from ui.tables import show_table
from ui.text import literal


@st.cache_data(ttl=60, show_spinner="Computing SLA figures…")
def load_overview(_db, path, period, flt, as_of, version):
    table = sla.severity_table(_db, period, flt, as_of=as_of, version=version)
    trend = sla.monthly_trend(_db, period, flt, as_of=as_of, version=version)
    return table, trend


@st.cache_data(ttl=60, show_spinner=False)
def load_tickets(_db, path, period, flt, as_of, measure, states, version):
    return sla.tickets_behind(_db, period, flt, as_of=as_of, measure=measure, states=states, version=version)


@st.cache_data(ttl=60, show_spinner=False)
def load_breakdown(_db, path, period, flt, as_of, by, version):
    frame = sla.compliance(_db, period, flt, as_of=as_of, by=by, per_severity=False, version=version)
    return frame.sort_values(["compliance_pct", "breached"], ascending=[True, False], na_position="last")


def show_tickets(frame: pd.DataFrame, key: str, file_name: str) -> str | None:
    """A ticket table with row selection and its CSV; returns the selected reference."""
    shown = frame.drop(columns=["ticket_id"])
    rows = show_table(shown, key=key, tz=db.timezone, csv=file_name, select=True)
    return shown.iloc[rows[0]]["reference"] if rows else None


db = get_database()
as_of = datetime.now(UTC).replace(second=0, microsecond=0)
st.title("SLA compliance")
period, flt = ticket_filters(db, "sla", as_of.astimezone(ZoneInfo(db.timezone)).date())
version, rebuilding = figures_status(db)  # one version for every figure of this run
rebuild_notice(rebuilding)
table, trend = load_overview(db, str(db.path), period, flt, as_of, version)
st.caption(f"Figures as of {as_of.astimezone(ZoneInfo(db.timezone)):%d %b %Y %H:%M} ({db.timezone}). "
           "A target is met when elapsed ≤ target; a breach counts when its deadline passes, even while open.")

total_met, total_breached = int(table["met"].sum()), int(table["breached"].sum())
cols = st.columns(4)
cols[0].metric("Overall compliance", share(total_met, total_met + total_breached),
               help=f"{total_met:,} met / {total_met + total_breached:,} decided")
cols[1].metric("Breaches", f"{total_breached:,}")
cols[2].metric("Open, at risk", f"{int(table['at_risk'].sum()):,}")
cols[3].metric("Open, pending", f"{int(table['pending'].sum()):,}")

st.subheader("Per severity")
picked_rows = show_table(severity_rows(table), key="sla_table", tz=db.timezone, select=True)
st.caption("Median and 90th percentile of the time to first response / resolution, on the target's clock. "
           "Select a row to see the tickets behind it.")
left, right = st.columns(2)
with left:
    st.subheader("Compliance per severity")
    st.plotly_chart(compliance_figure(table), width="stretch", key="sla_compliance_chart")
with right:
    st.subheader("Monthly trend")
    month_in_progress = as_of.astimezone(ZoneInfo(db.timezone)).date().replace(day=1)
    st.plotly_chart(trend_figure(trend, so_far=month_in_progress), width="stretch", key="sla_trend_chart")
    st.caption("The month in progress is drawn dotted, labelled “so far”: a few days of a month are not a trend.")

breakdowns = ["company", "contract", "channel", "team"] if has_contracts(db) else ["company", "channel", "team"]
drill, breached_tab, risk_tab, breakdown_tab = st.tabs(
    ["Tickets behind a figure", "Breached", "Open at risk", f"By {', '.join(breakdowns)}"])
selected_reference = None
with drill:
    rows = picked_rows
    if rows:
        sev, measure = int(table.iloc[rows[0]]["severity"]), table.iloc[rows[0]]["measure"]
        states = st.multiselect("States", list(STATES), default=["met", "breached"], key="sla_drill_states",
                                format_func=lambda s: code_label(s, "sla_state"))
        frame = load_tickets(db, str(db.path), period, TicketFilter(**{**flt.__dict__, "severities": (sev,)}),
                             as_of, measure, tuple(states), version)
        st.write(f"Severity {sev}, {code_label(measure, 'measure').lower()}: {len(frame):,} tickets")
        selected_reference = show_tickets(frame, "sla_drill_tickets", f"sla-sev{sev}-{measure}.csv") or selected_reference
    else:
        st.info("Select a row of the table above to list its tickets.")
with breached_tab:
    frame = load_tickets(db, str(db.path), period, flt, as_of, None, ("breached",), version)
    st.write(f"{len(frame):,} breached measurements decided in the period (most recent first).")
    selected_reference = show_tickets(frame, "sla_breached", "sla-breached.csv") or selected_reference
with risk_tab:
    open_at_risk(db, period, flt, version)   # live: read again every 10 seconds
with breakdown_tab:
    by = st.radio("Break down by", breakdowns, horizontal=True, key="sla_breakdown_by", format_func=str.capitalize)
    grouped = load_breakdown(db, str(db.path), period, flt, as_of, by, version).drop(
        columns=["company_id", "contract_id"], errors="ignore")
    show_table(grouped, key="sla_breakdown", tz=db.timezone, csv=f"sla-by-{by}.csv")

satisfaction_section(db, period, flt, version=version)

st.subheader("Ticket clock")
if selected_reference and selected_reference != st.session_state.get("sla_clock_last_selected"):
    st.session_state["sla_clock_last_selected"] = selected_reference
    st.session_state["sla_clock_reference"] = selected_reference
reference = st.text_input("Ticket reference", key="sla_clock_reference",
                          help="Select a ticket in a table above, or type its reference.")
if reference and not ticket_clock(db, reference.strip(), as_of=as_of):
    st.warning(f"No ticket with reference “{literal(reference.strip())}”.")
