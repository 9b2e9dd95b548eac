"""Vigie's server entry: ``streamlit run server.py`` serves the dashboard (``dashboard.py``) and, from
the same process, runs the background workers (outbox delivery, scheduled jobs) started and
stopped by the lifespan hook (``ui/lifespan.py``), before any visit.
"""
import streamlit as st

from ui.lifespan import lifespan

app = st.App("dashboard.py", lifespan=lifespan)
