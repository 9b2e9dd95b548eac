"""PostgreSQL as the shared store, attached through DuckDB's ``postgres`` extension.

With ``VIGIE_DATABASE_URL=postgresql://...`` (or the same key in ``.streamlit/secrets.toml``)
:class:`analytics.store.database.Database` opens an in-memory DuckDB, loads the extension shipped by the
``duckdb-extension-postgres`` wheel (signature verification left on) and attaches the server as
catalog ``vigie``: every query Vigie has runs unchanged in DuckDB, write transactions on the
server's tables, reads on the replica's fresh local copies of the big ones
(:mod:`analytics.store.pg_snapshots`) and on the server's tables for the rest.

Writes from many processes: every write transaction first takes ``LOCK TABLE vigie_write_lock
IN EXCLUSIVE MODE``. The extension runs its transactions in REPEATABLE READ, whose snapshot is
taken by the first query; LOCK takes none, so the snapshot is taken after the lock and a writer
always sees every write committed before it. Writers are thus serialised across replicas as
they are inside one process, which keeps ``max(id) + 1`` references unique. Each write also
bumps ``vigie_data_version``, which page-edge caches poll to notice writes of other replicas.

The extension refuses ``INSERT ... RETURNING`` on PostgreSQL tables; :class:`WriteCursor`
emulates it under the write lock, and translates PostgreSQL's constraint and serialisation
errors into the DuckDB exception classes the services already catch.
"""
from __future__ import annotations

import os
import re
import shutil
import tomllib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

CATALOG = "vigie"
URL_SCHEMES = ("postgresql", "postgres")
URL_SETTING = "VIGIE_DATABASE_URL"
SECRETS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml"
WRITE_LOCK_TABLE = "vigie_write_lock"
DATA_VERSION_TABLE = "vigie_data_version"
POOL_CONNECTIONS = int(os.environ.get("VIGIE_PG_POOL", "8"))  # PostgreSQL connections per process
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CONSTRAINT_ERRORS = ("violates unique constraint", "violates check constraint",
                     "violates not-null constraint", "violates foreign key constraint")
CONFLICT_ERRORS = ("could not serialize access", "deadlock detected", "lock timeout")


def is_postgres_url(target) -> bool:
    """Whether a database target names a PostgreSQL server rather than a DuckDB file."""
    return isinstance(target, str) and urlsplit(target).scheme in URL_SCHEMES


def configured_url() -> str | None:
    """``$VIGIE_DATABASE_URL``, else the same key in ``.streamlit/secrets.toml``, else None."""
    url = os.environ.get(URL_SETTING)
    if not url and SECRETS_FILE.exists():
        try:
            url = tomllib.loads(SECRETS_FILE.read_text()).get(URL_SETTING)
        except (OSError, tomllib.TOMLDecodeError):
            url = None
    return url or None


def redact(url: str) -> str:
    """The URL with its password hidden, for messages and cache keys."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _scrub(message: str, url: str) -> str:
    password = urlsplit(url).password
    return message.replace(url, redact(url)).replace(password, "***") if password else message


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@lru_cache(maxsize=1)
def extension_file() -> Path:
    """The packaged extension, copied once under the name DuckDB expects (``postgres_scanner``).

    DuckDB derives the entry point from the file name, and the wheel ships the file as
    ``postgres.duckdb_extension``; the copy keeps the signed bytes untouched.
    """
    try:
        import duckdb_extension_postgres
    except ImportError as exc:
        raise RuntimeError("The PostgreSQL backend needs the duckdb-extension-postgres package "
                           "(pip install -r requirements.txt)") from exc
    version = f"v{duckdb.__version__}"
    source = Path(duckdb_extension_postgres.__file__).parent / "extensions" / version / "postgres.duckdb_extension"
    if not source.exists():
        raise RuntimeError(f"duckdb-extension-postgres has no build for DuckDB {version}: pin it to the "
                           "DuckDB version in requirements.txt")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vigie" / "duckdb-extensions"
    target = cache / version / "postgres_scanner.duckdb_extension"
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        shutil.copyfile(source, partial)
        os.replace(partial, target)  # atomic: replicas starting together never load half a file
    return target


def open_connection(url: str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the server attached as ``vigie`` (signed extension only)."""
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False})
    try:
        con.execute(f"LOAD {_literal(str(extension_file()))}")
        con.execute(f"SET pg_pool_max_connections = {POOL_CONNECTIONS}")
        con.execute("SET pg_pool_acquire_mode = 'wait'")
        con.execute(f"ATTACH {_literal(url)} AS {CATALOG} (TYPE postgres{', READ_ONLY' if read_only else ''})")
    except duckdb.Error as exc:
        con.close()
        raise ConnectionError(_scrub(str(exc), url)) from None
    return con


def execute_raw(cur, sql: str) -> None:
    """Run PostgreSQL SQL as is, inside the cursor's current transaction."""
    cur.execute(f"CALL system.main.postgres_execute('{CATALOG}', {_literal(sql)})")


