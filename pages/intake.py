"""Incoming requests: volume per channel, report completeness, administrators, reassignments, out of scope."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.intake import stats as intake
from analytics.intake.charts import volume_figure
from ui.columns import shares
from ui.filters import ticket_filters
from ui.formats import share
from ui.session import get_database
from ui.tables import show_table


@st.cache_data(ttl=60, show_spinner="Counting requests…")
def load_intake(_db, path, period, flt):
    return {
        "summary": intake.intake_summary(_db, period, flt),
        "volume": intake.volume_by_channel(_db, period, flt),
        "completeness": intake.report_completeness(_db, period, flt),
        "flows": intake.reassignment_flows(_db, period, flt),
        "scope": intake.out_of_scope_by_company(_db, period, flt),
        "admins": intake.admin_share_by_company(_db, period, flt),
    }


db = get_database()
today = datetime.now(UTC).astimezone(ZoneInfo(db.timezone)).date()
st.title("Incoming requests")
period, flt = ticket_filters(db, "intake", today)
data = load_intake(db, str(db.path), period, flt)
s = data["summary"]

cols = st.columns(3) + st.columns(3)  # two rows: each label whole at 1280 px
cols[0].metric("Tickets opened", f"{s['tickets']:,}")
cols[1].metric("Raised by an administrator", share(s["by_admin"], s["admin_known"]),
               help=f"{s['by_admin']:,} of {s['admin_known']:,} tickets whose contact is known")
cols[2].metric("Complete reports", share(s["complete_reports"], s["tickets"]),
               help="Carrying every field of a complete report (company, contact, ids, time, description, errors)")
cols[3].metric("Reassigned", share(s["reassigned"], s["tickets"]),
               help=f"{s['reassigned']:,} tickets, {s['reassignments']:,} reassignments")
cols[4].metric("Out of scope", share(s["out_of_scope"], s["tickets"]),
               help=f"{s['out_of_scope']:,} closed as third-party software or customer infrastructure")
st.caption(f"E-mail requests raised above severity 4 by an agent: {s['email_raised']:,} of {s['email']:,} "
           f"({share(s['email_raised'], s['email'])}).")

st.plotly_chart(volume_figure(data["volume"]), width="stretch", key="intake_volume_chart")
st.subheader("Report completeness by channel (% of tickets carrying each field)")
completeness = data["completeness"]
show_table(completeness, key="intake_completeness", tz=db.timezone,
           columns=shares([c for c in completeness.columns if c not in ("channel", "tickets")],
                          help="Share of the channel's tickets carrying this field"))
left, right = st.columns(2)
with left:
    st.subheader("Reassignments between teams")
    show_table(data["flows"], key="intake_flows", tz=db.timezone)
    st.subheader("Requests raised by administrators, per company")
    show_table(data["admins"], key="intake_admins", tz=db.timezone)
with right:
    st.subheader("Out of scope, per company")
    show_table(data["scope"], key="intake_scope", tz=db.timezone, csv="out-of-scope.csv")
