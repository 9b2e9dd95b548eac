"""The store's own errors: what a failing database operation becomes outside ``analytics/store``.

No module outside the store catches DuckDB's exceptions: every cursor the store hands out
(:class:`analytics.store.database.Cursor`) turns them into these, keeping DuckDB's message, so a
domain says ``except ConstraintViolation`` and a page shows ``DatabaseError`` in words.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


class DatabaseError(RuntimeError):
    """A database operation failed in a way the user can be told about."""


class QueryFailed(DatabaseError):
    """A statement the database refused or could not run (DuckDB's message kept)."""


class ConstraintViolation(QueryFailed):
    """A write broke a constraint of the schema: a unique key already taken, a check or a NOT NULL refused."""


class WriteConflict(QueryFailed):
    """Another writer changed the same rows at the same time (retried by ``Database.write``)."""


def translate(exc: duckdb.Error) -> DatabaseError:
    """The store's error for a DuckDB exception, with the same message."""
    if isinstance(exc, duckdb.ConstraintException):
        return ConstraintViolation(str(exc))
    if isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower():
        return WriteConflict(str(exc))
    return QueryFailed(str(exc))


@contextmanager
def translated() -> Iterator[None]:
    """Inside the block, DuckDB's exceptions come out as the store's own."""
    try:
        yield
    except duckdb.Error as exc:
        raise translate(exc) from exc
