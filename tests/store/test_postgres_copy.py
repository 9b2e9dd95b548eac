"""``python -m analytics migrate`` and ``copy``: from an embedded trial onto a PostgreSQL server."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from analytics.kernel.periods import Period
from analytics.sla.stats import compliance_cli_rows
from analytics.store import postgres as pg_backend
from analytics.store.database import Database, migration_files
from analytics.store.pg_copy import SEQUENCE_DEFAULTS_SQL
from tests.store.pg_support import empty_database_url

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True)


def test_migrate_applies_once_and_says_what():
    url = empty_database_url()
    first = cli("migrate", "--db", url)
    assert first.returncode == 0, first.stderr
    names = ", ".join(path.stem for _, path in migration_files())
    assert first.stdout.strip().endswith(f"applied {names}")
    second = cli("migrate", "--db", url)
    assert second.returncode == 0 and second.stdout.strip().endswith("nothing to apply")


def test_copy_moves_every_row_and_the_figures_stay_the_same(demo_db_path, tmp_path):
    source = tmp_path / "trial.duckdb"
    shutil.copyfile(demo_db_path, source)
    url = empty_database_url()
    done = cli("copy", "--from", str(source), "--to", url)
    assert done.returncode == 0, done.stderr
    assert "copied" in done.stdout and re.search(r"tickets: [\d,]+ rows", done.stdout)

    embedded, server = Database(source, read_only=True), Database(url)
    tables = [r[0] for r in embedded.rows("SELECT table_name FROM information_schema.tables "
                                          "WHERE table_type = 'BASE TABLE' ORDER BY 1")]
    for table in tables:
        assert server.table_count(table) == embedded.table_count(table), table
    period = Period(datetime(2026, 1, 1).date(), datetime(2026, 12, 1).date())
    as_of = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert compliance_cli_rows(server, period, as_of=as_of).equals(compliance_cli_rows(embedded, period, as_of=as_of))

    cur = server.cursor()  # every sequence continues after the highest id copied
    for table, column, sequence in pg_backend.query_raw(cur, SEQUENCE_DEFAULTS_SQL):
        highest = server.scalar(f'SELECT coalesce(max("{column}"), 0) FROM "{table}"')
        following = pg_backend.query_raw(cur, f"SELECT nextval('\"{sequence}\"')")[0][0]
        assert following == highest + 1, (table, column)
    cur.close()
    tickets = embedded.table_count("tickets")
    embedded.close()

    again = cli("copy", "--from", str(source), "--to", url)
    assert again.returncode == 2 and "already holds data" in again.stderr
    assert server.table_count("tickets") == tickets
    server.close()


def test_copy_refuses_what_is_not_a_duckdb_file_or_not_a_server(tmp_path):
    missing = cli("copy", "--from", str(tmp_path / "none.duckdb"), "--to", empty_database_url())
    assert missing.returncode == 2 and "--from must be an existing DuckDB file" in missing.stderr
    (tmp_path / "a.duckdb").touch()
    wrong = cli("copy", "--from", str(tmp_path / "a.duckdb"), "--to", str(tmp_path / "b.duckdb"))
    assert wrong.returncode == 2 and "--to must be a postgresql:// URL" in wrong.stderr
