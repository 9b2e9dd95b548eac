"""Building a new version of the SLA ledger: in chunks, killed and resumed, in the background, from the CLI.

While a version builds, the one before it answers every figure (never a mix of the two); a
build killed mid-way leaves the previous version in force and resumes on the next start.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from analytics.domains import open_store
from analytics.settings.service import change_sla_target
from analytics.sla import rebuild, versions
from analytics.sla.measures import ON_READ, figures_status, reading_version
from analytics.sla.stats import severity_table
from tests.factories import add_ticket, paris
from tests.sla.test_sla_ledger import ADMIN, AS_OF, PERIOD, assert_ledger_equals_engine, some_tickets

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def big(db, monkeypatch):
    """A store the ledger treats as big: a change of the rules is built later, in chunks of 5 tickets."""
    some_tickets(db)
    monkeypatch.setattr(rebuild, "SYNC_MAX_TICKETS", 0)
    monkeypatch.setattr(rebuild, "CHUNK_TICKETS", 5)
    return db


def change_a_target(db) -> None:
    change_sla_target(db, actor=ADMIN, severity=2, measure="resolution", target_value=1, target_unit="hours",
                      calendar_id=1)


def test_while_a_version_builds_the_previous_one_answers_and_the_pages_say_how_far(big):
    before = severity_table(big, PERIOD, as_of=AS_OF)
    old = versions.in_force(big).version
    change_a_target(big)
    pending = versions.building(big)
    assert pending is not None and pending.progress == 0.0
    assert figures_status(big) == (old, 0.0)
    pd.testing.assert_frame_equal(severity_table(big, PERIOD, as_of=AS_OF), before)  # the old rules, consistently
    big.write(rebuild._step, pending.version)  # one chunk
    assert figures_status(big) == (old, pytest.approx(5 / 25))
    rebuild.finish(big)
    assert figures_status(big) == (pending.version, None)
    assert_ledger_equals_engine(big)
    assert not severity_table(big, PERIOD, as_of=AS_OF).equals(before)


def test_tickets_written_during_a_build_are_in_both_versions(big):
    change_a_target(big)
    pending = versions.building(big)
    big.write(rebuild._step, pending.version)
    add_ticket(big, "DURING", severity=2, opened=paris(2026, 6, 10, 9, 0), resolved=paris(2026, 6, 10, 9, 40))
    counts = dict(big.rows("SELECT version, count(*) FROM sla_ledger l JOIN tickets t ON t.id = l.ticket_id "
                           "WHERE t.reference = 'DURING' GROUP BY ALL"))
    assert counts.get(pending.version - 1) == 2  # kept current in the version in force
    rebuild.finish(big)
    assert_ledger_equals_engine(big)


def test_a_build_killed_midway_leaves_the_previous_version_and_resumes_on_the_next_start(tmp_path):
    path = tmp_path / "killed.duckdb"
    db = open_store(path)
    some_tickets(db)
    old = versions.in_force(db).version
    db.close()
    script = textwrap.dedent(f"""
        import os
        from analytics.domains import open_store
        from analytics.settings.service import change_sla_target
        from analytics.kernel.roles import system_actor
        from analytics.sla import rebuild
        rebuild.SYNC_MAX_TICKETS, rebuild.CHUNK_TICKETS = 0, 5
        db = open_store({str(path)!r})
        change_sla_target(db, actor=system_actor(), severity=2, measure="resolution", target_value=1,
                          target_unit="hours", calendar_id=1)
        def die(version):
            if version.tickets_done >= 10:
                os._exit(9)  # killed with the build half done
        rebuild.finish(db, progress=die)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 9, run.stderr
    db = open_store(path)  # a small store: the next start finishes the build at once
    assert versions.building(db) is None
    assert versions.in_force(db).version == old + 1
    assert_ledger_equals_engine(db)
    db.close()


def test_a_killed_build_of_a_big_store_resumes_where_it_stopped(big):
    change_a_target(big)
    pending = versions.building(big)
    big.write(rebuild._step, pending.version)
    big.write(rebuild._step, pending.version)
    resumed = versions.building(big)
    assert (resumed.tickets_done, resumed.next_ticket_id > 0) == (10, True)
    rebuild.finish(big)
    assert_ledger_equals_engine(big)


def test_the_dashboards_worker_builds_in_the_background(big):
    change_a_target(big)
    assert versions.building(big) is not None
    rebuild.start_worker(big)
    deadline = time.monotonic() + 30
    while versions.building(big) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert versions.building(big) is None
    assert_ledger_equals_engine(big)
    change_a_target(big)  # same value: no new version
    change_sla_target(big, actor=ADMIN, severity=3, measure="resolution", target_value=5, target_unit="hours",
                      calendar_id=1)
    deadline = time.monotonic() + 30
    while versions.building(big) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert versions.building(big) is None  # later changes are built by the worker too
    assert_ledger_equals_engine(big)


def test_a_rule_change_during_an_import_lands_after_it_with_both_in_the_figures(db, tmp_path):
    from analytics.imports.columns import CANONICAL_COLUMNS
    from analytics.imports.service import import_tickets

    some_tickets(db)
    rows = [",".join(CANONICAL_COLUMNS)]
    for i in range(40):
        row = {c: "" for c in CANONICAL_COLUMNS} | {
            "reference": f"IMP-{i}", "company": "Gamma", "channel": "portal", "severity": str(1 + i % 4),
            "status": "resolved", "opened_at": f"2026-06-{1 + i % 20:02}T09:00:00+02:00",
            "resolved_at": f"2026-06-{1 + i % 20:02}T{10 + i % 8}:30:00+02:00"}
        rows.append(",".join(row[c] for c in CANONICAL_COLUMNS))
    csv = tmp_path / "imp.csv"
    csv.write_text("\n".join(rows) + "\n")
    importing = threading.Event()

    def slow(step, fraction):
        importing.set()
        time.sleep(0.02)

    worker = threading.Thread(target=lambda: import_tickets(db, csv, actor=ADMIN, progress=slow))
    worker.start()
    importing.wait(10)
    change_a_target(db)  # waits for the import's transaction, then changes the rules
    worker.join()
    assert db.scalar("SELECT count(*) FROM tickets WHERE reference LIKE 'IMP-%'") == 40
    assert_ledger_equals_engine(db)


def test_the_command_line_builds_the_new_version_before_it_answers(tmp_path):
    path = tmp_path / "cli.duckdb"
    db = open_store(path)
    some_tickets(db)
    db.close()
    env = {**os.environ, "VIGIE_LEDGER_SYNC_TICKETS": "0", "VIGIE_LEDGER_CHUNK_TICKETS": "5"}
    run = subprocess.run([sys.executable, "-m", "analytics", "settings", "set", "sla.pause_statuses",
                          '["Awaiting customer"]', "--db", str(path)], cwd=ROOT, env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    status = subprocess.run([sys.executable, "-m", "analytics", "ledger", "status", "--db", str(path)], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert status.stdout.splitlines()[0] == "version 2: complete, 100% of 25 tickets, 50 measures"
    rebuilt = subprocess.run([sys.executable, "-m", "analytics", "ledger", "rebuild", "--db", str(path)], cwd=ROOT,
                             env=env, capture_output=True, text=True)
    assert rebuilt.returncode == 0 and rebuilt.stdout.startswith("ledger version 3: 50 measures of 25 tickets in ")
    db = open_store(path)
    assert reading_version(db).version == 3
    assert severity_table(db, PERIOD, as_of=AS_OF).equals(severity_table(db, PERIOD, as_of=AS_OF, version=ON_READ))
    db.close()
