"""Vigie: the entry point. Page config, who the user is, and the pages their roles may see.

Every run ends in ``st.navigation`` (see ``ui/entry.py``): either with the pages of
the user's roles (``analytics/domains.py``) or with the single page saying why
there is nothing else (sign in, no access, local mode refused), so a URL to a page
outside the user's roles opens nothing.
"""
from ui.entry import run_dashboard

run_dashboard()
