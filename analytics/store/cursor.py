"""The cursor the store hands out: DuckDB's cursor, with DuckDB's errors turned into the store's own."""
from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from analytics.store.errors import translated
from analytics.store.statements import written_tables


class Cursor:
    """A cursor of the store (``execute`` returns the cursor, as DuckDB's does, to fetch from).

    Whatever DuckDB raises while running a statement comes out as an
    :mod:`analytics.store.errors` error with the same message. Every other method is the
    wrapped cursor's own (``fetchone``, ``df``, ``register``, ``close``...).
    """

    def __init__(self, raw: Any, watched: Collection[str] = ()):
        self._raw = raw  # a DuckDB cursor, or the PostgreSQL write cursor around one
        self._watched = watched
        self.written: set[str] = set()  # the watched tables this cursor's statements may have written
        self.after_commit: list[Callable[[], None]] = []  # run once the transaction has committed

    def execute(self, sql: str, params: Any = None) -> Cursor:
        """Run one statement with bound parameters."""
        if self._watched:
            self.written |= written_tables(sql, self._watched)
        with translated():
            if params is None:
                self._raw.execute(sql)
            else:
                self._raw.execute(sql, params)
        return self

    def executemany(self, sql: str, params: Any = None) -> Cursor:
        """Run one statement once per parameter row."""
        if self._watched:
            self.written |= written_tables(sql, self._watched)
        with translated():
            self._raw.executemany(sql, params if params is not None else [])
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)
