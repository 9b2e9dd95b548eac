"""What a page asks for first: the database and the acting user of this run.

Pages call :func:`get_database` or :func:`current_actor` before drawing anything: a page run that
bypassed the entry is routed through it here (``ui.entry.ensure_entered``). The acting user
comes from :func:`ui.auth.resolve_session` (identity provider or local mode).
"""
from __future__ import annotations

from datetime import UTC, datetime

from analytics.kernel.roles import Actor
from analytics.store.database import Database
from ui.auth import resolve_session
from ui.entry import ensure_entered
from ui.store import build_demo_if_empty, open_database


def get_database() -> Database:
    """The shared database; builds the demo on first run when the file is missing or empty."""
    ensure_entered()
    return build_demo_if_empty(open_database())


def current_actor() -> Actor:
    """The signed-in user of this run (every role in local mode; no role before sign-in).

    Pass it to every write in ``analytics/``: the services check its roles again.
    """
    ensure_entered()
    return resolve_session(open_database()).actor


def now() -> datetime:
    """The instant figures are computed for (kept fixed within one rerun)."""
    return datetime.now(UTC)