def query_raw(cur, sql: str) -> list[tuple]:
    """Rows of a PostgreSQL query run as is, inside the cursor's current transaction."""
    return cur.execute(f"SELECT * FROM system.main.postgres_query('{CATALOG}', {_literal(sql)})").fetchall()


def begin_write(cur) -> None:
    """First statements of a write transaction: the cross-replica write lock (see the module doc).

    A writer waits at most ``$VIGIE_PG_LOCK_TIMEOUT`` seconds (default 60) for the lock, then
    the write is retried or refused; a replica that stops in the middle of a transaction
    loses it (and the lock) after ``$VIGIE_PG_IDLE_TIMEOUT`` seconds (default 300). SET LOCAL
    and LOCK take no snapshot, so the snapshot is still taken after the lock.
    """
    lock_timeout = int(os.environ.get("VIGIE_PG_LOCK_TIMEOUT", "60"))
    idle_timeout = int(os.environ.get("VIGIE_PG_IDLE_TIMEOUT", "300"))
    try:
        execute_raw(cur, f"SET LOCAL lock_timeout = '{lock_timeout}s'; "
                         f"SET LOCAL idle_in_transaction_session_timeout = '{idle_timeout}s'; "
                         f"LOCK TABLE {WRITE_LOCK_TABLE} IN EXCLUSIVE MODE")
    except duckdb.Error as exc:
        raise translate_error(exc) from exc


def end_write(cur, more_sql: str = "") -> None:
    """Last statement before COMMIT: tell every replica that the data changed (and ``more_sql``)."""
    execute_raw(cur, f"UPDATE {DATA_VERSION_TABLE} SET version = version + 1, changed_at = now(); {more_sql}")


def data_version(cur) -> int:
    """The counter every committed write increments."""
    return int(query_raw(cur, f"SELECT version FROM {DATA_VERSION_TABLE}")[0][0])


def translate_error(exc: duckdb.Error) -> duckdb.Error:
    """PostgreSQL's errors as the DuckDB exception classes the services catch."""
    message = str(exc)
    if isinstance(exc, (duckdb.ConstraintException, duckdb.TransactionException)):
        return exc
    if any(marker in message for marker in CONSTRAINT_ERRORS):
        return duckdb.ConstraintException(message)
    if any(marker in message for marker in CONFLICT_ERRORS):
        return duckdb.TransactionException(f"Write conflict on PostgreSQL: {message}")
    return exc


def _mask_quotes(sql: str) -> str:
    """The SQL with the inside of string literals and quoted names blanked (same length)."""
    return re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2)
                  + m.group(0)[-1], sql)


INSERT_RETURNING = re.compile(r"^\s*INSERT\s+INTO\s+(?P<table>[A-Za-z_][A-Za-z0-9_]*)\b.*?\b(?P<kw>RETURNING)\b"
                              r"(?P<returning>.*?);?\s*$", re.S | re.I)


class WriteCursor:
    """A DuckDB cursor inside a PostgreSQL write transaction (see the module doc).

    ``notice(sql)`` names the tables a statement may write; their union is ``written``.
    """

    def __init__(self, cursor, notice=lambda sql: set()):
        self._cursor = cursor
        self._notice = notice
        self.written: set[str] = set()

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def execute(self, sql: str, params=None):
        self.written |= self._notice(sql)
        try:
            match = INSERT_RETURNING.match(_mask_quotes(sql)) if "RETURNING" in sql.upper() else None
            if match:
                return self._insert_returning(sql, params, match)
            return self._cursor.execute(sql, params if params is not None else [])
        except duckdb.Error as exc:
            raise translate_error(exc) from exc

    def executemany(self, sql: str, params=None):
        self.written |= self._notice(sql)
        try:
            return self._cursor.executemany(sql, params if params is not None else [])
        except duckdb.Error as exc:
            raise translate_error(exc) from exc

    def _insert_returning(self, sql: str, params, match):
        """``INSERT ... RETURNING``: the rows whose primary key exceeds the one before the insert.

        Sound because writers are serialised by the write lock and keys only grow
        (sequences or ``max(id) + 1``).
        """
        table = match.group("table")
        key = self._primary_key(table)
        before = query_raw(self._cursor, f'SELECT max("{key}") FROM "{table}"')[0][0]
        self._cursor.execute(sql[:match.start("kw")], params if params is not None else [])
        returning = sql[match.start("returning"):match.end("returning")]
        if before is None:
            return self._cursor.execute(f'SELECT {returning} FROM "{table}" ORDER BY "{key}"')
        return self._cursor.execute(f'SELECT {returning} FROM "{table}" WHERE "{key}" > ? ORDER BY "{key}"',
                                    [before])

    def _primary_key(self, table: str) -> str:
        rows = self._cursor.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() WHERE database_name = ? "
            "AND table_name = ? AND constraint_type = 'PRIMARY KEY'", [CATALOG, table]).fetchall()
        if len(rows) != 1 or len(rows[0][0]) != 1 or not IDENTIFIER.match(rows[0][0][0]):
            raise duckdb.NotImplementedException(
                f"INSERT ... RETURNING into {table!r} on PostgreSQL needs a one-column primary key")
        return rows[0][0][0]
