"""Major incidents: open ones first with their live clocks, one incident in detail, history, figures."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.incidents.charts import incidents_per_month_figure, notify_time_figure
from analytics.incidents.queries import IncidentFilter
from analytics.incidents.rules import ACT_ROLES, STATUS_LABELS, STATUSES, VIEW_ROLES
from ui import incident_actions, incident_views
from ui import notices as notices_panel
from ui.columns import INCIDENT_STATUS
from ui.formats import figure
from ui.incident_data import (
    load_choices,
    load_detail,
    load_figures,
    load_history,
    load_open,
    load_references,
    load_settings,
)
from ui.labels import plural
from ui.session import current_actor, get_database
from ui.tables import show_table
from ui.text import literal

CLOCK_REFRESH_SECONDS = 1

db = get_database()
actor = current_actor()
path, tz = str(db.path), db.timezone
st.title("Major incidents")
if not actor.has_any(*VIEW_ROLES):
    st.warning("Your roles do not include the incidents page.", icon=":material/lock:")
    st.stop()
settings = load_settings(db, path)
severities, companies, _ = load_choices(db, path)
st.caption(f"The promise to customers: a written notification within {settings.target}–{settings.deadline} minutes "
           f"after the impact is defined, then a status report every {settings.interval} minutes until resolution. "
           f"Times in {tz}.")
incident_actions.show_flash()


@st.fragment(run_every=CLOCK_REFRESH_SECONDS)
def open_incidents() -> None:
    """The open incidents with countdowns that tick every second (data cached for a minute)."""
    now = datetime.now(UTC)
    frame = load_open(db, path, now.replace(second=0, microsecond=0))
    st.subheader(f"Open incidents ({len(frame)})")
    if frame.empty:
        st.success("No open incident.", icon=":material/check_circle:")
    for row in frame.to_dict("records"):
        incident_views.open_card(row, now, tz)


open_incidents()
as_of = datetime.now(UTC).replace(second=0, microsecond=0)
today = as_of.astimezone(ZoneInfo(tz)).date()
detail_tab, history_tab, figures_tab = st.tabs(["Incident detail", "History", "Figures"])

with history_tab:
    cols = st.columns([2, 2, 1, 2, 2])
    period = cols[0].date_input("Started between", value=(today - timedelta(days=548), today),
                                key="incidents_history_period")
    start, end = (period[0], period[1] + timedelta(days=1)) if len(period) == 2 else (None, None)
    statuses = cols[1].multiselect("Status", STATUSES, format_func=STATUS_LABELS.get, key="incidents_history_status")
    chosen_sev = cols[2].multiselect("Severity", severities["severity"].tolist(), key="incidents_history_severity")
    company = cols[3].selectbox("Customer", [None, *companies], key="incidents_history_company",
                                format_func=lambda n: "Any customer" if n is None else n)
    search = cols[4].text_input("Reference or title contains", key="incidents_history_search")
    security_only = st.checkbox("Security breaches only", key="incidents_history_security")
    flt = IncidentFilter(start=start, end=end, statuses=tuple(statuses), severities=tuple(chosen_sev),
                         company_id=companies.get(company), security_only=security_only, search=search)
    history = load_history(db, path, flt, as_of)
    shown = history[["reference", "title", "severity", "status", "security_breach", "customers", "platforms",
                     "started_at", "minutes_to_notify", "notified_late", "hours_to_resolve", "commander"]]
    st.write(f"{plural(len(shown), 'incident')}. Select a row to open it in the detail tab.")
    rows = show_table(shown, key="incidents_history_table", tz=tz, columns=INCIDENT_STATUS, select=True,
                      csv="incidents.csv")
    selected = shown.iloc[rows[0]]["reference"] if rows else None

with figures_tab:
    cols = st.columns([2, 2])
    fig_period = cols[0].date_input("Disruptions started between",
                                    value=(date(today.year - 1, today.month, 1), today), key="incidents_fig_period")
    fig_start, fig_end = ((fig_period[0], fig_period[1] + timedelta(days=1)) if len(fig_period) == 2
                          else (date(today.year - 1, today.month, 1), today + timedelta(days=1)))
    fig_sev = cols[1].multiselect("Severity", severities["severity"].tolist(), key="incidents_fig_severity")
    by_month_severity, by_month, overall = load_figures(db, path, fig_start, fig_end, tuple(fig_sev), as_of)
    total = overall.iloc[0]
    metrics = st.columns(6)
    metrics[0].metric("Incidents", int(total["incidents"]), help=f"{int(total['security_breaches'])} security breaches")
    metrics[1].metric("Median time to notify", figure(total["notify_median_min"], "min"),
                      help=f"{int(total['notified'])} notified")
    for col, label, pct, count in ((metrics[2], f"Within {settings.target} min", "within_target_pct", "within_target"),
                                   (metrics[3], f"Within {settings.deadline} min", "within_deadline_pct",
                                    "within_deadline")):
        col.metric(label, figure(total[pct], "%"),
                   help=f"{int(total[count])} of {int(total['notify_decided'])} with a known outcome")
    metrics[4].metric("MTTA", figure(total["mtta_min"], "min"),
                      help="Mean time from detection to the first move out of 'declared'.")
    metrics[5].metric("MTTR", figure(total["mttr_h"], "h", 1),
                      help="Mean time from detection to resolution.")
    left, right = st.columns(2)
    left.plotly_chart(incidents_per_month_figure(by_month_severity), width="stretch", key="incidents_count_chart")
    right.plotly_chart(notify_time_figure(by_month, target=settings.target, deadline=settings.deadline),
                       width="stretch", key="incidents_notify_chart")
    st.caption("Time to resolve: from the start of the disruption to its resolution. MTTA: detection to "
               "acknowledgement (first move out of 'declared'). MTTR: detection to resolution. Shares count "
               "incidents whose outcome is known (notified, or unnotified past the mark).")
    show_table(by_month_severity, key="incidents_figures_table", tz=tz, csv="incident-figures.csv")

with detail_tab:
    references = load_references(db, path)
    if selected and selected != st.session_state.get("incidents_last_selected"):
        st.session_state["incidents_last_selected"] = selected
        st.session_state["incidents_reference"] = selected
    if not references:
        st.info("No incident has been declared yet.")
    else:
        reference = st.selectbox("Incident", references, key="incidents_reference")
        data = load_detail(db, path, reference, as_of)
        if data is None:
            st.warning(f"No incident {literal(reference)}.")
        else:
            incident_views.detail(data, datetime.now(UTC), tz, settings)
            if actor.has_any(*ACT_ROLES):
                notices_panel.panel(db, data["incident"], actor, tz)
                incident_actions.actions(db, data, actor, companies, settings)
            else:
                st.caption("Supervisors and administrators record notifications, steps and status changes.")
