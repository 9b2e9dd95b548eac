"""Moving an embedded installation onto PostgreSQL: ``python -m analytics copy``.

:func:`copy_database` brings the DuckDB file and the server to the same schema version
(each opened through :class:`analytics.store.database.Database`, which applies pending migrations),
refuses a server that already holds data, then copies every table of the file in one
transaction on the server: the rows the migrations seeded on the server are replaced by
the file's (an administrator may have changed them), each table's row count is checked,
and every sequence is moved past the highest id copied, so new rows never collide.
Nothing is written unless the whole copy succeeds. The server then analyses the tables.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analytics.store import postgres as pg_backend
from analytics.store.database import Database
from analytics.store.errors import DatabaseError

SOURCE_CATALOG = "vigie_source"
DATA_TABLES = ("companies", "tickets", "incidents", "audit_log")  # a server holding any of these is in use
SEQUENCE_DEFAULTS_SQL = """
SELECT c.relname, a.attname, substring(pg_get_expr(d.adbin, d.adrelid) from 'nextval\\(''([^'']+)''')
FROM pg_attrdef d
JOIN pg_class c ON c.oid = d.adrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
WHERE pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'
"""


@dataclass
class CopyReport:
    """Rows copied per table."""

    source: str
    target: str
    rows: dict[str, int]

    def summary(self) -> str:
        return (f"copied {self.source} -> {self.target}: {len(self.rows)} tables, "
                f"{sum(self.rows.values()):,} rows")


def copy_database(source: str | Path, target_url: str, *, progress=print) -> CopyReport:
    """Copy every table of a DuckDB file into an empty PostgreSQL database (one transaction)."""
    source = Path(source)
    if pg_backend.is_postgres_url(str(source)) or not source.exists():
        raise DatabaseError(f"--from must be an existing DuckDB file: {source}")
    if not pg_backend.is_postgres_url(target_url):
        raise DatabaseError("--to must be a postgresql:// URL")
    embedded = Database(source)  # applies the file's pending migrations, as the dashboard would
    version = embedded.schema_version()
    embedded.close()
    server = Database(target_url)
    try:
        if server.schema_version() != version:
            raise DatabaseError(f"The file is at schema version {version} and the server at "
                                f"{server.schema_version()}: run both with the same Vigie version")
        busy = [t for t in DATA_TABLES if server.scalar(f'SELECT count(*) FROM "{t}"')]  # fixed names
        if busy:
            raise DatabaseError(f"{server.path} already holds data ({', '.join(busy)}): "
                                "copy only into a new, empty database")
        server._con.execute(f"ATTACH {pg_backend._literal(str(source))} AS {SOURCE_CATALOG} (READ_ONLY)")
        try:
            rows = server.write(_copy_tables, progress=progress)
        finally:
            server._con.execute(f"DETACH {SOURCE_CATALOG}")
        # Fresh statistics: until PostgreSQL has them, the extension sees the copied tables as
        # empty and DuckDB plans its joins for empty tables (minutes instead of a second).
        server._con.execute(f"CALL system.main.postgres_execute('{pg_backend.CATALOG}', 'ANALYZE', "
                            "use_transaction := false)")
    finally:
        server.close()
    return CopyReport(str(source), pg_backend.redact(target_url), rows)


def _source_tables(cur) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for table, column in cur.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
            "WHERE c.table_catalog = ? AND c.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
            "ORDER BY c.table_name, c.ordinal_position", [SOURCE_CATALOG]).fetchall():
        tables.setdefault(table, []).append(column)
    tables.pop("schema_migrations", None)  # the server has its own record of the same versions
    return tables


def _copy_tables(cur, *, progress) -> dict[str, int]:
    copied = {}
    for table, columns in _source_tables(cur).items():
        if not pg_backend.IDENTIFIER.match(table) or not all(pg_backend.IDENTIFIER.match(c) for c in columns):
            raise DatabaseError(f"Unexpected table or column name in the file: {table}")
        names = ", ".join(f'"{c}"' for c in columns)
        cur.execute(f'DELETE FROM "{table}"')
        cur.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM {SOURCE_CATALOG}.main."{table}"')
        expected = cur.execute(f'SELECT count(*) FROM {SOURCE_CATALOG}.main."{table}"').fetchone()[0]
        landed = pg_backend.query_raw(cur, f'SELECT count(*) FROM "{table}"')[0][0]
        if landed != expected:
            raise DatabaseError(f"{table}: {expected} rows in the file but {landed} on the server")
        copied[table] = int(expected)
        if progress:
            progress(f"  {table}: {expected:,} rows")
    pg_backend.execute_raw(cur, "SELECT 1")  # collect the last COPY before raw queries
    for table, column, sequence in pg_backend.query_raw(cur, SEQUENCE_DEFAULTS_SQL):
        pg_backend.query_raw(cur, f"SELECT setval('\"{sequence}\"', coalesce((SELECT max(\"{column}\") "
                                  f"FROM \"{table}\"), 0) + 1, false)::text")
    return copied
