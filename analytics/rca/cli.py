"""The ``rca`` commands of the command line: export an RCA document, print a month's RCA figures.

    python -m analytics rca export INC-2026-0003 --out rca.pdf [--audience customer|internal] [--revision N]
    python -m analytics rca month --month 2026-10 [--format table|json]

The output format of ``export`` follows the file's extension (.pdf, .md, .html). A customer
export exists only for a published revision (exit code 2 and a one-line message otherwise).
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from analytics.kernel.arguments import month_argument
from analytics.kernel.errors import RuleRefused
from analytics.kernel.registry import OpenStore

FORMATS = {".pdf": "pdf", ".md": "md", ".html": "html"}


def cmd_rca_export(args, open_store: OpenStore) -> int:
    from analytics.rca import export as rca_export
    from analytics.rca.document import build_document
    from analytics.rca.queries import incident_id_of

    out = Path(args.out)
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        print(f"error: --out must end in {', '.join(FORMATS)}", file=sys.stderr)
        return 2
    db = open_store(args.db)
    incident_id = incident_id_of(db, args.reference)
    if incident_id is None:
        print(f"error: no incident {args.reference!r}", file=sys.stderr)
        return 2
    try:
        doc = build_document(db, incident_id=incident_id, revision=args.revision, audience=args.audience)
    except RuleRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    charts = rca_export.document_charts(doc, images=not args.no_charts)
    if kind == "pdf":
        out.write_bytes(rca_export.to_pdf(doc, charts))
    else:
        render = rca_export.to_markdown if kind == "md" else rca_export.to_html
        out.write_text(render(doc, charts), encoding="utf-8")
    print(f"{out}: RCA of {doc.reference}, revision {doc.revision}, {doc.audience} version")
    return 0


def cmd_rca_month(args, open_store: OpenStore) -> int:
    from analytics.rca.stats import rca_month_figures

    start = args.month
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    figures = rca_month_figures(open_store(args.db), month_start=start, month_end=end)
    if args.format == "json":
        print(json.dumps(figures, default=str))
    else:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            print(f"{key:<{width}}  {'' if value is None else value}")
    return 0


def add_commands(sub) -> None:
    """Register ``rca export`` and ``rca month`` on the CLI's sub-parsers."""
    rca = sub.add_parser("rca", help="RCA reports: export a document, a month's figures")
    kinds = rca.add_subparsers(dest="rca_command", required=True)
    export = kinds.add_parser("export", help="an RCA as PDF, Markdown or HTML (customer version by default)")
    export.add_argument("reference", help="incident reference, e.g. INC-2026-0003")
    export.add_argument("--out", required=True, help="output file; .pdf, .md or .html decides the format")
    export.add_argument("--audience", choices=["customer", "internal"], default="customer")
    export.add_argument("--revision", type=int, help="default: the latest published (customer) or latest revision")
    export.add_argument("--no-charts", action="store_true", help="skip the chart images (no browser needed)")
    export.add_argument("--db")
    export.set_defaults(func=cmd_rca_export)
    month = kinds.add_parser("month", help="a month's RCA figures (as the monthly report uses them)")
    month.add_argument("--month", type=month_argument, required=True, help="YYYY-MM")
    month.add_argument("--format", choices=["table", "json"], default="table")
    month.add_argument("--db")
    month.set_defaults(func=cmd_rca_month)
