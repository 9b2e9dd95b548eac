"""Which tables a SQL statement writes: the targets of its INSERT, UPDATE, DELETE, COPY, CREATE, DROP...

The store uses it to run the hooks domains attach to tables (:meth:`Database.watch`) and, on
PostgreSQL, to tell replicas which of their local copies a write made stale. A table only
read by a statement (``INSERT INTO a SELECT ... FROM b``) is not written by it; raw SQL sent to
the server (``CALL``) may write anything.
"""
from __future__ import annotations

import re
from collections.abc import Collection

TARGET = re.compile(
    r"\b(?:insert\s+(?:or\s+\w+\s+)?into|update|delete\s+from|truncate(?:\s+table)?|merge\s+into|copy"
    r"|alter\s+table(?:\s+if\s+exists)?|drop\s+table(?:\s+if\s+exists)?"
    r"|create\s+(?:or\s+replace\s+)?(?:temp(?:orary)?\s+)?table(?:\s+if\s+not\s+exists)?)"
    r"\s+(?:\w+\.)*\"?(\w+)\"?")


def written_tables(sql: str, candidates: Collection[str]) -> set[str]:
    """Those of ``candidates`` a statement (or ``;``-separated statements) writes."""
    if not candidates:
        return set()
    text = re.sub(r"'(?:[^']|'')*'", "''", sql).lower()
    if re.match(r"\s*call\b", text) or re.search(r";\s*call\b", text):
        return set(candidates)
    return {name for name in TARGET.findall(text) if name in candidates}
