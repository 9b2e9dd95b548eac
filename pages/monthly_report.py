"""Monthly report for leadership: one month against the previous, in figures, charts and words; PDF and HTML."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.reports import tables
from analytics.reports.monthly import ReportMonth, build_report, month_choices, satisfaction_note
from analytics.reports.render import ChartImages, chart_images, pdf_document, render_html, report_figures, warm_up
from analytics.reports.summary import plural
from ui.columns import report_columns
from ui.session import get_database
from ui.tables import show_table
from ui.text import literal

DELTA_COLORS = {"up": "normal", "down": "inverse", "": "off"}


@st.cache_data(ttl=60, show_spinner=False)
def load_months(_db, path: str, today) -> list[str]:
    return [m.key for m in month_choices(_db, today)]


@st.cache_data(ttl=60, show_spinner="Assembling the report…")
def load_report(_db, path: str, month_key: str, now: datetime):
    return build_report(_db, ReportMonth.parse(month_key), now=now)


# A month's documents are cached by its data version: the store's write counter (a write through
# this process clears the caches) and, while the month is in progress, the minute of the figures.
@st.cache_data(ttl=3600, max_entries=12, show_spinner=False)
def load_images(_db, path: str, month_key: str, version: tuple, _now: datetime) -> ChartImages:
    return chart_images(load_report(_db, path, month_key, _now))


@st.cache_data(ttl=3600, max_entries=12, show_spinner=False)
def load_pdf(_db, path: str, month_key: str, version: tuple, _now: datetime) -> bytes:
    return pdf_document(load_report(_db, path, month_key, _now), load_images(_db, path, month_key, version, _now))


@st.cache_data(ttl=3600, max_entries=12, show_spinner=False)
def load_html(_db, path: str, month_key: str, version: tuple, _now: datetime) -> str:
    return render_html(load_report(_db, path, month_key, _now), load_images(_db, path, month_key, version, _now))


def absent(section, text: str) -> None:
    """Why a section shows nothing: its data is not recorded, or its query failed (warned above)."""
    st.info("Left out: see the warning at the top of the page." if section.problem else text)


def table(frame, key: str) -> None:
    show_table(frame, key=key, tz=db.timezone, columns=report_columns(frame.columns))


warm_up()  # the process's Chromium (charts and PDF) starts now, so that the first download does not wait for it
db = get_database()
path = str(db.path)
now = datetime.now(UTC).replace(second=0, microsecond=0)
today = now.astimezone(ZoneInfo(db.timezone)).date()
st.title("Monthly report")
months = load_months(db, path, today)
month_key = st.selectbox("Month", months, key="monthly_report_month",
                         format_func=lambda key: ReportMonth.parse(key).label,
                         help="The last complete month is chosen first.")
month = ReportMonth.parse(month_key)
report = load_report(db, path, month_key, now)
at_end = report.current.at_end.astimezone(ZoneInfo(db.timezone))
st.caption(f"{month.label} compared with {month.previous.label}. Figures as known now, as on the SLA, incidents, "
           f"RCA and lockouts pages for that month (a target met or breached counts in the month it was decided); "
           f"backlog and open escalations as at {at_end:%d %b %Y %H:%M} ({db.timezone}).")

version = (db.data_version(), None if report.complete else now)
downloads = st.columns(3)  # each button label whole at 1280 px
downloads[0].download_button("Download PDF", data=lambda: load_pdf(db, path, month_key, version, now),
                             file_name=f"vigie-monthly-report-{month_key}.pdf", mime="application/pdf",
                             on_click="ignore", icon=":material/picture_as_pdf:", key="monthly_report_pdf")
downloads[1].download_button("Download HTML", data=lambda: load_html(db, path, month_key, version, now),
                             file_name=f"vigie-monthly-report-{month_key}.html", mime="text/html",
                             on_click="ignore", icon=":material/html:", key="monthly_report_html")

for name, problem in report.problems.items():
    st.warning(f"The {name} section could not be computed and is left out: {literal(problem)}", icon=":material/warning:")

st.subheader("Summary")
st.markdown("\n".join(f"- {literal(line)}" for line in report.summary))

per_row = 3  # each label whole at 1280 px
for start in range(0, len(report.headlines), per_row):
    cols = st.columns(per_row)
    for col, h in zip(cols, report.headlines[start:start + per_row]):
        change = tables.format_change(h.value, h.previous, h.unit)
        col.metric(h.label, tables.format_value(h.value, h.unit),
                   delta=None if change == tables.DASH else change, delta_color=DELTA_COLORS[h.better],
                   help=(f"{month.previous.label}: {tables.format_value(h.previous, h.unit)}. {h.detail}").strip())

figures = report_figures(report)
st.subheader("SLA compliance")
table(tables.sla_table(report), "monthly_report_sla")
left, right = st.columns(2)
left.plotly_chart(figures["sla"], width="stretch", key="monthly_report_sla_chart")
right.plotly_chart(figures["trend"], width="stretch", key="monthly_report_trend_chart")

st.subheader("Customer satisfaction")
surveys, note = report.current.satisfaction, satisfaction_note(report.current.satisfaction)
st.caption(f"Surveys answered on the tickets resolved in {month.label}, as on the SLA page: satisfied means a score "
           f"of 4 or 5 (1 to 5). {literal(note[:1].upper() + note[1:])}.")
if not surveys["responses"]:
    st.info("No survey answered this month.")
st.markdown("**Satisfaction when the resolution target was met or breached** (share satisfied of the answered surveys)")
table(tables.satisfaction_table(report), "monthly_report_satisfaction")

st.subheader("Tickets")
left, right = st.columns(2)
with left:
    st.markdown("**Volume per channel**")
    table(tables.volume_table(report), "monthly_report_volume")
    st.plotly_chart(figures["volume"], width="stretch", key="monthly_report_volume_chart")
with right:
    st.markdown("**Backlog at month end** (opened and not resolved)")
    table(tables.backlog_table(report), "monthly_report_backlog")
    st.plotly_chart(figures["backlog"], width="stretch", key="monthly_report_backlog_chart")
st.markdown("**E-mail requests raised above severity 4 by an agent**")
table(tables.reclassification_table(report), "monthly_report_reclassification")

st.subheader("Top five companies by breaches")
if report.current.sla.top_companies.empty:
    st.info("No SLA breach this month.")
else:
    left, right = st.columns([2, 1])
    with left:
        table(tables.top_companies_table(report), "monthly_report_top_companies")
    with right:
        st.plotly_chart(figures["top_companies"], width="stretch", key="monthly_report_top_chart")

st.subheader("Major incidents")
if not report.current.incidents.available:
    absent(report.current.incidents, "Incidents are not recorded in this database.")
else:
    table(tables.incident_figures_table(report), "monthly_report_incident_figures")
    if report.current.incidents.count == 0:
        st.info("No major incidents this month.")
    else:
        table(tables.incidents_table(report), "monthly_report_incidents")
        st.plotly_chart(figures["notification"], width="stretch", key="monthly_report_notify_chart")

st.subheader("Escalations")
if not report.current.escalations.available:
    absent(report.current.escalations, "Escalations are not recorded in this database.")
else:
    esc = report.current.escalations
    st.write(f"{plural(esc.raised, 'escalation')} raised in {month.label} ({report.previous.escalations.raised:,} in "
             f"{month.previous.label}); {esc.open_total:,} open at the end of the month.")
    left, right = st.columns(2)
    with left:
        table(tables.escalations_table(report), "monthly_report_escalations")
    with right:
        st.plotly_chart(figures["escalations"], width="stretch", key="monthly_report_escalations_chart")

st.subheader("Root cause analyses (RCA)")
if not report.current.rca.available:
    absent(report.current.rca, "RCA reports are not recorded in this database.")
else:
    left, right = st.columns([3, 2])
    with left:
        table(tables.rca_table(report), "monthly_report_rca")
    with right:
        st.plotly_chart(figures["rca"], width="stretch", key="monthly_report_rca_chart")

st.subheader("Logins and lockouts")
if not report.current.lockouts.available:
    absent(report.current.lockouts, "Login events are not recorded in this database.")
else:
    left, right = st.columns([3, 2])
    with left:
        table(tables.lockout_table(report), "monthly_report_lockouts")
    with right:
        if "lockouts" in figures:
            st.plotly_chart(figures["lockouts"], width="stretch", key="monthly_report_lockouts_chart")
        else:
            st.info("No account lockouts this month.")
    if report.current.lockouts.suspected_attacks:
        st.markdown("**Suspected attacks**")
        table(tables.attacks_table(report), "monthly_report_attacks")
    else:
        st.caption("No suspected attack this month.")
