"""Audit log (admin): every change, who made it and when, its values before and after; read-only, CSV export."""
import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import streamlit as st

from analytics.audit.service import audit_choices, load_audit
from ui.columns import AUDIT
from ui.labels import plural
from ui.session import current_actor, get_database
from ui.tables import show_table
from ui.text import literal

ROW_LIMIT = 50_000


@st.cache_data(ttl=60, show_spinner=False)
def load_choices(_db, path):
    return audit_choices(_db)


@st.cache_data(ttl=60, show_spinner="Reading the audit log…")
def load_rows(_db, path, entity, who, action, since, until):
    return load_audit(_db, entity=entity, actor=who, action=action, since=since, until=until, limit=ROW_LIMIT)


def pretty(text) -> object:
    """A JSON column value as an object st.json can show."""
    return None if text is None or text != text else json.loads(text)


db = get_database()
actor = current_actor()
st.title("Audit log")
if not actor.has_any("admin"):
    st.error(f"Only an admin may read the audit log; you are signed in as {literal(actor.label)}.")
    st.stop()
st.caption("Every change made through Vigie, recorded in the same transaction as the change. "
           "The log is read-only: nothing in the app edits or deletes it.")

tz = ZoneInfo(db.timezone)
today = datetime.now(tz).date()
choices = load_choices(db, str(db.path))
cols = st.columns([2, 2, 2, 2])
picked = cols[0].date_input("Period", value=(today - timedelta(days=30), today), key="audit_period")
entity = cols[1].selectbox("Entity", [None, *choices["entity"]], format_func=lambda v: v or "All", key="audit_entity")
who = cols[2].selectbox("Actor", [None, *choices["actor"]], format_func=lambda v: v or "All", key="audit_actor")
action = cols[3].selectbox("Action", [None, *choices["action"]], format_func=lambda v: v or "All", key="audit_action")
start, end = (picked if isinstance(picked, (list, tuple)) and len(picked) == 2 else (today, today))
if not (isinstance(picked, (list, tuple)) and len(picked) == 2):
    st.caption("Pick both ends of the period; showing today meanwhile.")
since = datetime.combine(start, time(), tz)
until = datetime.combine(end + timedelta(days=1), time(), tz)

frame = load_rows(db, str(db.path), entity, who, action, since, until)
shown = frame.assign(occurred_at=frame["occurred_at"].dt.tz_convert(db.timezone))
st.write(f"{plural(len(shown), 'change')} from {start:%d %b %Y} to {end:%d %b %Y} ({db.timezone})"
         + (f", the newest {ROW_LIMIT:,} shown: narrow the filters" if len(shown) == ROW_LIMIT else "") + ".")
rows = show_table(frame, key="audit_table", tz=db.timezone, columns=AUDIT, select=True,
                  csv=f"vigie-audit-{start}-{end}.csv")
if rows:
    row = shown.iloc[rows[0]]
    st.subheader(literal(f"{row['action']} {row['entity']} {row['entity_id'] or ''}".strip()))
    st.caption(f"by {literal(row['actor'])} at {row['occurred_at']:%Y-%m-%d %H:%M:%S %Z}")
    before_col, after_col = st.columns(2)
    with before_col:
        st.markdown("**Before**")
        st.json(pretty(row["before"]))
    with after_col:
        st.markdown("**After**")
        st.json(pretty(row["after"]))
else:
    st.info("Select a row to compare its values before and after.")
