"""Serve the dashboard (``python -m ui.serve [--entry FILE] [streamlit options]``): ``streamlit run server.py``
(the dashboard with its workers, see ``server.py``; ``--entry dashboard.py``: the pages alone), page
addresses working from the first request.

Because a ``pages/`` folder sits beside ``dashboard.py``, a plain ``streamlit run`` starts each
process in Streamlit's old multipage mode, which knows pages by file name only: until the first
``st.navigation`` of the process, a readable address such as ``/monthly-report`` (the page specs'
``url_path``) first meets a "Page not found" dialog, then opens the page behind it. This start
turns that mode off before the first session, so the navigation built by ``ui/entry.py`` is the
only list of pages from the first request on (and a file name such as ``/sla`` is an unknown
address like any other).
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ROOT = Path(__file__).resolve().parent.parent
ENTRY_SCRIPT = ROOT / "server.py"


def main(args: list[str] | None = None) -> None:
    """Run the Streamlit server on ``server.py`` (or ``--entry FILE``) with ``args`` (Streamlit's own options)."""
    args = list(sys.argv[1:] if args is None else args)
    entry = ENTRY_SCRIPT
    if args[:1] == ["--entry"] and len(args) > 1:
        entry, args = ROOT / args[1], args[2:]
    PagesManager.uses_pages_directory = False  # read when the first session starts, then kept for the process
    sys.argv = ["streamlit", "run", str(entry), *args]
    cli.main()


if __name__ == "__main__":
    main()
