"""The store of this Streamlit server: opened once per process, demo data on first run, replicas followed.

One :class:`analytics.store.database.Database` per process (``st.cache_resource``), opened through
:func:`analytics.domains.open_store`, with the SLA ledger's background worker; the first run on
a missing file builds the demo data and says so while it does.

On the shared PostgreSQL store several replicas write: at most once a second per process,
:func:`open_database` polls the store's data version and, when another replica (or this one)
has written since, clears the page-edge caches (``st.cache_data``) of this replica.
"""
from __future__ import annotations

import threading
import time

import streamlit as st

from analytics.domains import build_demo, open_store
from analytics.sla import rebuild
from analytics.store.database import Database, database_target
from ui.text import literal

REPLICA_POLL_SECONDS = 1.0


@st.cache_resource(show_spinner=False)
def _open_database(path: str) -> Database:
    db = open_store(path)
    rebuild.start_worker(db)  # a new version of the SLA ledger is built in the background from now on
    return db


@st.cache_resource(show_spinner=False)
def _replica_state(path: str) -> dict:
    return {"lock": threading.Lock(), "checked": 0.0, "version": None}


def open_database() -> Database:
    """The shared database as it is (no demo build): enough to read settings before sign-in."""
    db = _open_database(str(database_target()))
    if db.postgres:
        follow_other_replicas(db)
    return db


def follow_other_replicas(db: Database) -> None:
    """Clear this replica's page caches when the shared store changed (polled once a second)."""
    state = _replica_state(str(db.path))
    with state["lock"]:
        if time.monotonic() - state["checked"] < REPLICA_POLL_SECONDS:
            return
        state["checked"] = time.monotonic()
        version, seen = db.data_version(), state["version"]
        state["version"] = version
    if seen is not None and version != seen:
        st.cache_data.clear()


# an organisation's own data: a store holding any of these is never filled with demo data
OWN_DATA_TABLES = ("companies", "incidents", "login_events", "import_runs")


def holds_other_data(db: Database) -> bool:
    """Whether the store holds companies, incidents, logins or import runs (tickets aside)."""
    return any(db.scalar(f"SELECT count(*) FROM {table}") for table in OWN_DATA_TABLES)


def build_demo_if_empty(db: Database) -> Database:
    """Build the demo data into an empty database, saying so while it does.

    A store without tickets but with its own data (companies, incidents, logins, import runs) is
    not empty: it says how to import tickets and goes on, without demo data.

    Never on the shared PostgreSQL store: demo tickets have no place in a real organisation's
    data, so an empty store says how to fill it and stops.
    """
    if db.scalar("SELECT count(*) FROM tickets"):
        return db
    if holds_other_data(db):
        st.info(f"The store {literal(db.path)} holds no tickets yet (its companies, incidents and logins are "
                "kept): import them with `python -m analytics import tickets FILE`. The SLA figures stay "
                "empty until then.")
        return db
    if db.postgres:
        st.warning(f"The shared store {db.path} holds no tickets yet. Copy an embedded installation "
                   "(`python -m analytics copy --from data/vigie.duckdb --to $VIGIE_DATABASE_URL`), import "
                   "tickets (`python -m analytics import tickets FILE`), or, for a trial only, fill it with "
                   "demo data (`python -m analytics demo`). See \"Running several replicas\" in the README.")
        st.stop()
    with st.status("First run: building the demo database (about 50,000 tickets)…", expanded=True) as status:
        summary = build_demo(db)
        status.update(label=f"Demo database ready: {summary.tickets:,} tickets over "
                            f"{summary.companies} companies", state="complete", expanded=False)
    return db
