"""``python -m analytics contracts list|assign``: contracts per customer from the command line.

``list`` prints the contracts and which company is under which from which day; ``assign`` puts one
company under a contract from a day, or every row of a CSV file (``company,contract,from``) in one
transaction, refused whole with the row named when one is wrong. Writes are audited as
``cli:<operating-system user>`` (see :mod:`analytics.sla.contracts`).
"""
from __future__ import annotations

import csv
import getpass
import json
from datetime import date
from pathlib import Path

from analytics.kernel.arguments import date_argument
from analytics.kernel.registry import OpenStore
from analytics.kernel.roles import system_actor

FILE_COLUMNS = ("company", "contract", "from")


def cmd_list(args, open_store: OpenStore) -> int:
    from analytics.sla.contracts import assignments_table, contracts_table

    db = open_store(args.db)
    contracts, assigned = contracts_table(db), assignments_table(db)
    if args.format == "json":
        print(json.dumps({"contracts": contracts.to_dict(orient="records"),
                          "companies": json.loads(assigned.to_json(orient="records", date_format="iso"))}))
        return 0
    print(contracts.to_string(index=False, justify="left", max_colwidth=60))
    print()
    print(assigned.to_string(index=False, justify="left") if len(assigned) else "No company has a contract: "
          "every ticket is measured under Standard.")
    return 0


def read_rows(path: Path) -> list[tuple[str, str, date]]:
    """The rows of an assignment file; a missing column or an unreadable day names the line."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in FILE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}; expected {','.join(FILE_COLUMNS)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                day = date.fromisoformat((row["from"] or "").strip())
            except ValueError:
                raise ValueError(f"{path.name} line {line}: '{row['from']}' is not a day like 2026-01-31") from None
            rows.append((row["company"], row["contract"], day))
    return rows


def cmd_assign(args, open_store: OpenStore) -> int:
    from analytics.sla.contracts import assign_contracts

    if args.file:
        rows = read_rows(Path(args.file))
    elif args.company and args.contract and args.from_:
        rows = [(args.company, args.contract, args.from_)]
    else:
        raise ValueError("give --company, --contract and --from, or --file")
    written = assign_contracts(open_store(args.db), actor=system_actor(f"cli:{getpass.getuser()}"), rows=rows)
    print(f"{written} compan{'y' if written == 1 else 'ies'} put under a contract; the SLA figures are recomputed")
    return 0


def add_commands(sub) -> None:
    """Add ``contracts list`` and ``contracts assign`` to the CLI."""
    contracts = sub.add_parser("contracts", help="contracts per customer: list them, put companies under them")
    verbs = contracts.add_subparsers(dest="contracts_verb", required=True)
    listing = verbs.add_parser("list", help="the contracts and which company is under which from which day")
    listing.add_argument("--db")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(func=cmd_list)
    assign = verbs.add_parser("assign", help="put a company (or each row of a CSV file) under a contract from a day")
    assign.add_argument("--company")
    assign.add_argument("--contract")
    assign.add_argument("--from", dest="from_", type=date_argument, help="the first day, e.g. 2026-01-01")
    assign.add_argument("--file", help="a CSV file with the columns company,contract,from")
    assign.add_argument("--db")
    assign.set_defaults(func=cmd_assign)
