"""Schema and migrations on PostgreSQL: once per database, under a lock, whoever starts first.

The migrations in ``analytics/store/migrations/NNN_name.sql`` are written in DuckDB's dialect.
On PostgreSQL each one runs in one transaction, under the write lock of
:mod:`analytics.store.postgres`:

- its DDL statements (CREATE, ALTER, DROP: tables, sequences, defaults, constraints,
  indexes, views) are translated (:func:`postgres_ddl`: DuckDB type names to PostgreSQL's)
  and run as is on the server, so sequences, ``DEFAULT nextval(...)``, CHECK and UNIQUE
  constraints are PostgreSQL's own;
- its other statements (data: INSERT, UPDATE, DELETE) run through DuckDB on the attached
  catalog, so DuckDB functions such as ``range()`` keep working;
- a migration that cannot be translated ships a PostgreSQL twin, ``NNN_name.postgres.sql``,
  which is run instead, as is.

Before that, :func:`bootstrap` creates the lock and data-version tables under a PostgreSQL
advisory lock, outside any DuckDB transaction (READ COMMITTED), so replicas that start
together create them once. Each migration then re-reads the applied version after taking
the write lock: the second replica finds the work done and skips it.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb

from analytics.store import postgres as pg_backend
from analytics.store.errors import QueryFailed
from analytics.store.pg_snapshots import VERSIONS_DDL
from analytics.store.postgres import DATA_VERSION_TABLE, WRITE_LOCK_TABLE, execute_raw, query_raw

if TYPE_CHECKING:  # the type only: database.py imports this module
    from analytics.store.database import Database

BOOTSTRAP_LOCK_KEY = 0x76696769  # "vigi": the advisory lock of schema bootstrap
BOOTSTRAP_SQL = f"""
SELECT pg_advisory_xact_lock({BOOTSTRAP_LOCK_KEY});
CREATE TABLE IF NOT EXISTS {WRITE_LOCK_TABLE} (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS {DATA_VERSION_TABLE} (
    id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL, changed_at TIMESTAMPTZ NOT NULL);
INSERT INTO {DATA_VERSION_TABLE} VALUES (1, 0, now()) ON CONFLICT (id) DO NOTHING;
{VERSIONS_DDL}
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'uhugeint') THEN
        CREATE DOMAIN uhugeint AS TEXT CHECK (VALUE ~ '^[0-9]+$');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'hugeint') THEN
        CREATE DOMAIN hugeint AS TEXT CHECK (VALUE ~ '^-?[0-9]+$');
    END IF;
END $$;
"""
# DuckDB type names without a PostgreSQL namesake, as PostgreSQL spells the nearest type.
# JSON is stored as text: the extension cannot UPDATE a json column, and DuckDB's JSON
# functions read text alike. 128-bit integers have no PostgreSQL counterpart the extension
# carries exactly (it goes through DOUBLE for NUMERIC wider than 38 digits): they are kept
# as decimal text in the domains uhugeint / hugeint, and read back as UHUGEINT / HUGEINT
# (analytics/store/pg_snapshots.py).
TYPE_NAMES = [
    (r"\bDOUBLE\b(?!\s+PRECISION)", "DOUBLE PRECISION"),
    (r"\bJSON\b", "TEXT"),
    (r"\bUHUGEINT\b", "uhugeint"),
    (r"\bHUGEINT\b", "hugeint"),
    (r"\bUBIGINT\b", "NUMERIC(20,0)"),
    (r"\bUINTEGER\b", "BIGINT"),
    (r"\bUSMALLINT\b", "INTEGER"),
    (r"\bU?TINYINT\b", "SMALLINT"),
    (r"\bFLOAT\b", "REAL"),
    (r"\bBLOB\b", "BYTEA"),
    (r"\bDATETIME\b", "TIMESTAMP"),
    (r"\bSTRING\b", "TEXT"),
]
DDL_TYPES = {duckdb.StatementType.CREATE, duckdb.StatementType.ALTER, duckdb.StatementType.DROP}


class MigrationError(RuntimeError):
    """A migration could not be applied on PostgreSQL."""


def postgres_ddl(statement: str) -> str:
    """A DuckDB DDL statement in PostgreSQL's dialect (type names outside string literals)."""
    pieces = re.split(r"('(?:[^']|'')*'|--[^\n]*)", statement)
    for index in range(0, len(pieces), 2):  # even pieces are outside literals and comments
        for pattern, replacement in TYPE_NAMES:
            pieces[index] = re.sub(pattern, replacement, pieces[index], flags=re.I)
    return "".join(pieces)


def bootstrap(con) -> None:
    """Create the lock and data-version tables once, under an advisory lock."""
    cur = con.cursor()
    try:
        cur.execute(f"CALL system.main.postgres_execute('{pg_backend.CATALOG}', ?, use_transaction := false)",
                    [BOOTSTRAP_SQL])
    finally:
        cur.close()


def refresh_catalog(cur) -> None:
    """Make DuckDB re-read the server's tables after DDL.

    The ``SELECT 1`` first collects what a preceding COPY (an INSERT through DuckDB) left
    on the connection; the catalog reload would otherwise fail with "another command is
    already in progress".
    """
    execute_raw(cur, "SELECT 1")
    cur.execute("SELECT * FROM pg_clear_cache()")


def applied_version(cur) -> int:
    """The highest migration applied on the server (0 on an empty database)."""
    exists = query_raw(cur, "SELECT to_regclass('public.schema_migrations') IS NOT NULL")[0][0]
    if not exists:
        return 0
    return int(query_raw(cur, "SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0])


def apply_migration(cur, path) -> None:
    """Run one migration file in the cursor's transaction (see the module doc)."""
    twin = path.with_name(f"{path.stem}.postgres.sql")
    if twin.exists():
        execute_raw(cur, twin.read_text())
        return
    for number, statement in enumerate(duckdb.extract_statements(path.read_text()), start=1):
        try:
            if statement.type in DDL_TYPES:
                execute_raw(cur, postgres_ddl(statement.query))
                refresh_catalog(cur)
            else:
                cur.execute(statement.query)
        except (duckdb.Error, QueryFailed) as exc:  # the cursor of a transaction translates DuckDB's errors
            raise MigrationError(f"Migration {path.name}, statement {number}, failed on PostgreSQL: {exc}. "
                                 f"If it cannot be translated, add {twin.name} with its PostgreSQL form.") from exc


def migrate(db: Database, files) -> list[int]:
    """Apply the pending migrations, each in one transaction under the write lock."""
    bootstrap(db._con)
    cur = db.cursor()
    try:  # versions only grow: what is applied in any snapshot stays applied
        current = applied_version(cur)
    finally:
        cur.close()
    applied = []
    for version, path in [(v, p) for v, p in files if v > current]:
        with db.transaction() as cur:
            if version <= applied_version(cur):
                continue
            apply_migration(cur, path)
            refresh_catalog(cur)
            cur.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, now())",
                        [version, path.stem])
        applied.append(version)
    return applied
