"""Commands about the store itself: ``migrate`` and ``copy`` (``python -m analytics ...``).

``migrate`` applies the pending schema migrations to a DuckDB file or a PostgreSQL database
(the same thing every replica does when it starts, under the same lock) and says which.
``copy --from FILE.duckdb --to postgresql://...`` moves an embedded installation onto the
server (see :mod:`analytics.store.pg_copy`).
"""
from __future__ import annotations

from analytics.kernel.registry import OpenStore
from analytics.store.database import Database, database_target, migration_files


def add_commands(sub) -> None:
    """Add ``migrate`` and ``copy`` to the command line's subparsers."""
    migrate = sub.add_parser("migrate", help="apply the pending schema migrations")
    migrate.add_argument("--db", help="a DuckDB file or a postgresql:// URL (default $VIGIE_DB, "
                                      "$VIGIE_DATABASE_URL, data/vigie.duckdb)")
    migrate.set_defaults(func=cmd_migrate)
    copy = sub.add_parser("copy", help="copy an embedded DuckDB database onto PostgreSQL")
    copy.add_argument("--from", dest="source", required=True, help="the DuckDB file")
    copy.add_argument("--to", dest="target", required=True, help="postgresql://user@host:port/database (empty)")
    copy.set_defaults(func=cmd_copy)


def _version_before(target) -> int:
    if not isinstance(target, str) and not target.exists():
        return 0
    db = Database(target, read_only=True)
    try:
        return db.schema_version()
    finally:
        db.close()


def cmd_migrate(args, open_store: OpenStore) -> int:
    target = database_target(args.db)
    before = _version_before(target)
    db = open_store(target)  # the store brought up to date, with what the domains derive
    after = db.schema_version()
    applied = [f"{path.stem}" for version, path in migration_files() if before < version <= after]
    print(f"{db.path}: schema version {after}; " + (f"applied {', '.join(applied)}" if applied
                                                     else "nothing to apply"))
    db.close()
    return 0


def cmd_copy(args, open_store: OpenStore) -> int:
    from analytics.store.pg_copy import copy_database

    report = copy_database(args.source, args.target)
    print(report.summary())
    return 0
