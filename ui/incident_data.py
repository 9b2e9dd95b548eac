"""Cached loaders of the incident pages (the page edge), and the clearing a write needs.

Each loader calls ``analytics.incidents.queries`` / ``analytics.incidents.stats``;
``as_of`` is passed truncated to the minute so reruns within a minute hit the
cache while the countdowns, computed from the due times, still tick every second.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from analytics.incidents import queries
from analytics.incidents import stats as incident_stats
from analytics.notices import queries as notice_queries
from analytics.store.database import Database


@st.cache_data(ttl=60, show_spinner=False)
def load_settings(_db: Database, path: str) -> queries.NotifySettings:
    return queries.notify_settings(_db)


@st.cache_data(ttl=60, show_spinner=False)
def load_choices(_db: Database, path: str) -> tuple[pd.DataFrame, dict[str, int], list[str]]:
    return queries.severity_choices(_db), queries.company_choices(_db), queries.platform_choices(_db)


@st.cache_data(ttl=60, show_spinner=False)
def load_open(_db: Database, path: str, as_of: datetime) -> pd.DataFrame:
    return queries.open_incidents(_db, settings=load_settings(_db, path), as_of=as_of)


@st.cache_data(ttl=60, show_spinner=False)
def load_history(_db: Database, path: str, flt: queries.IncidentFilter, as_of: datetime) -> pd.DataFrame:
    return queries.list_incidents(_db, flt, settings=load_settings(_db, path), as_of=as_of)


@st.cache_data(ttl=60, show_spinner=False)
def load_references(_db: Database, path: str) -> list[str]:
    frame = queries.list_incidents(_db, queries.IncidentFilter(), settings=load_settings(_db, path),
                                   as_of=datetime.now().astimezone())
    return frame["reference"].tolist()


@st.cache_data(ttl=60, show_spinner=False)
def load_detail(_db: Database, path: str, reference: str, as_of: datetime) -> dict | None:
    settings = load_settings(_db, path)
    incident = queries.get_incident(_db, reference=reference, settings=settings, as_of=as_of)
    if incident is None:
        return None
    incident_id = int(incident["id"])
    return {"incident": incident,
            "notifications": queries.notifications(_db, incident_id=incident_id, settings=settings),
            "steps": queries.steps(_db, incident_id=incident_id),
            "timeline": notice_queries.incident_timeline(_db, incident_id=incident_id),
            "tickets": queries.impacted_tickets(_db, incident_id=incident_id, as_of=as_of),
            "impacted_ids": queries.impacted_company_ids(_db, incident_id=incident_id)}


@st.cache_data(ttl=60, show_spinner=False)
def load_figures(_db: Database, path: str, start: date, end: date, severities: tuple[int, ...],
                 as_of: datetime) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    settings = load_settings(_db, path)
    args = dict(start=start, end=end, settings=settings, as_of=as_of, severities=severities)
    return (incident_stats.figures(_db, **args), incident_stats.figures(_db, **args, by=("month",)),
            incident_stats.figures(_db, **args, by=()))


def clear_incident_caches() -> None:
    """Forget every cached incident read (after a write)."""
    for loader in (load_choices, load_open, load_history, load_references, load_detail, load_figures):
        loader.clear()
