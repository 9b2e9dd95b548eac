"""The command line: ``python -m analytics COMMAND``.

``demo`` is the command line's own; every other command comes from a domain's declaration
(``analytics/domains.py``) or from the store (``migrate``, ``copy``). Each command gets its
arguments and :func:`analytics.domains.open_store` (``--db``, else ``$VIGIE_DB``...), prints a
short result and exits non-zero with a one-line message when it cannot do what was asked.
"""
from __future__ import annotations

import argparse
import sys

from analytics import domains
from analytics.kernel.registry import OpenStore
from analytics.store import cli as store_cli
from analytics.store.database import Database
from analytics.store.errors import DatabaseError


def cmd_demo(args, open_store: OpenStore) -> int:
    """Fill an empty store with the demo data of every domain."""
    from tqdm import tqdm

    db = open_store(args.db)
    with tqdm(total=args.tickets, unit="tickets", desc="demo", disable=args.quiet) as bar:
        summary = domains.build_demo(db, tickets=args.tickets, seed=args.seed, progress=bar.update)
    print(f"demo database {db.path}: {summary.companies} companies, {summary.contacts} contacts, "
          f"{summary.tickets} tickets, {summary.events} ticket events")
    return 0


def _add_demo(sub) -> None:
    demo = sub.add_parser("demo", help="build a demo database")
    demo.add_argument("--db", help="database file (default $VIGIE_DB or data/vigie.duckdb)")
    demo.add_argument("--tickets", type=int, default=50_000)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=cmd_demo)


def _add_import(sub) -> None:
    importers = {kind: run for domain in domains.DOMAINS for kind, run in domain.importers.items()}
    imp = sub.add_parser("import", help="import a file")
    imp.add_argument("kind", choices=list(importers))
    imp.add_argument("file")
    imp.add_argument("--db")
    imp.add_argument("--source", help="tickets: a shipped source profile (servicenow, zendesk, ...)")
    imp.add_argument("--mapping", help="tickets: a TOML mapping file (see 'import inspect')")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.add_argument("--strict", action="store_true",
                     help="tickets: refuse the import (exit code 3, nothing written) when the mapping draws a warning")
    imp.set_defaults(func=lambda args, open_store: importers[args.kind](args, open_store))


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command, in the order ``--help`` lists them."""
    parser = argparse.ArgumentParser(prog="python -m analytics", description="Vigie command line")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_demo(sub)
    _add_import(sub)
    for domain in domains.DOMAINS:
        if domain.commands:
            domain.commands(sub)
    store_cli.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code (2 and one line on stderr when it cannot be done)."""
    args = build_parser().parse_args(argv)
    opened: list = []

    def open_store(target=None, *, read_only: bool = False):
        db = domains.open_store(target, read_only=read_only)
        opened.append(db)
        if not read_only:
            finish_ledger(db)  # a command answers with the SLA figures of the rules in force now
        return db

    try:
        code = args.func(args, open_store)
        for db in opened:
            if not db.read_only and not db.closed:
                finish_ledger(db)  # the command changed the rules: the new figures before it ends
        return code
    except (DatabaseError, PermissionError, ValueError, OSError) as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    finally:
        for db in opened:  # closed here, not left to the interpreter's teardown (python -m analytics skips it)
            if not db.closed:
                db.close()


def one_line(exc: BaseException) -> str:
    """An error's message on one line (DuckDB's run over several, with hints and a file dump)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " ".join(lines) if len(lines) <= 3 else " ".join(lines[:1]) + " (the rest of the message is not shown)"


def finish_ledger(db: Database) -> None:
    """Build a version of the SLA ledger left building (a change of the rules), with a progress bar on stderr."""
    from analytics.sla import rebuild

    rebuild.finish_with_progress(db)
