"""Run each test file (or, with ``--each-test``, each test id) alone in its own pytest process.

A test that passes in the suite but fails alone depends on something another test built or left
behind. Usage::

    .venv/bin/python scripts/tests_alone.py [DIRECTORY ...] [--each-test] [-m "not browser"]

Prints one line per failing file or test id, then a summary line; exits 1 when anything failed.
Too long for CI (one interpreter and one collection per file): run it by hand after moving
fixtures around.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def test_files(directories: list[str]) -> list[str]:
    files: set[Path] = set()
    for directory in directories:
        target = (ROOT / directory).resolve()
        if target.is_file():
            files.add(target)
        else:
            files.update(target.rglob("test_*.py"))
    return sorted(str(f.relative_to(ROOT)) for f in files)


def test_ids(directories: list[str], marker: str | None) -> list[str]:
    command = [PYTHON, "-m", "pytest", "--collect-only", "-q", *directories]
    if marker:
        command += ["-m", marker]
    listing = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    ids = [line for line in listing.stdout.splitlines() if "::" in line]
    if listing.returncode not in (0, 5):
        sys.exit(f"collection failed:\n{listing.stdout}{listing.stderr}")
    return ids


def last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1].strip("= ") if lines else "(no output)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="*", default=["tests"], help="test directories or files")
    parser.add_argument("--each-test", action="store_true", help="one process per test id, not per file")
    parser.add_argument("-m", dest="marker", default=None, help='marker expression, e.g. "not browser"')
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to one process")
    args = parser.parse_args()

    targets = test_ids(args.directories, args.marker) if args.each_test else test_files(args.directories)
    started = time.monotonic()
    done = failed = empty = 0
    try:
        for target in targets:
            outcome = run_alone(target, args.marker, args.timeout)
            failed += outcome == "failed"
            empty += outcome == "empty"
            done += 1
    except KeyboardInterrupt:  # the figures so far, still
        print("interrupted", flush=True)
    kind = "test ids" if args.each_test else "files"
    minutes = (time.monotonic() - started) / 60
    print(f"{done} of {len(targets)} {kind} run alone, {failed} failed, {empty} with no test selected, "
          f"in {minutes:.1f} min", flush=True)
    return 1 if failed or done < len(targets) else 0


def run_alone(target: str, marker: str | None, timeout: float) -> str:
    """Runs one file or test id in its own pytest process: "passed", "failed" (its line printed) or "empty"."""
    command = [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider", target]
    if marker:
        command += ["-m", marker]
    try:
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"FAILED {target}: timed out after {timeout:.0f} s", flush=True)
        return "failed"
    if run.returncode == 5:  # every test of the file deselected by the marker
        return "empty"
    if run.returncode != 0:
        output = run.stdout + run.stderr
        print(f"FAILED {target}: {last_line(output)}", flush=True)
        for line in output.splitlines():  # the -ra summary of pytest.ini: which test, and why
            if line.startswith(("FAILED ", "ERROR ")):
                print(f"    {line}", flush=True)
        return "failed"
    return "passed"

if __name__ == "__main__":
    sys.exit(main())
