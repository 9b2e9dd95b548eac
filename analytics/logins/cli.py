"""``python -m analytics import logins FILE``: import login events from the canonical CSV, print the report."""
from __future__ import annotations

import sys

from analytics.kernel.registry import OpenStore
from analytics.kernel.roles import system_actor


def cmd_import_logins(args, open_store: OpenStore) -> int:
    """Print the import's report; exit 2 with one line on an unreadable file."""
    from analytics.logins.service import LoginImportFileError, import_logins

    try:
        report = import_logins(open_store(args.db), args.file, actor=system_actor("cli"))
    except LoginImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    return report.exit_code()
