"""The monthly report as a file and the one-line account of it: what ``report monthly`` writes, on the store or
through a running dashboard's read API (``GET /api/v1/reports/monthly``), which answers the same bytes and,
in the header ``X-Vigie-Report``, the same account as JSON."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analytics.reports import charts
from analytics.reports.monthly import ReportMonth, build_report
from analytics.reports.render import chart_images, pdf_document, render_html
from analytics.store.database import Database

KINDS = ("pdf", "html")
HEADER = "X-Vigie-Report"


@dataclass(frozen=True)
class ReportFile:
    """The document and what the command says about it."""

    data: bytes
    account: dict   # month, complete, tickets, breaches, chart_errors {chart: reason}, problems {section: reason}


def month_refusal(month: ReportMonth, timezone: str, now: datetime) -> str | None:
    """Why no report can be made for ``month`` yet (it has not started), or None."""
    return f"{month.label} has not started yet" if month.period(timezone).bounds()[0] > now else None


def report_file(db: Database, month: ReportMonth, kind: str, *, now: datetime,
                release_browser: bool = False) -> ReportFile:
    """The month's report as PDF or self-contained HTML bytes, with its account. ``release_browser`` (a
    process that makes one document): Chromium closes in the background once it has drawn the charts and printed
    the PDF, while the file is written."""
    if kind not in KINDS:
        raise ValueError(f"format must be pdf or html, not {kind!r}")
    refusal = month_refusal(month, db.timezone, now)
    if refusal:
        raise ValueError(refusal)
    report = build_report(db, month, now=now)
    images = chart_images(report)
    data = pdf_document(report, images) if kind == "pdf" else render_html(report, images).encode("utf-8")
    if release_browser:
        charts.release()
    return ReportFile(data, {"month": month.key, "complete": report.complete, "tickets": report.current.tickets.tickets,
                             "breaches": report.current.sla.breaches, "chart_errors": dict(images.errors),
                             "problems": dict(report.problems)})
