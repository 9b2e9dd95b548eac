"""The ``import tickets`` and ``import inspect`` commands (wired into ``analytics/cli/main.py``).

``import tickets FILE [--source NAME | --mapping FILE.toml] [--strict]`` imports a file with a
progress bar, prints each warning on stderr (``warning: ...``: what in the mapping does not fit the
file) and then its report (counts in = accepted + rejected, reasons). Exit codes: 0 imported;
1 every row was rejected (the run is recorded); 2 the file or the mapping cannot be used;
3 ``--strict`` and at least one warning: nothing written. ``import inspect FILE`` prints a
proposed TOML mapping for the user to edit (exit code 2 when the file cannot be read).
"""
from __future__ import annotations

import sys

from analytics.kernel.registry import OpenStore
from analytics.kernel.roles import system_actor


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run_tickets(args, open_store: OpenStore) -> int:
    """``python -m analytics import tickets FILE [--source NAME | --mapping FILE]``."""
    from tqdm import tqdm

    from analytics.imports.files import ImportFileError
    from analytics.imports.profiles import ProfileError

    db = open_store(args.db)
    from analytics.imports.service import ImportRefused, import_file, resolve_profile
    from analytics.settings.queries import get_setting

    if getattr(args, "source", None) and getattr(args, "mapping", None):
        return _fail("give either --source or --mapping, not both")
    try:
        profile = resolve_profile(args.file, source=getattr(args, "source", None),
                                  mapping=getattr(args, "mapping", None))
        quiet = getattr(args, "quiet", False) or not sys.stderr.isatty()
        with tqdm(total=100, unit="%", desc=profile.name, disable=quiet, file=sys.stderr,
                  bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}") as bar:
            def progress(step: str, fraction: float) -> None:
                bar.set_description(f"{profile.name}: {step}", refresh=False)
                bar.update(int(fraction * 100) - bar.n)

            report = import_file(db, args.file, profile=profile, actor=system_actor("cli"), progress=progress,
                                 default_severity=int(get_setting(db, "sla.email_default_severity")),
                                 strict=getattr(args, "strict", False))
    except ImportRefused as exc:
        for warning in exc.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return _fail(f"import refused (--strict): {len(exc.warnings)} warning(s) above; nothing written", 3)
    except (ImportFileError, ProfileError) as exc:
        return _fail(str(exc))
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    if report.source != "canonical":
        print(f"source {report.source}: counts in = accepted + rejected: {report.read} = {report.accepted} + "
              f"{report.rejected}; {report.events} ticket events; import #{report.import_id} "
              f"in {report.seconds:.1f} s")
    return report.exit_code()


def run_inspect(args, open_store: OpenStore) -> int:
    """``python -m analytics import inspect FILE``: a proposed mapping on standard output (no store needed)."""
    from analytics.imports.files import ImportFileError
    from analytics.imports.profiles import ProfileError
    from analytics.imports.proposal import propose_mapping
    from analytics.store.errors import DatabaseError

    try:
        print(propose_mapping(args.file), end="")
    except (ImportFileError, ProfileError) as exc:
        return _fail(str(exc))
    except DatabaseError as exc:  # the file's text defeated the reader: say so in one line
        return _fail(f"cannot read {args.file}: {str(exc).splitlines()[0]}")
    return 0
