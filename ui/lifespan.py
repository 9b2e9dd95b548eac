"""The server's lifespan (``server.py``): the background workers started with the server, stopped with it.

Run by ``streamlit run server.py`` before any visit (Streamlit's ``st.App(lifespan=...)``): the
workers of :func:`analytics.jobs.workers.server_workers` (outbox delivery, schedules) start on
the process's store (``ui.store.open_database``, the same one the pages use), and on shutdown
each is told to stop and joined. One log line each way.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

from analytics.jobs.workers import server_workers, start_all, stop_all
from ui.store import open_database

LOG = logging.getLogger("vigie")


def _log_to_stderr() -> None:
    if not LOG.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
        LOG.propagate = False


@contextlib.asynccontextmanager
async def lifespan(_app):
    """Start the workers, serve, then stop and join them."""
    _log_to_stderr()
    workers = server_workers(open_database)
    start_all(workers)
    try:
        yield None
    finally:
        await asyncio.to_thread(stop_all, workers)
