"""An import on a nearly full disk: refused before it writes, so small writes still go through.

Before, a failed import left the database file grown to fill the disk, and every later write
(a setting, a one-row import, a declaration) failed until space was added. The test mounts a
24 MB tmpfs, which needs root; elsewhere it is skipped and says why.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.imports.columns import CANONICAL_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True)


def export(path: Path, rows: int, prefix: str) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CANONICAL_COLUMNS)
        for i in range(rows):
            values = {c: "" for c in CANONICAL_COLUMNS}
            values.update(reference=f"{prefix}-{i}", company=f"Co{i % 50}", channel="phone", severity=str(1 + i % 4),
                          opened_at="2026-06-03T10:00:00+02:00", status="open", team="Network", description="x" * 100)
            writer.writerow([values[c] for c in CANONICAL_COLUMNS])
    return path


def test_a_large_import_is_refused_before_writing_and_small_writes_still_work(small_disk, tmp_path):
    db = small_disk / "vigie.duckdb"
    assert cli("demo", "--db", str(db), "--tickets", "2000", "--quiet").returncode == 0
    size = db.stat().st_size
    big = cli("import", "tickets", str(export(tmp_path / "big.csv", 60_000, "BIG")), "--db", str(db), "--quiet")
    assert big.returncode == 2
    assert big.stderr.count("\n") == 1
    assert big.stderr.startswith(f"error: not enough free disk space to import big.csv: the disk holding {db} has")
    assert "Nothing was written" in big.stderr
    assert db.stat().st_size == size
    small = cli("import", "tickets", str(export(tmp_path / "one.csv", 1, "ONE")), "--db", str(db), "--quiet")
    assert small.returncode == 0 and "1 inserted" in small.stdout
    assert cli("settings", "set", "lockout.threshold", "7", "--db", str(db)).returncode == 0


def test_a_full_disk_is_said_in_one_line_and_the_store_works_once_space_is_freed(small_disk):
    db = small_disk / "vigie.duckdb"
    assert cli("demo", "--db", str(db), "--tickets", "2000", "--quiet").returncode == 0
    filler = small_disk / "filler"
    subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "count=64"], capture_output=True)
    full = cli("settings", "set", "lockout.threshold", "7", "--db", str(db))
    assert full.returncode == 2
    assert full.stderr.count("\n") == 1
    assert "is full (no space left on device): nothing of this change was written. Free space" in full.stderr
    filler.unlink()
    again = cli("settings", "set", "lockout.threshold", "7", "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert again.stdout == "lockout.threshold: 6 -> 7\n"
