"""Teams: reopenings and first-contact resolution per team, channel or category; workload per team or assignee
and week; reassignments and the teams passing tickets back and forth; at-risk tickets per team now."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.sla import reopenings, workload
from analytics.sla.measures import figures_status
from analytics.sla.team_charts import handled_figure
from ui.filters import ticket_filters
from ui.formats import share
from ui.labels import plural
from ui.session import get_database
from ui.sla_blocks import rebuild_notice
from ui.tables import show_table
from ui.teams_view import AT_RISK, BACK_AND_FORTH, REASSIGNMENTS, REOPEN, WEEKLY


@st.cache_data(ttl=60, show_spinner="Counting reopenings…")
def load_reopenings(_db, path, period, flt, by):
    return (reopenings.reopen_and_fcr(_db, period, flt, by=by), reopenings.totals(_db, period, flt),
            reopenings.fcr_window_minutes(_db))


@st.cache_data(ttl=60, show_spinner="Counting the workload…")
def load_workload(_db, path, period, flt, as_of, by):
    return workload.weekly(_db, period, flt, as_of=as_of, by=by)


@st.cache_data(ttl=60, show_spinner=False)
def load_moves(_db, path, period, flt):
    return workload.reassignments_per_team(_db, period, flt), workload.back_and_forth(_db, period, flt)


@st.cache_data(ttl=60, show_spinner=False)
def load_at_risk(_db, path, flt, as_of, version):
    return workload.at_risk_now(_db, flt, as_of=as_of, version=version)


db = get_database()
as_of = datetime.now(UTC).replace(second=0, microsecond=0)
st.title("Teams")
version, rebuilding = figures_status(db)
rebuild_notice(rebuilding)
period, flt = ticket_filters(db, "teams", as_of.astimezone(ZoneInfo(db.timezone)).date())

st.subheader("At risk now, per team")
risk = load_at_risk(db, str(db.path), flt, as_of, version)
st.write(f"{plural(int(risk['at_risk'].sum()), 'open ticket')} at risk and "
         f"{plural(int(risk['breached'].sum()), 'open ticket')} already past a deadline, of "
         f"{plural(int(risk['open'].sum()), 'open ticket')} (whatever the period).")
show_table(risk, key="teams_at_risk", tz=db.timezone, columns=AT_RISK, csv="at-risk-per-team.csv")

st.subheader("Reopenings and first-contact resolution")
by = st.radio("Per", ["team", "channel", "category"], horizontal=True, key="teams_reopen_by",
              format_func=str.capitalize)
table, total, window = load_reopenings(db, str(db.path), period, flt, by)
cols = st.columns(3)
cols[0].metric("Reopen rate", share(total["reopened"], total["resolved_once"]),
               help=f"{total['reopened']:,} of {total['resolved_once']:,} tickets resolved at least once were reopened "
                    f"({total['reopenings']:,} reopenings)")
cols[1].metric("First-contact resolution", share(total["first_contact"], total["resolved"]),
               help=f"{total['first_contact']:,} of {total['resolved']:,} resolved tickets")
cols[2].metric("Tickets opened", f"{total['tickets']:,}")
st.caption(f"Of the tickets opened in the period. Reopen rate: tickets reopened at least once / tickets resolved at "
           f"least once. First-contact resolution: a ticket resolved, never reopened, and resolved at most "
           f"{window:g} minutes after its first response (the setting sla.fcr_window_minutes; a ticket resolved "
           "without a separate first response counts), over the resolved tickets.")
show_table(table, key="teams_reopen", tz=db.timezone, columns=REOPEN, csv=f"reopenings-by-{by}.csv")

st.subheader("Workload per week")
who = st.radio("Per", ["team", "assignee"], horizontal=True, key="teams_workload_by", format_func=str.capitalize)
weekly = load_workload(db, str(db.path), period, flt, as_of, who)
st.plotly_chart(handled_figure(weekly, who), width="stretch", key="teams_handled_chart")
st.caption("Open at the end of each week (Monday 00:00; the week in progress: now) and handled (resolved) during it, "
           f"per {who} as the tickets stand now (a ticket counts for its current team and assignee).")
show_table(weekly, key="teams_weekly", tz=db.timezone, columns=WEEKLY, csv=f"workload-per-{who}.csv")

st.subheader("Reassignments")
per_team, pairs = load_moves(db, str(db.path), period, flt)
st.write("Per team (the ticket's current one), of the tickets opened in the period.")
show_table(per_team, key="teams_reassignments", tz=db.timezone, columns=REASSIGNMENTS, csv="reassignments.csv")
st.write(f"Teams passing tickets back and forth (from one to the other and back): "
         f"{plural(int(pairs['tickets'].sum()) if len(pairs) else 0, 'ticket')}.")
show_table(pairs, key="teams_back_and_forth", tz=db.timezone, columns=BACK_AND_FORTH, csv="back-and-forth.csv")
