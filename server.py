"""Vigie's server entry: ``streamlit run server.py`` serves the dashboard (``dashboard.py``) and, from
the same process, runs the background workers (outbox delivery, scheduled jobs) started and
stopped by the lifespan hook (``ui/lifespan.py``), before any visit, and the HTTP API
(``analytics/api/routes.py``: ``/metrics``, ``/api/v1/health``, ``/api/v1/sla``).
"""
import streamlit as st

from analytics.api.routes import api_routes
from ui.lifespan import lifespan
from ui.store import open_database

# a pushed event clears the pages' caches: the next refresh of the Backlog queue (every few seconds) shows it
app = st.App("dashboard.py", lifespan=lifespan, routes=api_routes(open_database, after_write=st.cache_data.clear))
