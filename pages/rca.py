"""RCA summaries: what keeps breaking (categories, recurrences) and whether the promised actions are done."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics.rca.charts import categories_over_time_figure, publish_delay_figure
from analytics.rca.rules import STATUS_LABELS
from analytics.rca.stats import STATUS_CHOICES, RcaFilter, period_months
from ui.columns import ACTION_ITEMS
from ui.formats import count, figure
from ui.labels import plural
from ui.rca_data import load_choices, load_customer_markdown, load_customer_pdf, load_summaries
from ui.session import get_database
from ui.tables import download_table, show_table
from ui.text import literal


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to today."""
    return today.replace(year=today.year - 1) + timedelta(days=1), today


db = get_database()
path = str(db.path)
as_of = datetime.now(UTC).replace(second=0, microsecond=0)
today = as_of.astimezone(ZoneInfo(db.timezone)).date()
categories, platforms, severities, overdue_days = load_choices(db, path)
st.title("RCA summaries")
st.caption("Resolved major incidents by the start of the disruption, their root-cause analyses and the action "
           f"plans against recurrence. An RCA is overdue {overdue_days} days after the resolution "
           "(setting rca.overdue_days).")

cols = st.columns([2, 1, 2, 2, 2])
picked = cols[0].date_input("Period", value=default_period(today), key="rca_period")
if isinstance(picked, (list, tuple)) and len(picked) == 2:
    start, end = picked[0], picked[1] + timedelta(days=1)
else:
    start, end = default_period(today)[0], today + timedelta(days=1)
    st.caption("Pick both ends of the period; showing the last twelve months meanwhile.")
flt = RcaFilter(start=start, end=end,
                severities=tuple(cols[1].multiselect("Severity", severities, key="rca_severity")),
                categories=tuple(cols[2].multiselect("Root-cause category", categories, key="rca_category")),
                platforms=tuple(cols[3].multiselect("Platform", platforms, key="rca_platform")),
                statuses=tuple(cols[4].multiselect("RCA status", STATUS_CHOICES, format_func=STATUS_LABELS.get,
                                                   key="rca_status")))
data = load_summaries(db, path, flt, as_of)
head, listing = data["headline"], data["listing"]

metrics = st.columns(3) + st.columns(3)  # two rows of three: each label whole at 1280 px
metrics[0].metric("Resolved incidents", count(head["resolved_incidents"]))
metrics[1].metric("RCAs published", count(head["published"]),
                  help=f"{count(head['in_progress'])} more in draft or in review")
metrics[2].metric("Median days to publish", figure(head["median_days_to_publish"], digits=1))
metrics[3].metric("RCAs overdue", count(head["overdue"]),
                  help=f"Resolved more than {overdue_days} days ago without a published RCA.")
metrics[4].metric("Recurring causes", count(head["recurring"]),
                  help="Incidents whose root cause (category and platform) already hit another incident "
                       "in the previous 90 days (setting rca.recurrence_days).")
metrics[5].metric("Action items done", figure(head["completion_pct"], "%"),
                  help=f"{count(head['actions_done'])} done of {count(head['actions'])} (cancelled ones aside); "
                       f"{count(head['actions_overdue'])} overdue")

left, right = st.columns(2)
with left:
    st.subheader("Root-cause categories over time")
    st.plotly_chart(categories_over_time_figure(data["trend"], categories, months=period_months(start, end)),
                    width="stretch", key="rca_categories_chart")
with right:
    st.subheader("Time from resolution to published RCA")
    st.plotly_chart(publish_delay_figure(listing, overdue_days=overdue_days), width="stretch",
                    key="rca_delay_chart")

rcas_tab, recurrence_tab, actions_tab, missing_tab = st.tabs(
    ["RCAs", "Recurrences", f"Overdue action items ({count(head['actions_overdue'])})", "Without an RCA"])
with rcas_tab:
    shown = listing[["reference", "title", "severity", "resolved_at", "rca_status", "revision_in_progress",
                     "categories", "cause_platforms", "days_to_publish", "overdue", "recurrence", "recurrence_of"]]
    rows = show_table(shown, key="rca_list", tz=db.timezone, select=True, csv="rca-list.csv")
    if rows:
        chosen = listing.iloc[rows[0]]
        if pd.notna(chosen["published_revision"]):
            iid, ref, published = int(chosen["incident_id"]), chosen["reference"], int(chosen["published_revision"])
            st.write(f"Customer version of {ref} (revision {published}):")
            c1, c2 = st.columns(2)
            c1.download_button("Customer PDF", lambda: load_customer_pdf(db, path, iid, published),
                               file_name=f"RCA-{ref}-r{published}-customer.pdf", mime="application/pdf",
                               key="rca_list_pdf", icon=":material/picture_as_pdf:")
            c2.download_button("Customer Markdown", lambda: load_customer_markdown(db, path, iid, published),
                               file_name=f"RCA-{ref}-r{published}-customer.md", mime="text/markdown",
                               key="rca_list_md", icon=":material/description:")
        else:
            st.info(f"{literal(chosen['reference'])} has no published RCA yet.")
    else:
        st.caption("Select an incident with a published RCA to download the version for customers.")
with recurrence_tab:
    st.write(f"{plural(len(data['recurrences']), 'recurring root cause')}: the same category on the same platform "
             "as an earlier incident at most 90 days before.")
    show_table(data["recurrences"], key="rca_recurrences", tz=db.timezone)
with actions_tab:
    actions = data["actions"]
    overdue = actions[actions["overdue"].fillna(False).astype(bool)]
    st.write(f"{plural(len(overdue), 'action item')} past their due date and not done, most late first.")
    show_table(overdue[["owner", "description", "reference", "due_date", "days_overdue", "status"]],
               key="rca_overdue_actions", tz=db.timezone, columns=ACTION_ITEMS)
    download_table(actions, key="rca_actions_csv", tz=db.timezone, file_name="rca-actions.csv",
                   label="Download all action items (CSV)", columns=ACTION_ITEMS)
with missing_tab:
    missing = listing[listing["overdue"].astype(bool)]
    st.write(f"{plural(len(missing), 'resolved incident')} without a published RCA more than {overdue_days} days "
             "after the resolution.")
    show_table(missing[["reference", "title", "severity", "resolved_at", "rca_status", "days_since_resolution"]],
               key="rca_missing", tz=db.timezone)
