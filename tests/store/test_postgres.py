"""The PostgreSQL backend of the data layer, on a real throwaway server (tests/store/pg_support.py)."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from analytics.settings.queries import get_setting
from analytics.settings.service import put_setting
from analytics.store import pg_schema, pg_snapshots
from analytics.store import postgres as pg_backend
from analytics.store.database import DEFAULT_DB_PATH, Database, database_target, migration_files
from analytics.store.errors import ConstraintViolation, DatabaseError
from tests.factories import add_company, add_ticket, paris
from tests.store.pg_support import cluster, empty_database_url, fresh_database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg():
    database = Database(fresh_database_url())
    yield database
    database.close()


@pytest.fixture
def no_store_settings(monkeypatch, tmp_path):
    for name in ("VIGIE_DB", "VIGIE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pg_backend, "SECRETS_FILE", tmp_path / "secrets.toml")
    return tmp_path / "secrets.toml"


def test_nothing_configured_means_the_embedded_file(no_store_settings):
    assert database_target() == DEFAULT_DB_PATH


def test_the_url_comes_from_the_environment_or_the_secrets_file(no_store_settings, monkeypatch):
    no_store_settings.write_text('VIGIE_DATABASE_URL = "postgresql://vigie@db.example:5432/vigie"\n')
    assert database_target() == "postgresql://vigie@db.example:5432/vigie"
    monkeypatch.setenv("VIGIE_DATABASE_URL", "postgres://other@127.0.0.1/vigie")
    assert database_target() == "postgres://other@127.0.0.1/vigie"
    monkeypatch.setenv("VIGIE_DB", "/tmp/local.duckdb")  # an explicit file wins over the shared store
    assert database_target() == Path("/tmp/local.duckdb")
    assert database_target("postgresql://x@h/d") == "postgresql://x@h/d"


def test_the_extension_is_signed_and_verified(pg):
    con = pg._con
    assert con.execute("SELECT current_setting('allow_unsigned_extensions')").fetchone()[0] is False
    assert con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'postgres_scanner'"
                       ).fetchone()[0] is True
    assert pg.postgres and pg.scalar("SELECT current_database()") == "memory"
    assert pg.scalar("SELECT count(*) FROM information_schema.tables WHERE table_catalog = 'vigie' "
                     "AND table_name = 'tickets'") == 1


def test_a_wrong_password_is_never_printed():
    url = cluster().url("nowhere").replace("postgres@", "postgres:s3cret-pw@").replace(
        f":{cluster().port}/", ":1/")
    with pytest.raises(DatabaseError, match=re.escape(
            "Cannot open database postgresql://postgres:***@127.0.0.1:1/nowhere: IO Error: Unable to connect to "
            'Postgres at "postgresql://postgres:***@127.0.0.1:1/nowhere"')) as caught:
        Database(url)
    assert "s3cret-pw" not in str(caught.value) and "postgres:***@127.0.0.1:1/nowhere" in str(caught.value)


def test_migrations_run_once_on_an_empty_database():
    url = empty_database_url()
    db = Database(url)
    versions = [v for v, _ in migration_files()]
    assert [r[0] for r in db.rows("SELECT version FROM schema_migrations ORDER BY 1")] == versions
    assert db.scalar("SELECT count(*) FROM sla_targets") == 8
    db.close()
    again = Database(url)
    assert again.migrate() == [] and again.schema_version() == max(versions)
    again.close()


def test_replicas_starting_together_migrate_once():
    url = empty_database_url()
    code = "import sys; from analytics.store.database import Database; Database(sys.argv[1]).close()"
    starts = [subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stderr=subprocess.PIPE, text=True)
              for _ in range(4)]
    errors = [p.communicate(timeout=180)[1] for p in starts]
    assert [p.returncode for p in starts] == [0, 0, 0, 0], errors
    db = Database(url)
    assert db.rows("SELECT version, count(*) FROM schema_migrations GROUP BY 1 HAVING count(*) > 1") == []
    assert db.scalar("SELECT count(*) FROM severities") == 4  # 002's rows once, not four times
    db.close()


@pytest.mark.parametrize("duckdb_sql, postgres_sql", [
    ("CREATE TABLE t (a DOUBLE, b JSON, c UHUGEINT)", "CREATE TABLE t (a DOUBLE PRECISION, b TEXT, c uhugeint)"),
    ("CREATE TABLE t (a DOUBLE PRECISION, b TINYINT, c UTINYINT)", "CREATE TABLE t (a DOUBLE PRECISION, b SMALLINT, c SMALLINT)"),
    ("CREATE TABLE t (k VARCHAR DEFAULT 'JSON DOUBLE', h HUGEINT)",
     "CREATE TABLE t (k VARCHAR DEFAULT 'JSON DOUBLE', h hugeint)"),
    ("CREATE TABLE t (\n  b BLOB -- a JSON blob\n)", "CREATE TABLE t (\n  b BYTEA -- a JSON blob\n)"),
    ("CREATE SEQUENCE s; CREATE TABLE t (id BIGINT DEFAULT nextval('s'), l VARCHAR[])",
     "CREATE SEQUENCE s; CREATE TABLE t (id BIGINT DEFAULT nextval('s'), l VARCHAR[])"),
])
def test_duckdb_ddl_is_translated_to_postgresql(duckdb_sql, postgres_sql):
    assert pg_schema.postgres_ddl(duckdb_sql) == postgres_sql


def test_a_postgresql_twin_replaces_an_untranslatable_migration(pg, tmp_path):
    plain = tmp_path / "901_probe.sql"
    plain.write_text("CREATE TABLE probe (id INTEGER, tags MAP(VARCHAR, VARCHAR));")
    with pytest.raises(pg_schema.MigrationError, match="901_probe.postgres.sql"), pg.transaction() as cur:
        pg_schema.apply_migration(cur, plain)
    assert pg.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'probe'") == 0
    (tmp_path / "901_probe.postgres.sql").write_text(
        "CREATE TABLE probe (id INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tags JSONB);")
    with pg.transaction() as cur:
        pg_schema.apply_migration(cur, plain)
        pg_schema.refresh_catalog(cur)
        cur.execute("INSERT INTO probe (tags) VALUES ('{}')")
    assert pg.rows("SELECT id FROM probe") == [(1,)]


def test_insert_returning_is_emulated(pg):
    with pg.transaction() as cur:
        first = cur.execute("INSERT INTO companies (name) VALUES (?) RETURNING id, name", ["Alpha"]).fetchall()
        quoted = cur.execute("INSERT INTO companies (name) VALUES ('Beta RETURNING x') RETURNING name").fetchone()
        many = cur.execute("INSERT INTO companies (id, name) SELECT 10 + i, 'C' || i FROM range(3) r(i) "
                           "RETURNING id").fetchall()
    assert first == [(1, "Alpha")] and quoted == ("Beta RETURNING x",) and many == [(10,), (11,), (12,)]
    with pg.transaction() as cur:
        audit_id = cur.execute("INSERT INTO audit_log (occurred_at, actor, action, entity) "
                               "VALUES (now(), 'a', 'b', 'c') RETURNING id").fetchone()[0]
    assert audit_id == pg.scalar("SELECT max(id) FROM audit_log")


def test_constraint_errors_are_the_stores_own_and_roll_back(pg):
    with pytest.raises(ConstraintViolation, match="unique"), pg.transaction() as cur:
        cur.execute("INSERT INTO companies (name) VALUES ('Same')")
        cur.execute("INSERT INTO companies (name) VALUES ('Same')")
    with pytest.raises(ConstraintViolation, match="check constraint"), pg.transaction() as cur:
        cur.execute("INSERT INTO sla_targets VALUES (1, 'lunch', 1, 'hours', 1)")
    assert pg.scalar("SELECT count(*) FROM companies") == 0


def test_settings_are_updated_in_place(pg):
    for value in (8, 9):
        with pg.transaction() as cur:
            put_setting(cur, name="lockout.threshold", value=value, actor="admin@example")
    assert get_setting(pg, "lockout.threshold") == 9
    assert pg.scalar("SELECT count(*) FROM settings") == 1


def test_every_committed_write_moves_the_data_version(pg):
    start = pg.data_version()
    with pg.transaction() as cur:
        cur.execute("INSERT INTO companies (name) VALUES ('One')")
    assert pg.data_version() == start + 1
    with pytest.raises(ConstraintViolation, match=re.escape(
            'duplicate key value violates unique constraint "companies_name_key"')), pg.transaction() as cur:
        cur.execute("INSERT INTO companies (name) VALUES ('One')")
    assert pg.data_version() == start + 1


def test_two_replicas_share_writes_and_serialise_max_plus_one():
    url = fresh_database_url()
    replicas = [Database(url), Database(url)]  # two DuckDB instances, as in two processes

    def add(cur, n):
        cur.execute("INSERT INTO companies (id, name) SELECT coalesce(max(id), 0) + 1, ? FROM companies",
                    [f"Company {n}"])

    threads = [threading.Thread(target=replicas[n % 2].write, args=(add, n)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in replicas:
        assert db.rows("SELECT count(*), count(DISTINCT id), max(id) FROM companies") == [(20, 20, 20)]
    version = replicas[1].data_version()
    replicas[0].write(add, 99)
    assert replicas[1].data_version() == version + 1
    assert replicas[1].scalar("SELECT name FROM companies WHERE id = 21") == "Company 99"
    for db in replicas:
        db.close()


def test_a_writer_kept_waiting_for_the_lock_is_refused_in_words(monkeypatch):
    url = fresh_database_url()
    holder, waiter = Database(url), Database(url)
    holding, release = threading.Event(), threading.Event()

    def hold(cur):
        cur.execute("INSERT INTO companies (name) VALUES ('Held')")
        holding.set()
        release.wait(60)

    thread = threading.Thread(target=holder.write, args=(hold,))
    thread.start()
    holding.wait(60)
    monkeypatch.setenv("VIGIE_PG_LOCK_TIMEOUT", "1")
    with pytest.raises(DatabaseError, match="The change could not be saved: Write conflict on PostgreSQL"):
        waiter.write(lambda cur: cur.execute("INSERT INTO companies (name) VALUES ('Waiting')"))
    release.set()
    thread.join()
    waiter.write(lambda cur: cur.execute("INSERT INTO companies (name) VALUES ('Waiting')"))
    assert [r[0] for r in waiter.rows("SELECT name FROM companies ORDER BY id")] == ["Held", "Waiting"]
    holder.close(), waiter.close()


@pytest.mark.parametrize("sql, written", [
    ("SELECT count(*) FROM tickets", set()),
    ("INSERT INTO tickets (id, reference) VALUES (1, 'x')", {"tickets"}),
    ("UPDATE companies SET name = 'tickets' WHERE id = 1", set()),
    ("WITH t AS (SELECT 1) SELECT * FROM tickets", set()),
    ("WITH x AS (SELECT 1) INSERT INTO tickets SELECT * FROM x", {"tickets"}),
    ('DELETE FROM "calendar_intervals"', {"calendar_intervals"}),
    ("INSERT INTO audit_log VALUES (1); DELETE FROM tickets WHERE id = 2", {"tickets"}),
    ("CALL system.main.postgres_execute('vigie', 'TRUNCATE whatever')",
     {"tickets", "calendar_intervals", "sla_ledger", "sla_daily", "sla_daily_elapsed"}),  # any of them: all
    ("INSERT INTO sla_ledger SELECT * FROM x; DELETE FROM sla_daily WHERE version = 1", {"sla_ledger", "sla_daily"}),
])
def test_writes_to_the_copied_tables_are_noticed(sql, written):
    assert pg_snapshots.written_snapshot_tables(sql) == written


def test_reads_come_from_fresh_local_copies_on_every_replica():
    url = fresh_database_url()
    reader, writer = Database(url), Database(url)
    assert reader.scalar("SELECT count(*) FROM tickets") == 0
    assert reader.scalar("SELECT table_catalog FROM information_schema.tables WHERE table_name = 'tickets' "
                         "AND table_catalog = 'memory'") == "memory"  # the replica's copy
    add_ticket(writer, "R-1", severity=3, opened=paris(2026, 3, 2, 10, 0))
    assert reader.scalar("SELECT count(*) FROM tickets") == 1  # the other replica's write, at once
    versions = dict(reader.rows("SELECT table_name, version FROM vigie_table_versions"))
    add_company(writer, "No ticket written")
    assert dict(reader.rows("SELECT table_name, version FROM vigie_table_versions")) == versions
    with writer.transaction() as cur:  # inside a write, the server itself: its own rows included
        add = "INSERT INTO tickets (id, reference, company_id, channel, severity, status, opened_at) " \
              "VALUES (2, 'R-2', 1, 'phone', 3, 'open', now())"
        cur.execute(add)
        assert cur.execute("SELECT count(*) FROM tickets").fetchone()[0] == 2
        assert reader.scalar("SELECT count(*) FROM tickets") == 1  # not committed yet
    assert reader.scalar("SELECT count(*) FROM tickets") == 2
    reader.close(), writer.close()


def test_128_bit_integers_come_back_exact(tmp_path):
    url = fresh_database_url()
    db = Database(url)
    migration = tmp_path / "902_wide.sql"
    migration.write_text("CREATE TABLE wide (id INTEGER, n UHUGEINT);")
    low = 0x20010DB8010000000000000000000000  # 2001:db8:100::/48, a trusted zone of the lockout policy
    high = low + 2 ** 80 - 1
    values = [2 ** 128 - 1, high, high + 1]  # the first address of the next /48 is outside
    with db.transaction() as cur:
        pg_schema.apply_migration(cur, migration)
        pg_schema.refresh_catalog(cur)
        cur.executemany("INSERT INTO wide VALUES (?, CAST(? AS UHUGEINT))", [[i, str(v)] for i, v in enumerate(values)])
    db.close()
    replica = Database(url)
    assert replica.rows("SELECT id, n, typeof(n) FROM wide ORDER BY id") == [
        (i, v, "UHUGEINT") for i, v in enumerate(values)]
    assert replica.rows("SELECT id FROM wide WHERE n BETWEEN CAST(? AS UHUGEINT) AND CAST(? AS UHUGEINT)",
                        [str(low), str(high)]) == [(1,)]
    replica.close()


def test_another_replica_s_ticket_write_reaches_this_replica_s_copy_of_the_sla_ledger():
    """The SLA ledger and its daily rollups are copied into each replica (``SNAPSHOT_TABLES``): a ticket opened, then
    resolved, through one replica is in the other's figures at once, the ledger's rows equal to the server's and its
    figures to the on-read engine's, read on the other replica."""
    from analytics.domains import open_store
    from tests.sla.test_sla_ledger import assert_ledger_equals_engine

    assert {"sla_ledger", "sla_daily", "sla_daily_elapsed"} <= set(pg_snapshots.SNAPSHOT_TABLES)
    url = fresh_database_url()
    reader, writer = open_store(url), open_store(url)
    ledger = "SELECT ticket_id, measure, state, decided_s FROM sla_ledger ORDER BY 1, 2"

    def on_server(db):
        with db.transaction() as cur:  # inside a write transaction: the server itself, not the copy
            return cur.execute(ledger).fetchall()

    try:
        assert reader.rows(ledger) == []
        assert reader.scalar("SELECT table_catalog FROM information_schema.tables WHERE table_name = 'sla_ledger' "
                             "AND table_catalog = 'memory'") == "memory"  # read from the replica's copy
        add_ticket(writer, "L-1", severity=3, opened=paris(2026, 3, 2, 10, 0), response=paris(2026, 3, 2, 10, 30))
        first = reader.rows(ledger)
        assert [(measure, state) for _, measure, state, _ in first] == [("resolution", None), ("response", "met")]
        assert first == on_server(writer)
        with writer.transaction() as cur:
            cur.execute("UPDATE tickets SET status = 'resolved', resolved_at = ? WHERE reference = 'L-1'",
                        [paris(2026, 3, 2, 18, 0)])
        second = reader.rows(ledger)
        assert [(measure, state) for _, measure, state, _ in second] == [("resolution", "met"), ("response", "met")]
        assert second == on_server(writer)
        assert_ledger_equals_engine(reader)
    finally:
        reader.close(), writer.close()
