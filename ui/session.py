"""The database and the acting user for a Streamlit session.

One :class:`analytics.db.Database` per process (``st.cache_resource``); the first
run on a missing file builds the demo data and says so while it does.
"""
from __future__ import annotations

from datetime import datetime, timezone

import streamlit as st

from analytics.access import Actor, local_actor
from analytics.db import Database, database_path


@st.cache_resource(show_spinner=False)
def _open_database(path: str) -> Database:
    return Database(path)


def get_database() -> Database:
    """The shared database; builds the demo on first run when the file is missing or empty."""
    path = str(database_path())
    db = _open_database(path)
    if not db.scalar("SELECT count(*) FROM tickets"):
        from analytics.demo import build_demo

        with st.status("First run: building the demo database (about 50,000 tickets)…", expanded=True) as status:
            summary = build_demo(db)
            status.update(label=f"Demo database ready: {summary.tickets:,} tickets over "
                                f"{summary.companies} companies", state="complete", expanded=False)
    return db


def current_actor() -> Actor:
    """The signed-in user (local single-user mode until an identity provider is configured)."""
    return st.session_state.get("vigie_actor") or local_actor()


def now() -> datetime:
    """The instant figures are computed for (kept fixed within one rerun)."""
    return datetime.now(timezone.utc)
