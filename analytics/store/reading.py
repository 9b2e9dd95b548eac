"""One way to read rows whether the caller holds the store or a cursor inside its write transaction."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analytics.store.cursor import Cursor
from analytics.store.database import Database


def read_rows(reader: Database | Cursor, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
    """Rows from the store (``Database``) or from a cursor inside the caller's write transaction, so one
    reading function serves both (e.g. the calendars read to derive their intervals in the edit's transaction)."""
    if isinstance(reader, Database):
        return reader.rows(sql, params)
    return reader.execute(sql, params or []).fetchall()
