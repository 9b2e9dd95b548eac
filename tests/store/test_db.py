"""The data layer: migrations, transactions, concurrent writers, settings and their documentation."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from analytics.domains import open_store
from analytics.settings.queries import get_setting
from analytics.settings.rules import SETTINGS, SettingError, check_value
from analytics.settings.service import put_setting
from analytics.store.database import Database, migration_files
from analytics.store.errors import ConstraintViolation, DatabaseError

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_apply_once_in_order(tmp_path):
    db = Database(tmp_path / "m.duckdb")
    versions = [v for v, _ in migration_files()]
    assert db.schema_version() == max(versions)
    assert [r[0] for r in db.rows("SELECT version FROM schema_migrations ORDER BY 1")] == versions
    db.close()
    again = Database(tmp_path / "m.duckdb")
    assert again.migrate() == []
    assert again.scalar("SELECT count(*) FROM sla_targets") == 8


def test_a_failed_transaction_leaves_nothing(db):
    # DuckDB's words, or PostgreSQL's under VIGIE_TEST_BACKEND=postgres
    with pytest.raises(ConstraintViolation, match=r'PRIMARY KEY or UNIQUE constraint violation: duplicate key "1"'
                                                  r'|duplicate key value violates unique constraint "companies_pkey"'), \
            db.transaction() as cur:
        cur.execute("INSERT INTO companies (id, name) VALUES (1, 'Kept?')")
        cur.execute("INSERT INTO companies (id, name) VALUES (1, 'Duplicate id')")
    assert db.scalar("SELECT count(*) FROM companies") == 0


def test_concurrent_writers_lose_nothing(db):
    def add(cur, n):
        cur.execute("INSERT INTO companies (name) VALUES (?)", [f"Company {n}"])

    threads = [threading.Thread(target=db.write, args=(add, n)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.scalar("SELECT count(DISTINCT name) FROM companies") == 20


def test_table_count_refuses_unknown_tables(db):
    assert db.table_count("tickets") == 0
    with pytest.raises(DatabaseError, match="Unknown table"):
        db.table_count("tickets; DROP TABLE tickets")


def test_settings_fall_back_to_defaults_and_store_overrides(db):
    assert get_setting(db, "lockout.threshold") == 6
    with db.transaction() as cur:
        before, after = put_setting(cur, name="lockout.threshold", value=8, actor="admin@example")
    assert (before, after) == (6, 8)
    assert get_setting(db, "lockout.threshold") == 8


@pytest.mark.parametrize("name,value,message", [
    ("lockout.threshold", "six", "must be a whole number from 1 to 100; 'six' is not"),
    ("lockout.threshold", -1, "must be a whole number from 1 to 100; -1 is not"),
    ("auth.allow_public_local_mode", 1, "must be true or false"),
    ("escalation.chain", "one level", "must be a list"),
    ("no.such.setting", 1, "Unknown setting"),
])
def test_bad_setting_values_are_refused_in_words(name, value, message):
    with pytest.raises(SettingError, match=message):
        check_value(name, value)


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert missing == []


def test_sla_cli_json_matches_the_contract(tmp_path):
    db_path = tmp_path / "cli.duckdb"
    build = subprocess.run([sys.executable, "-m", "analytics", "demo", "--db", str(db_path), "--tickets", "2000",
                            "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "2000 tickets" in build.stdout or "tickets" in build.stdout
    run = subprocess.run([sys.executable, "-m", "analytics", "sla", "--db", str(db_path), "--from", "2025-01-01",
                          "--to", "2030-01-01", "--format", "json"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert [(r["severity"], r["measure"]) for r in rows] == [
        (s, m) for s in (1, 2, 3, 4) for m in ("response", "resolution")]
    assert set(rows[0]) == {"severity", "measure", "met", "breached", "pending", "compliance_pct"}
    decided = sum(r["met"] + r["breached"] + r["pending"] for r in rows)
    assert decided == 2 * Database(db_path, read_only=True).scalar("SELECT count(*) FROM tickets")
    refused = subprocess.run([sys.executable, "-m", "analytics", "demo", "--db", str(db_path), "--quiet"],
                             cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2 and "already holds tickets" in refused.stderr


def test_a_migration_numbered_below_the_latest_is_still_applied(tmp_path, monkeypatch):
    import shutil

    import analytics.store.database as db_module

    folder = tmp_path / "migrations"
    folder.mkdir()
    for _, path in migration_files()[:2]:
        shutil.copy(path, folder / path.name)
    (folder / "010_later.sql").write_text("CREATE TABLE later (x INTEGER);")
    monkeypatch.setattr(db_module, "MIGRATIONS_DIR", folder)
    first = Database(tmp_path / "late.duckdb")
    assert first.applied_versions() == {1, 2, 10}
    first.close()
    (folder / "005_earlier.sql").write_text("CREATE TABLE earlier (x INTEGER);")
    again = Database(tmp_path / "late.duckdb")
    assert again.applied_versions() == {1, 2, 5, 10}
    assert again.table_count("earlier") == 0
    again.close()


def test_a_new_store_opened_for_the_app_has_its_calendar_intervals(tmp_path):
    assert Database(tmp_path / "bare.duckdb").scalar("SELECT count(*) FROM calendar_intervals") == 0  # no domain
    db = open_store(tmp_path / "fresh.duckdb")
    per_calendar = dict(db.rows("SELECT calendar_id, count(*) FROM calendar_intervals GROUP BY 1"))
    assert per_calendar[1] == 1 and per_calendar[2] > 7000  # 24/7 is one span; business days 2010-2040
    db.close()
