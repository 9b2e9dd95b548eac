"""Backlog: what is about to breach (refreshed every minute), open tickets by age band, the backlog per week,
the oldest open tickets with their clock."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.sla import backlog
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import figures_status
from analytics.sla.next_to_breach import horizon_hours, next_to_breach
from ui.backlog_view import OLDEST, QUEUE, WEEKLY, band_columns
from ui.filters import _choices, ticket_filters
from ui.labels import plural
from ui.session import get_database
from ui.sla_blocks import rebuild_notice, ticket_clock
from ui.tables import show_table
from ui.text import literal


@st.cache_data(ttl=60, show_spinner=False)
def load_queue(_db, path, flt, as_of, hours, version):
    return next_to_breach(_db, flt, as_of=as_of, hours=hours, version=version)


@st.cache_data(ttl=60, show_spinner="Computing the backlog…")
def load_aging(_db, path, flt, as_of, by, clock, version):
    return backlog.aging(_db, flt, as_of=as_of, by=by, clock=clock, version=version)


@st.cache_data(ttl=60, show_spinner=False)
def load_weeks(_db, path, period, flt, as_of, version):
    return backlog.weekly(_db, period, flt, as_of=as_of, version=version)


@st.cache_data(ttl=60, show_spinner=False)
def load_oldest(_db, path, flt, as_of, version):
    return backlog.oldest(_db, flt, as_of=as_of, limit=50, version=version)


QUEUE_REFRESH_SECONDS = 10
db = get_database()
as_of = datetime.now(UTC).replace(second=0, microsecond=0)
st.title("Backlog")
version, rebuilding = figures_status(db)
rebuild_notice(rebuilding)


@st.fragment(run_every=QUEUE_REFRESH_SECONDS)
def queue() -> None:
    """The open measures next to breach, read again every few seconds (from the cache of the minute, which a
    pushed event clears)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    hours = horizon_hours(db)
    st.subheader("Next to breach")
    teams = st.multiselect("Team", _choices(db, str(db.path))[1], key="backlog_queue_team")
    frame = load_queue(db, str(db.path), TicketFilter(teams=tuple(teams)), now, hours, version)
    breached = int(frame["breached_while_open"].sum()) if len(frame) else 0
    st.write(f"{plural(breached, 'open measurement')} already past the deadline (listed first), then "
             f"{plural(len(frame) - breached, 'measurement')} with {hours:g} working hours or less left "
             f"(the setting sla.next_to_breach_hours), least time left first. "
             f"As of {now.astimezone(ZoneInfo(db.timezone)):%H:%M}, refreshed every {QUEUE_REFRESH_SECONDS} seconds "
             "(a ticket pushed by a webhook shows at the next refresh).")
    show_table(frame.drop(columns=["ticket_id"]), key="backlog_queue", tz=db.timezone, columns=QUEUE,
               csv="next-to-breach.csv")


queue()

period, flt = ticket_filters(db, "backlog", as_of.astimezone(ZoneInfo(db.timezone)).date())
st.subheader("Open tickets by age")
cols = st.columns(2)
by = cols[0].radio("Per", ["severity", "team", "company"], horizontal=True, key="backlog_by",
                   format_func=str.capitalize)
clock = cols[1].radio("Clock", ["wall", "business"], horizontal=True, key="backlog_clock",
                      format_func={"wall": "Wall clock", "business": "Business calendar"}.get)
bands = load_aging(db, str(db.path), flt, as_of, by, clock, version)
st.metric("Open tickets", f"{int(bands['tickets'].sum()):,}")
show_table(bands, key="backlog_bands", tz=db.timezone, columns=band_columns(clock), csv=f"backlog-by-{by}.csv")
st.caption("Business age: working time since opening on the calendar of the ticket's resolution target "
           "(Mon-Fri 09:00-18:00 Paris for severity 4 by default), in business days of that calendar's hours.")

st.subheader("Backlog per week")
weeks = load_weeks(db, str(db.path), period, flt, as_of, version)
st.write("Tickets open at the end of each week of the period (Monday 00:00) and the 90th percentile of their age.")
show_table(weeks, key="backlog_weeks", tz=db.timezone, columns=WEEKLY, csv="backlog-per-week.csv")

st.subheader("Oldest open tickets")
oldest = load_oldest(db, str(db.path), flt, as_of, version)
shown = oldest.drop(columns=["ticket_id"])
rows = show_table(shown, key="backlog_oldest", tz=db.timezone, columns=OLDEST, csv="oldest-open.csv", select=True)
if rows:
    reference = shown.iloc[rows[0]]["reference"]
    st.write(f"Clock of ticket {literal(reference)} (the same as on the SLA compliance page):")
    ticket_clock(db, reference, as_of=as_of)
else:
    st.caption("Select a ticket to see its clock.")
