#!/usr/bin/env python3
"""Mutation testing of the rule modules (README "Tests"): run mutmut, then print the kill ratio.

mutmut (pinned in requirements-dev.txt) is configured in pyproject.toml ``[tool.mutmut]``: the
modules it mutates (``only_mutate``) and the test files it runs (``pytest_add_cli_args_test_selection``);
for each mutant it runs only the tests that reached the mutated function, fastest first, and stops at
the first failure. This script runs it (under ``nice``), reads its results (``mutants/**/*.py.meta``)
and prints, per module, the mutants killed, timed out, survived, without a test, and those listed as
equivalent in ``tests/mutation_equivalents.md`` (a mutant that changes no behaviour a user or a caller
can see, with the reason). The kill ratio is

    (killed + timed out) / (all mutants - equivalent ones)

(a timed-out mutant made a test hang, so it was noticed). Survivors not listed as equivalent are named
at the end so that a new test can kill them (``mutmut show NAME`` prints the change).

    scripts/mutation.py                 # mutate and test (about 40 minutes on 2 cores), then report
    scripts/mutation.py --report-only   # report the results of the last run
    scripts/mutation.py --survivors     # test again only the mutants not killed last time (after new tests)
    scripts/mutation.py --min 0.9       # exit 1 when the ratio is below 90 %

Not run in CI: too long for every push.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.md"
# run as a module of this interpreter: a venv copied or moved keeps a launcher whose first line is stale
MUTMUT = [sys.executable, "-m", "mutmut"]
# mutmut's exit codes of a mutant's test run (mutmut/stats.py), folded into the kinds reported here
KINDS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 36: "timeout", 24: "timeout",
         -24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}
COLUMNS = ("killed", "timeout", "survived", "no tests", "equivalent", "not checked", "other")
ENTRY = re.compile(r"^\s*[-*]\s*`([^`]+)`\s*[:\u2014-]\s*(.+)$")


def equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """Mutant name -> reason, from the lines ``- `name`: reason`` of the equivalents file."""
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = ENTRY.match(line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def results(root: Path = ROOT) -> dict[str, int | None]:
    """Every mutant of the last run with its exit code."""
    codes: dict[str, int | None] = {}
    for meta in sorted((root / "mutants").rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {}))
    return codes


def module_of(name: str) -> str:
    """``analytics.logins.rules.x_step__mutmut_3`` -> ``analytics/logins/rules.py``."""
    dotted = name.split(".x_")[0] if ".x_" in name else name.split(".x\u01c1")[0]
    return dotted.replace(".", "/") + ".py"


def tally(codes: dict[str, int | None], equivalent: dict[str, str]) -> tuple[dict[str, Counter], list[str]]:
    per_module: dict[str, Counter] = defaultdict(Counter)
    alive = []
    for name, code in sorted(codes.items()):
        kind = KINDS.get(code, "other")
        if kind in ("survived", "no tests") and name in equivalent:
            kind = "equivalent"
        elif kind in ("survived", "no tests", "not checked", "other"):
            alive.append(f"{name} ({kind})")
        per_module[module_of(name)][kind if kind in COLUMNS else "other"] += 1
    return per_module, alive


def ratio(counts: Counter) -> float | None:
    considered = sum(counts.values()) - counts["equivalent"]
    return (counts["killed"] + counts["timeout"]) / considered if considered else None


def report(codes: dict[str, int | None], equivalent: dict[str, str], seconds: float | None) -> float | None:
    per_module, alive = tally(codes, equivalent)
    width = max([len(m) for m in per_module] + [6])
    print(f"{'module':<{width}}  total  " + "  ".join(f"{c:>11}" for c in COLUMNS) + "   ratio")
    total = Counter()
    for module in sorted(per_module):
        counts = per_module[module]
        total.update(counts)
        share = ratio(counts)
        print(f"{module:<{width}}  {sum(counts.values()):>5}  " + "  ".join(f"{counts[c]:>11}" for c in COLUMNS)
              + (f"  {share:6.1%}" if share is not None else "       -"))
    stale = sorted(set(equivalent) - set(codes))
    if stale:
        print(f"\n{len(stale)} mutant(s) listed as equivalent no longer exist (renumbered?): {', '.join(stale)}")
    if alive:
        print(f"\nNot killed and not listed as equivalent ({len(alive)}; `mutmut show NAME` prints the change):")
        for line in alive:
            print(f"  {line}")
    share = ratio(total)
    took = f" in {seconds / 60:.0f} min" if seconds is not None else ""
    print(f"\nmutation: {sum(total.values())} mutants, {total['killed']} killed, {total['timeout']} timed out, "
          f"{total['survived'] + total['no tests']} not killed ({total['no tests']} reached by no test), "
          + (f"{total['not checked']} not checked, " if total["not checked"] else "")
          + f"{total['equivalent']} equivalent; kill ratio "
          + (f"{share:.1%}" if share is not None else "-") + took)
    if total["not checked"]:
        checked = Counter({k: v for k, v in total.items() if k != "not checked"})
        checked_share = ratio(checked)
        print(f"  over the {sum(checked.values())} mutants checked (a run stopped before the end): "
              + (f"{checked_share:.1%}" if checked_share is not None else "-"))
    return share


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report-only", action="store_true", help="report the last run, do not run mutmut")
    parser.add_argument("--min", type=float, default=None, help="exit 1 when the kill ratio is below this share")
    parser.add_argument("--survivors", action="store_true",
                        help="test again only the mutants the last run did not kill (new tests added since)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested in parallel (default 2)")
    args = parser.parse_args(argv)
    seconds = None
    if not args.report_only:
        started = time.monotonic()
        names = []
        if args.survivors:
            names = [n for n, code in results().items() if KINDS.get(code, "other") != "killed"
                     and KINDS.get(code) != "timeout" and n not in equivalents()]
            if not names:
                print("no surviving mutant to test again")
        command = ["nice", *MUTMUT, "run", "--max-children", str(args.max_children), *names]
        run = subprocess.run(command, cwd=ROOT) if names or not args.survivors else None
        seconds = time.monotonic() - started
        if run is not None and run.returncode not in (0, 1):  # 1: some mutants survived
            print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
            return run.returncode
    codes = results()
    if not codes:
        print("no mutmut results under mutants/: run without --report-only first", file=sys.stderr)
        return 2
    share = report(codes, equivalents(), seconds)
    if args.min is not None and (share is None or share < args.min):
        print(f"kill ratio below --min {args.min:.0%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
