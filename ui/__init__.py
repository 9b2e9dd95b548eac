"""Streamlit-side helpers shared by the pages: the cached database, the current user, filters."""
