"""Cached loaders of the RCA pages (the page edge), and the clearing a write needs.

Figures are cached for a minute (``as_of`` is truncated to the minute by the pages). A
published revision is frozen, so its customer documents are cached by (incident, revision)
for longer; drafts are never cached.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from analytics.rca import document as rca_document
from analytics.rca import export as rca_export
from analytics.rca import queries as rca_queries
from analytics.rca import stats as rca_stats
from analytics.settings.queries import get_setting
from analytics.store.database import Database


@st.cache_data(ttl=60, show_spinner=False)
def load_choices(_db: Database, path: str) -> tuple[list[str], list[str], list[int], int]:
    """Categories, platforms, severities and the overdue-days setting."""
    severities = [int(r[0]) for r in _db.rows("SELECT severity FROM severities ORDER BY 1")]
    return (rca_queries.categories(_db), rca_queries.known_platforms(_db), severities,
            int(get_setting(_db, "rca.overdue_days")))


@st.cache_data(ttl=60, show_spinner="Computing RCA figures…")
def load_summaries(_db: Database, path: str, flt: rca_stats.RcaFilter, as_of: datetime) -> dict:
    """Everything the summaries page shows for a filter."""
    return {"headline": rca_stats.headline(_db, flt, as_of=as_of),
            "listing": rca_stats.rca_list(_db, flt, as_of=as_of),
            "trend": rca_stats.category_trend(_db, flt, as_of=as_of),
            "recurrences": rca_stats.recurrences(_db, flt, as_of=as_of),
            "actions": rca_stats.action_items(_db, flt, as_of=as_of)}


@st.cache_data(ttl=60, show_spinner=False)
def load_reviewable(_db: Database, path: str) -> pd.DataFrame:
    """Resolved incidents with the status of their RCA."""
    return rca_queries.reviewable_incidents(_db)


@st.cache_data(ttl=600, show_spinner=False)
def load_customer_markdown(_db: Database, path: str, incident_id: int, revision: int) -> str:
    """The customer Markdown of a published (frozen) revision."""
    doc = rca_document.build_document(_db, incident_id=incident_id, revision=revision, audience="customer")
    return rca_export.to_markdown(doc, rca_export.document_charts(doc))


@st.cache_data(ttl=600, show_spinner=False)
def load_customer_pdf(_db: Database, path: str, incident_id: int, revision: int) -> bytes:
    """The customer PDF of a published (frozen) revision."""
    doc = rca_document.build_document(_db, incident_id=incident_id, revision=revision, audience="customer")
    return rca_export.to_pdf(doc, rca_export.document_charts(doc))


def internal_markdown(db: Database, incident_id: int, revision: int) -> str:
    """The internal Markdown of any revision (never cached: drafts change)."""
    doc = rca_document.build_document(db, incident_id=incident_id, revision=revision, audience="internal")
    return rca_export.to_markdown(doc)


def clear_rca_caches() -> None:
    """Forget the figures and lists after a write (frozen documents stay cached)."""
    load_summaries.clear()
    load_reviewable.clear()
    load_choices.clear()
