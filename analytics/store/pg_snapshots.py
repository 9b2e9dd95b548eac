"""Replica-local copies of the big, read-mostly tables: reads on PostgreSQL at embedded speed.

Every SLA figure reads the SLA ledger and its daily rollups, and the open measures every ticket and the
calendar intervals. Through the extension that is a full scan over the network protocol for each
figure, several per page (1M tickets: the SLA page 6.4 s with the ledger read live, 0.39 s from
copies). So each replica keeps a
copy of :data:`SNAPSHOT_TABLES` in its own in-memory DuckDB and answers reads from it; every
other table is read live from the attached server: read cursors search the local catalog first,
then the server's (``search_path``), so the SQL of the pages does not change.

Freshness, on every replica: each write transaction notes which of these tables it wrote
(:func:`written_snapshot_tables`) and increments their row of ``vigie_table_versions`` in the
same transaction. Before every read, the replica reads those versions (one small query) and
copies again a table whose version moved, so a read sees every write committed before it began,
whichever replica made it. Reads inside a write transaction go to the server itself: they must
see the transaction's own writes. ``VIGIE_PG_SNAPSHOT_TABLES`` (comma-separated; empty for none)
changes the list.

128-bit integers (``UHUGEINT``, ``HUGEINT``) are kept on the server as decimal text (the domains
``uhugeint`` and ``hugeint``, see :mod:`analytics.store.pg_schema`): read cursors see them as numbers
again, through the copies or through a local view of their table; inside a write transaction
they read as text.
"""
from __future__ import annotations

import os
import threading

from analytics.store.postgres import CATALOG, IDENTIFIER, query_raw
from analytics.store.statements import written_tables

SNAPSHOT_TABLES = tuple(name for name in os.environ.get(
    "VIGIE_PG_SNAPSHOT_TABLES", "tickets,calendar_intervals,sla_ledger,sla_daily,sla_daily_elapsed").split(",")
                        if IDENTIFIER.match(name))
LOCAL = "memory"  # the default catalog of the in-memory DuckDB
VERSIONS_TABLE = "vigie_table_versions"
VERSIONS_DDL = (f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} (table_name TEXT PRIMARY KEY, "
                "version BIGINT NOT NULL);")
WIDE_INTEGERS_SQL = """
SELECT c.relname, a.attname, upper(t.typname)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
JOIN pg_type t ON t.oid = a.atttypid
WHERE t.typname IN ('uhugeint', 'hugeint') AND a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'v', 'p', 'm')
ORDER BY c.relname, a.attnum
"""


def written_snapshot_tables(sql: str) -> set[str]:
    """The snapshot tables a statement may write (more rather than fewer)."""
    return written_tables(sql, SNAPSHOT_TABLES)


def bump_versions_sql(tables) -> str:
    """Server SQL incrementing the version of each table written (names from SNAPSHOT_TABLES)."""
    return "".join(f"INSERT INTO {VERSIONS_TABLE} VALUES ('{t}', 1) ON CONFLICT (table_name) "
                   f"DO UPDATE SET version = {VERSIONS_TABLE}.version + 1; " for t in sorted(tables)
                   if t in SNAPSHOT_TABLES)


class Snapshots:
    """The local read catalog of one replica: fresh copies of the snapshot tables."""

    def __init__(self, con):
        self._con = con
        self._lock = threading.Lock()
        self._copied: dict[str, int] = {}
        self._wide: dict[str, list[tuple[str, str]]] = {}
        cur = con.cursor()
        try:  # a store not yet migrated by this version (opened read-only) is read live
            known = cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? "
                                "AND table_schema = 'public' AND table_name = ?", [CATALOG, VERSIONS_TABLE]
                                ).fetchone()[0]
            self.tables = SNAPSHOT_TABLES if known else ()
            for table, column, kind in query_raw(cur, WIDE_INTEGERS_SQL):
                if IDENTIFIER.match(table) and IDENTIFIER.match(column):
                    self._wide.setdefault(table, []).append((column, kind))
            for table in self._wide.keys() - set(self.tables):  # read live, with their own type
                cur.execute(f'CREATE OR REPLACE VIEW {LOCAL}.main."{table}" AS {self._select(table)}')
        finally:
            cur.close()

    def _select(self, table: str) -> str:
        """The server's table with 128-bit integers (kept as text there) read back as such."""
        casts = ", ".join(f'CAST("{c}" AS {kind}) AS "{c}"' for c, kind in self._wide.get(table, []))
        source = f'{CATALOG}.public."{table}"'
        return f"SELECT * REPLACE ({casts}) FROM {source}" if casts else f"SELECT * FROM {source}"

    def use_fresh(self, cur) -> None:
        """Make ``cur`` read the local catalog, after copying again what changed on the server."""
        if self.tables:
            versions = dict(query_raw(cur, f"SELECT table_name, version FROM {VERSIONS_TABLE}"))
            if any(self._copied.get(t) != versions.get(t, 0) for t in self.tables):
                with self._lock:
                    for table in self.tables:
                        if self._copied.get(table) != versions.get(table, 0):
                            cur.execute(f'CREATE OR REPLACE TABLE {LOCAL}.main."{table}" AS '
                                        f'{self._select(table)}')
                            self._copied[table] = versions.get(table, 0)
        cur.execute(f"USE {LOCAL}")
        cur.execute(f"SET search_path = '{LOCAL}.main,{CATALOG}.public'")  # the copies, else the server
