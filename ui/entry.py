"""The dashboard's entry: sign-in, the banner, and ``st.navigation`` with the pages of the user's roles.

``dashboard.py`` calls :func:`run_dashboard`. Because a ``pages/`` folder sits beside
``dashboard.py``, Streamlit starts every server in its old multipage mode, in which a URL
such as ``/sla`` runs ``pages/sla.py`` *without* running ``dashboard.py`` first (until the
first ``st.navigation`` call of the process). :func:`ensure_entered`, called by
``ui.session.get_database`` and ``current_actor``, closes that door: a page run that did
not come through :func:`run_dashboard` runs the entry instead (sign-in and role checks
included; the entry then runs the page if the user may see it) and stops.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics.domains import pages_for
from analytics.store.errors import DatabaseError
from ui import auth
from ui.store import build_demo_if_empty, open_database
from ui.text import literal

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENTRY_SCRIPT = PROJECT_ROOT / "dashboard.py"
_LOG = logging.getLogger(__name__)
STORE_RETRY_SECONDS = 5
_run_state = threading.local()  # each script run has its own thread


def entered() -> bool:
    """True inside a page run started by :func:`run_dashboard`."""
    return getattr(_run_state, "entered", False)


def ensure_entered() -> None:
    """Route a page run that bypassed the entry through it, then stop the bypassing run.

    Does nothing when the main script is not ``dashboard.py`` (a page tested alone with AppTest),
    nor in a widget callback or a fragment: those only exist for widgets and fragments drawn by
    an earlier full run of the page, which came through the entry.
    """
    if entered() or _in_callback_or_fragment():
        return
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or Path(ctx.main_script_path).resolve() != ENTRY_SCRIPT:
        return
    run_dashboard()
    st.stop()


def _in_callback_or_fragment() -> bool:
    """True inside a widget callback or a fragment (Streamlit's per-thread run state)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState
    except ImportError:  # a Streamlit without it: treat the run as a full one (the safe side)
        return False
    state = ThreadState.get()
    return state.fragment_id is not None or state.run_location.name == "CALLBACK"


def _only_page(render, title: str, url_path: str) -> None:
    """Run a navigation that holds just one page drawn by ``render()``."""
    st.navigation([st.Page(render, title=title, url_path=url_path, default=True)], position="hidden").run()


def _follow_address(specs) -> None:
    """Open the page an address names, also where Streamlit alone would say "Page not found".

    The first page is the navigation's default, which Streamlit serves at ``/`` only: its own
    address (``/sla-compliance``) opens it there. An address of before the readable ones (a script's
    name: ``/sla``, ``/monthly_report``) opens the page it named. Any other address is Streamlit's
    to resolve (a page's ``url_path``, or "Page not found" and the first page).
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    manager = getattr(ctx, "pages_manager", None)
    asked = getattr(manager, "intended_page_name", None)
    if not asked or getattr(manager, "intended_page_script_hash", None):
        return
    by_address = {Path(spec.path).stem: spec.url_path for spec in specs} | {spec.url_path: spec.url_path
                                                                            for spec in specs}
    if asked in by_address:
        manager.set_script_intent("", "" if by_address[asked] == specs[0].url_path else by_address[asked])


def show_store_unavailable(message: str) -> None:
    """The one page while the database cannot be opened: why, in words, and a retry every few seconds."""
    st.title("Vigie is waiting for its database")
    st.warning(literal(message), icon=":material/hourglass_top:")
    st.caption(f"Retrying every {STORE_RETRY_SECONDS} seconds: the dashboard opens by itself once the database "
               "is free.")

    @st.fragment(run_every=STORE_RETRY_SECONDS)
    def retry() -> None:
        try:
            open_database()
        except DatabaseError:
            return
        st.rerun(scope="app")

    retry()


def run_dashboard() -> None:
    """Who the user is, then the pages of their roles (or the one page saying why there are none).

    Whatever fails before the navigation is built (the database busy or unreachable, an error
    reading the sign-in settings) ends in a single page saying so, logged with its traceback on
    the server: never a traceback on screen, and never Streamlit's list of every page file."""
    st.set_page_config(page_title="Vigie", page_icon=":material/support_agent:", layout="wide")
    try:
        db = open_database()
        session = auth.resolve_session(db)
    except DatabaseError as exc:
        _LOG.warning("The database cannot be opened: %s", exc)
        message = str(exc)
        _only_page(lambda: show_store_unavailable(message), "Waiting for the database", "waiting")
        return
    except Exception:  # whatever it is, the page must still be the single safe one
        _LOG.exception("The dashboard could not start")
        _only_page(lambda: st.error("Vigie could not start: the error is in the server's log."),
                   "Vigie cannot start", "cannot-start")
        return
    specs = pages_for(session.actor.roles)
    if session.problem:
        _only_page(lambda: auth.show_problem(session), "Vigie cannot start", "cannot-start")
        return
    if not session.signed_in:
        _only_page(lambda: auth.show_sign_in(session), "Sign in", "sign-in")
        return
    if not specs:
        _only_page(lambda: auth.show_no_access(session, db), "No access", "no-access")
        return
    build_demo_if_empty(db)
    auth.show_account(session)
    if session.mode == "local":
        auth.local_mode_banner()
    _follow_address(specs)
    sections: dict[str, list] = {}
    for spec in specs:
        if not (PROJECT_ROOT / spec.path).is_file():  # a page being written: keep the others usable
            _LOG.warning("Page %s is declared by a domain but missing; not offered", spec.path)
            continue
        sections.setdefault(spec.section, []).append(st.Page(spec.path, title=spec.title, icon=spec.icon,
                                                                    url_path=spec.url_path))
    page = st.navigation(sections, expanded=True)  # every page of the user's roles, no "View more"
    _run_state.entered = True
    try:
        page.run()
    finally:
        _run_state.entered = False
