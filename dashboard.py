"""Vigie: the entry point. Page config, who the user is, and the pages their roles may see."""
import streamlit as st

from analytics.navigation import pages_for
from ui.session import current_actor, get_database

st.set_page_config(page_title="Vigie", page_icon=":material/support_agent:", layout="wide")

actor = current_actor()
get_database()
specs = pages_for(actor.roles)
sections: dict[str, list] = {}
for spec in specs:
    sections.setdefault(spec.section, []).append(st.Page(spec.path, title=spec.title, icon=spec.icon))
navigation = st.navigation(sections)
navigation.run()
