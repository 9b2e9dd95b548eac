"""Import checks benchmark: the share of an import's time spent in the whole-file checks (the warnings).

    python benchmarks/bench_import_checks.py [--rows 1000000] [--source canonical|servicenow-events|all] [--repeat 2]

Imports the generated files of ``bench_import.py`` (same rows) into a fresh database, timing the
checks of ``analytics/imports/checks.py`` and ``fold.py`` inside that same import, so that the share
is measured under the same load as the rest; prints the import's time, its rows per second and the
checks' time as a share of the rest of the import.
"""
from __future__ import annotations

import shutil
import tempfile
import time

from bench_import import FILES, generate
from support import BENCH_DIR, parser  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.imports import service
from analytics.imports.profiles import get_profile
from analytics.kernel.roles import system_actor

CHECKS = ("value_map_warnings", "timestamp_warnings", "unreadable_warnings", "fold_warnings")


def timed_checks(spent: dict) -> None:
    """Wrap the checks the import calls so that their time is added to ``spent['s']``."""
    for name in CHECKS:
        check = getattr(service, name)

        def run(*args, _check=check, **kwargs):
            started = time.perf_counter()
            try:
                return _check(*args, **kwargs)
            finally:
                spent["s"] += time.perf_counter() - started

        setattr(service, name, run)


def main() -> None:
    cli = parser(__doc__)
    cli.add_argument("--rows", type=int, default=1_000_000)
    cli.add_argument("--source", choices=[*FILES, "all"], default="all")
    cli.add_argument("--repeat", type=int, default=2)
    args = cli.parse_args()
    spent = {"s": 0.0}
    timed_checks(spent)
    for source in (FILES if args.source == "all" else [args.source]):
        path = generate(source, args.rows)
        for _ in range(args.repeat):
            spent["s"] = 0.0
            folder = tempfile.mkdtemp(dir=BENCH_DIR)
            db = open_store(f"{folder}/checks.duckdb")
            started = time.perf_counter()
            report = service.import_file(db, path, profile=get_profile(source), actor=system_actor("bench"))
            total = time.perf_counter() - started
            print(f"{source:18} {report.read:>9,} rows in {total:6.2f} s = {report.read / total:>9,.0f} rows/s; "
                  f"checks {spent['s']:.2f} s = {spent['s'] / (total - spent['s']):.1%} on top of the rest "
                  f"({len(report.warnings)} warnings)", flush=True)
            db.close()
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
