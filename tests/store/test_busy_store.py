"""A command run while another process holds the DuckDB file: one line naming that process, exit 2."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.domains import open_store
from analytics.store.errors import StoreBusy

ROOT = Path(__file__).resolve().parents[2]
HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(600)"


@pytest.fixture
def held(tmp_path):
    path = tmp_path / "held.duckdb"
    open_store(path).close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    yield path, holder.pid
    holder.kill()
    holder.wait()


@pytest.mark.parametrize("command", [["settings", "list"], ["settings", "set", "lockout.threshold", "7"],
                                     ["sla", "--from", "2026-01-01", "--to", "2026-02-01"], ["ledger", "status"]])
def test_every_command_says_which_process_holds_the_file(held, command):
    path, pid = held
    run = subprocess.run([sys.executable, "-m", "analytics", *command, "--db", str(path)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"error: The database {path} is in use by process {pid} (python -c import duckdb")
    assert "stop that process" in run.stderr and "PostgreSQL" in run.stderr


def test_the_store_error_names_the_holder(held):
    path, pid = held
    with pytest.raises(StoreBusy, match=re.escape(
            f"The database {path} is in use by process {pid} (python -c import duckdb")) as busy:
        open_store(path)
    assert (busy.value.pid, busy.value.path) == (pid, path)
    assert busy.value.command.startswith("python -c import duckdb")
