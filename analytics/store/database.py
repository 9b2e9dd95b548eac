"""The one way to the database.

This module alone calls ``duckdb.connect``. A :class:`Database` owns one shared
connection to the DuckDB file, applies the versioned schema migrations found in
``analytics/store/migrations`` when it opens, and hands out a fresh cursor per query so
that Streamlit's threads never share one. Every value travels as a bound
parameter; writes go through :meth:`Database.transaction`, which serialises the
writers of this process and retries on DuckDB's optimistic-concurrency conflicts.

With ``VIGIE_DATABASE_URL=postgresql://...`` (or a PostgreSQL URL as the target) the same
class attaches a PostgreSQL server through DuckDB's postgres extension instead of a file;
:mod:`analytics.store.postgres` holds what differs (cross-replica write lock, migrations,
data version), and every query keeps running in DuckDB.
"""
from __future__ import annotations

import os
import re
import threading
import time
import zoneinfo
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from analytics.kernel.sql import identifier
from analytics.store import pg_snapshots
from analytics.store import postgres as pg_backend
from analytics.store.cursor import Cursor
from analytics.store.errors import DatabaseError, WriteConflict, busy_error, translated

__all__ = ["Cursor", "Database", "DatabaseError", "database_path", "database_target", "deployment_timezone",
           "migration_files"]

if TYPE_CHECKING:
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "vigie.duckdb"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_TIMEZONE = "Europe/Paris"
WRITE_RETRIES = 5
MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def database_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database file to use: ``explicit``, else ``$VIGIE_DB``, else ``data/vigie.duckdb``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("VIGIE_DB")
    return Path(env) if env else DEFAULT_DB_PATH


def database_target(explicit: str | os.PathLike | None = None) -> str | Path:
    """The store to open, a PostgreSQL URL or a DuckDB file: ``explicit``, else ``$VIGIE_DB`` (a file
    or a URL), else ``$VIGIE_DATABASE_URL`` or its key in ``.streamlit/secrets.toml``, else the default."""
    for candidate in (explicit, os.environ.get("VIGIE_DB"), pg_backend.configured_url()):
        if candidate:
            return str(candidate) if pg_backend.is_postgres_url(str(candidate)) else Path(candidate)
    return DEFAULT_DB_PATH


def deployment_timezone() -> str:
    """The deployment time zone (``$VIGIE_TIMEZONE``, default Europe/Paris), validated."""
    name = os.environ.get("VIGIE_TIMEZONE", DEFAULT_TIMEZONE)
    if name not in zoneinfo.available_timezones():
        raise DatabaseError(f"Unknown time zone {name!r} in VIGIE_TIMEZONE")
    return name


def migration_files() -> list[tuple[int, Path]]:
    """The migration scripts in version order."""
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


