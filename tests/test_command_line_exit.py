"""``python -m analytics`` ends as soon as its command is done (``analytics/__main__.py`` skips the interpreter's
teardown) and still leaves everything as an ordinary exit would: the store closed (no write-ahead log left
beside it), the chart browser closed and its profile folder removed, the exit code and the output kept."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.browser_support import ROOT


def command(*args: str, tmp_dir=None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"TMPDIR": str(tmp_dir)} if tmp_dir else {})}
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_command_that_writes_closes_its_store(demo_db_path, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db_path, path)
    done = command("settings", "set", "lockout.threshold", "7", "--db", str(path))
    assert (done.returncode, done.stdout, done.stderr) == (0, "lockout.threshold: 6 -> 7\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.duckdb"]  # checkpointed and closed: no .wal
    listed = command("settings", "list", "--db", str(path), "--format", "csv")
    assert "lockout.threshold,7,6," in listed.stdout


def test_the_exit_code_and_the_error_line_are_kept(tmp_path):
    done = command("report", "monthly", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.pdf"))
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"error: no database at {tmp_path / 'none.duckdb'}\n")


@pytest.mark.browser
def test_the_monthly_report_leaves_no_browser_behind(demo_db_path, tmp_path, request):
    """The browser drew the charts, was let go while the PDF was laid out, and the exit waited for it: its
    profile folder (under the command's TMPDIR) is gone and no Chromium of it is left running."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db_path, path)
    # a short folder: Chromium puts its singleton socket two levels under TMPDIR, and a socket's path is limited
    # to 108 bytes (under pytest's temporary folders Chromium stops at once)
    temp = Path(tempfile.mkdtemp(prefix="vigie-exit-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(temp, ignore_errors=True))
    done = command("report", "monthly", "--db", str(path), "--month", "2026-10", "--out", str(tmp_path / "r.pdf"),
                   tmp_dir=temp)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"monthly report 2026-10 written to {tmp_path / 'r.pdf'} (PDF, ")
    assert "chart" not in done.stderr  # every chart drawn
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
    assert list(temp.iterdir()) == []
    running = subprocess.run(["pgrep", "-f", f"user-data-dir={temp}"], capture_output=True, text=True)
    assert running.stdout == ""
