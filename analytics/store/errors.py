"""The store's own errors: what a failing database operation becomes outside ``analytics/store``.

No module outside the store catches DuckDB's exceptions: every cursor the store hands out
(:class:`analytics.store.database.Cursor`) turns them into these, keeping DuckDB's message, so a
domain says ``except ConstraintViolation`` and a page shows ``DatabaseError`` in words.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


class DatabaseError(RuntimeError):
    """A database operation failed in a way the user can be told about."""


class StoreBusy(DatabaseError):
    """The embedded database file is held by another process (DuckDB lets one process open it)."""

    def __init__(self, path, pid: int | None, command: str | None):
        self.path, self.pid, self.command = path, pid, command
        holder = f"process {pid}" + (f" ({command})" if command else "") if pid else "another process"
        super().__init__(
            f"The database {path} is in use by {holder}. The embedded store is opened by one process at a "
            f"time: stop that process (or wait for its import to finish) and try again, or move to the "
            f"PostgreSQL store to run commands beside the dashboard (README, \"One process at a time\").")


def busy_error(path, message: str) -> StoreBusy | None:
    """The StoreBusy that DuckDB's lock message describes, or None for another I/O error."""
    if "Conflicting lock" not in message:
        return None
    found = re.search(r"\(PID (\d+)\)", message)
    pid = int(found.group(1)) if found else None
    return StoreBusy(path, pid, process_command(pid) if pid else None)


def process_command(pid: int) -> str | None:
    """The command line of a local process (from /proc), shortened; None when it cannot be read."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    words = [w.decode(errors="replace") for w in words if w]
    if not words:
        return None
    words[0] = Path(words[0]).name
    text = " ".join(" ".join(words).split())  # on one line
    return text if len(text) <= 120 else text[:117] + "..."


class DiskFull(DatabaseError):
    """The disk holding the database (or its write-ahead log) has no space left: nothing was written."""


class QueryFailed(DatabaseError):
    """A statement the database refused or could not run (DuckDB's message kept)."""


class ConstraintViolation(QueryFailed):
    """A write broke a constraint of the schema: a unique key already taken, a check or a NOT NULL refused."""


class WriteConflict(QueryFailed):
    """Another writer changed the same rows at the same time (retried by ``Database.write``)."""


def translate(exc: duckdb.Error) -> DatabaseError:
    """The store's error for a DuckDB exception, with the same message."""
    if "No space left on device" in str(exc):
        found = re.search(r'write file "([^"]+)"', str(exc))
        where = f"the disk holding {found.group(1)}" if found else "the database's disk"
        return DiskFull(f"{where[0].upper()}{where[1:]} is full (no space left on device): nothing of this change "
                        "was written. Free space on that disk (a failed large write leaves the database file at the "
                        "size it reached) and run it again.")
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