class Database:
    """A DuckDB database file, or a PostgreSQL server, with its schema applied."""

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False, schema: bool = True):
        target = database_target(path)
        self.timezone = deployment_timezone()
        self.read_only = read_only
        self.closed = False
        self.postgres = isinstance(target, str)  # a URL: the shared PostgreSQL store
        if self.postgres:
            self.path = pg_backend.redact(target)
            try:
                self._con = pg_backend.open_connection(target, read_only=read_only)
            except (ConnectionError, RuntimeError) as exc:
                raise DatabaseError(f"Cannot open database {self.path}: {exc}") from exc
        else:
            self.path = target
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._con = duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as exc:
                raise busy_error(self.path, str(exc)) or DatabaseError(f"Cannot open database {self.path}: {exc}") \
                    from exc
        self._write_lock = threading.RLock()
        self._watchers: list[tuple[frozenset[str], Callable[[Cursor], None]]] = []
        self._snapshots = None
        if not read_only and schema:
            self.migrate()
        if self.postgres:
            self._snapshots = pg_snapshots.Snapshots(self._con)

    @classmethod
    def scratch(cls) -> Database:
        """An in-memory DuckDB without Vigie's schema, for SQL over a file that is not imported."""
        return cls(":memory:", schema=False)

    # -- reading -----------------------------------------------------------------
    def cursor(self, *, server: bool = False) -> Cursor:
        """A new cursor on the shared connection, set to the deployment time zone.

        On PostgreSQL a cursor reads the replica's fresh local copies of the big tables
        (:mod:`analytics.store.pg_snapshots`); ``server=True`` reads and writes the server itself.
        """
        cur = self._con.cursor()
        cur.execute(f"SET TimeZone = '{self.timezone}'")  # validated against zoneinfo
        # An ASOF join is never run as a nested loop: row estimates of uncommitted or temporary
        # data can be tiny while the data is not (a loop over every calendar interval per row).
        cur.execute("SET asof_loop_join_threshold = 0")
        if self.postgres:
            if self._snapshots is None or server:
                cur.execute(f"USE {pg_backend.CATALOG}")
            else:
                self._snapshots.use_fresh(cur)
        return Cursor(cur)

    def query(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        """Run a read query with bound parameters and return a DataFrame."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        """Run a read query and return its rows as tuples."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params or []).fetchall()
        finally:
            cur.close()

    def scalar(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        """Run a query returning one value."""
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    # -- writing -----------------------------------------------------------------
    def watch(self, tables: Collection[str], hook: Callable[[Cursor], None]) -> None:
        """Run ``hook(cursor)`` before COMMIT in every write transaction that wrote one of ``tables``.

        The hook works inside the same transaction (what it writes commits or rolls back with the
        change); ``cursor.after_commit`` takes what must run once the transaction has committed.
        This is how a domain keeps what it derives from a table up to date without the store
        knowing the domain.
        """
        self._watchers.append((frozenset(tables), hook))

    @contextmanager
    def transaction(self, *, keep: bool = True) -> Iterator[Cursor]:
        """One write transaction: commits on success, rolls back on any error.

        ``keep=False`` rolls back even on success: see :meth:`rehearsal` (no hook runs then).
        """
        watched = frozenset().union(*(tables for tables, _ in self._watchers))
        with self._write_lock:
            cur = self.cursor(server=True)
            cur.execute("BEGIN TRANSACTION")
            try:
                if self.postgres:  # the cross-replica write lock, then the work, then the versions
                    with translated():
                        pg_backend.begin_write(cur._raw)
                    pg_work = pg_backend.WriteCursor(cur._raw, notice=pg_snapshots.written_snapshot_tables)
                    work = Cursor(pg_work, watched)
                else:
                    work = Cursor(cur._raw, watched)
                yield work
                if keep:
                    self._run_hooks(work)
                    if self.postgres:
                        with translated():
                            pg_backend.end_write(cur._raw, pg_snapshots.bump_versions_sql(pg_work.written))
                cur.execute("COMMIT" if keep else "ROLLBACK")
            except BaseException:
                with suppress(DatabaseError):  # the transaction may already be gone
                    cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()
        for callback in work.after_commit if keep else ():
            callback()

    def _run_hooks(self, work: Cursor) -> None:
        """Each watcher whose tables the transaction wrote, once, until no hook writes a new one."""
        done: set[int] = set()
        while True:
            due = [(i, hook) for i, (tables, hook) in enumerate(self._watchers)
                   if i not in done and tables & work.written]
            if not due:
                return
            for i, hook in due:
                done.add(i)
                hook(work)

    def rehearsal(self) -> AbstractContextManager[Cursor]:
        """A write transaction that always rolls back: a preview runs the whole write and keeps nothing."""
        return self.transaction(keep=False)

    def write(self, work, *args, **kwargs):
        """Run ``work(cursor, *args, **kwargs)`` in one transaction, retrying conflicts."""
        for attempt in range(WRITE_RETRIES):
            try:
                with self.transaction() as cur:
                    return work(cur, *args, **kwargs)
            except WriteConflict as exc:
                if attempt == WRITE_RETRIES - 1:
                    raise DatabaseError(f"The change could not be saved: {exc}") from exc
                time.sleep(0.05 * (attempt + 1))
        raise DatabaseError("The change could not be saved")  # pragma: no cover

    # -- schema ------------------------------------------------------------------
    def schema_version(self) -> int:
        """The highest migration applied (0 on an empty file)."""
        exists = self.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        )
        if not exists:
            return 0
        return self.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations")

    def migrate(self) -> list[int]:
        """Apply the migrations not yet applied, each in its own transaction."""
        if self.postgres:
            from analytics.store import pg_schema

            return pg_schema.migrate(self, migration_files())
        applied = []
        done = self.applied_versions()
        for version, path in migration_files():
            if version in done:  # a lower number added later is still applied
                continue
            with self.transaction() as cur:
                cur.execute(path.read_text())
                if version == 1 or self._has_migrations_table(cur):
                    cur.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, now())",
                        [version, path.stem],
                    )
            applied.append(version)
        return applied

    def applied_versions(self) -> set[int]:
        """The migration versions already applied (empty on a new file)."""
        if not self.schema_version():
            return set()
        return {r[0] for r in self.rows("SELECT version FROM schema_migrations")}

    @staticmethod
    def _has_migrations_table(cur) -> bool:
        return bool(
            cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
            ).fetchone()[0]
        )

    def table_count(self, table: str) -> int:
        """Rows in a table of the schema (the name is checked against the catalogue)."""
        known = {r[0] for r in self.rows("SELECT table_name FROM information_schema.tables")}
        if table not in known:
            raise DatabaseError(f"Unknown table {table!r}")
        return self.scalar(f'SELECT count(*) FROM "{identifier(table, known)}"')

    def data_version(self) -> int | None:
        """A counter every committed write on the shared store increments (None for a file:
        only this process writes it, and its writes clear their own caches)."""
        if not self.postgres:
            return None
        cur = self.cursor(server=True)
        try:
            return pg_backend.data_version(cur)
        finally:
            cur.close()

    def close(self) -> None:
        """Close the shared connection (again: nothing)."""
        self.closed = True
        self._con.close()
