"""Rendering an RCA document (``analytics.rca.document``) as Markdown, HTML and PDF.

The layout is the one sent to a customer: overview, impact, timeline (table and chart), root
cause, measures taken and planned; the internal version adds the handling review. Charts
become PNG images through Kaleido 1.x driving Chromium (``BROWSER_PATH``, else ``chromium`` on
the PATH, else Debian's /usr/bin/chromium), kept warm for the process (``kernel.renderer``).
When no image can be made (no Chromium, a crash, a timeout) the document still renders, with
a note in place of the chart: the timeline table carries the same facts. The PDF is made by
WeasyPrint from the HTML; every text is escaped and the PDF renderer may only load the
``data:`` images embedded here, so text typed in a review can never fetch anything.
"""
from __future__ import annotations

import base64
import html
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from analytics.kernel.renderer import RenderError, renderer
from analytics.kernel.text import markdown_literal, markdown_paragraphs, table_cell
from analytics.rca.charts import rca_timeline_figure
from analytics.rca.document import RcaDocument

CHART_MISSING = "Chart not available in this export; the timeline table above lists the same events."
log = logging.getLogger(__name__)


def chromium_path() -> str:
    """The browser Kaleido drives: $BROWSER_PATH, else chromium on the PATH, else /usr/bin/chromium."""
    return os.environ.get("BROWSER_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@dataclass(frozen=True)
class Chart:
    """A chart of the document: its title and PNG bytes (None when it could not be made)."""

    title: str
    png: bytes | None


def figures_to_png(figures: list, *, width: int = 900, browser: str | None = None) -> list[bytes | None]:
    """PNG bytes of each Plotly figure, drawn by the process's warm Chromium; None for one that failed."""
    if not figures:
        return []
    options = [{"format": "png", "width": width, "height": fig.layout.height or 400, "scale": 2} for fig in figures]
    try:
        images = renderer(browser or chromium_path()).render(figures, options)
    except RenderError as exc:
        log.warning("RCA charts rendered without images: %s", exc)
        return [None] * len(figures)
    for image in images:
        if not isinstance(image, bytes):
            log.warning("RCA chart rendered without its image: %s", image)
    return [image if isinstance(image, bytes) else None for image in images]


def document_charts(doc: RcaDocument, *, images: bool = True, browser: str | None = None) -> list[Chart]:
    """The charts of the document (the timeline), rendered as images when ``images``."""
    if doc.timeline.empty:
        return []
    figure = rca_timeline_figure(doc.timeline[["occurred_at", "event"]], started_at=doc.started_at,
                                 resolved_at=doc.resolved_at, tz=doc.timezone)
    pngs = figures_to_png([figure], browser=browser) if images else [None]
    return [Chart("Timeline of the incident", pngs[0])]


def _local(value: datetime | None, tz: str, fmt: str = "%d %b %Y %H:%M") -> str:
    return "" if value is None else value.astimezone(ZoneInfo(tz)).strftime(fmt)


def duration_text(minutes: int | None) -> str:
    """'2 h 15 min' style text; 'not stated' when unknown."""
    if minutes is None:
        return "not stated"
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def _due(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d %b %Y") if value else "to be scheduled"


def _facts(doc: RcaDocument) -> list[tuple[str, str]]:
    return [("Incident", f"{doc.reference}: {doc.title}"), ("Severity", str(doc.severity)),
            ("Platforms", ", ".join(doc.platforms)),
            ("Disruption", f"{_local(doc.started_at, doc.timezone)} to {_local(doc.resolved_at, doc.timezone)} "
                           f"({doc.timezone})"),
            ("Document", f"RCA revision {doc.revision}, "
                         + (f"published {_local(doc.published_at, doc.timezone, '%d %b %Y')}"
                            if doc.published_at else doc.status.replace('_', ' ')))]


def _impact(doc: RcaDocument) -> list[tuple[str, str]]:
    return [("Customers affected", "not stated" if doc.customers_affected is None else str(doc.customers_affected)),
            ("Duration of the impact", duration_text(doc.impact_minutes)),
            ("Support tickets raised", "not stated" if doc.tickets is None else str(doc.tickets))]


INTERNAL_SECTIONS = (("participants", "Participants"), ("went_well", "What went well"),
                     ("went_badly", "What went badly"), ("failure_causes", "Causes of the failures"),
                     ("internal_notes", "Internal notes"), ("impacted_customers", "Impacted customers"),
                     ("commander", "Incident commander"), ("prepared_by", "Prepared by"),
                     ("published_by", "Published by"), ("revision_reason", "Reason for this revision"))


def to_markdown(doc: RcaDocument, charts: list[Chart] = ()) -> str:
    """The document as Markdown (charts embedded as data-URI PNG images when given).

    Every text typed in the review or the incident is escaped (``markdown_literal`` on one line,
    ``markdown_paragraphs`` for long text), so it reads as typed in any Markdown viewer: no link,
    image, HTML or script can come from it."""
    lit, par = markdown_literal, markdown_paragraphs
    out = [f"# Root cause analysis: {lit(doc.reference)}", "", f"**{lit(doc.title)}**", ""]
    out += [f"- **{k}:** {lit(v)}" for k, v in _facts(doc)]
    out += ["", "## 1. Overview", "", par(doc.overview, empty="_Not written._"), "", "## 2. Impact", ""]
    out += [f"- **{k}:** {lit(v)}" for k, v in _impact(doc)]
    out += ["", "## 3. Timeline", "", f"Times in {doc.timezone}.", ""]
    internal = doc.audience == "internal"
    out += ["| time | event |" + (" who | internal note |" if internal else ""),
            "|---|---|" + ("---|---|" if internal else "")]
    for row in doc.timeline.itertuples():
        line = f"| {_local(row.occurred_at, doc.timezone)} | {table_cell(row.event)} |"
        out.append(line + (f" {table_cell(row.who)} | {table_cell(row.internal_note)} |" if internal else ""))
    for chart in charts:
        out += ["", f"![{lit(chart.title)}](data:image/png;base64,{base64.b64encode(chart.png).decode()})"
                if chart.png else f"_{CHART_MISSING}_"]
    out += ["", "## 4. Root cause", ""]
    for k, cause in enumerate(doc.root_causes, start=1):
        out += [f"**Cause {k}: {lit(cause['category'])}, {lit(cause['platform'])}.** {par(cause['description'])}", ""]
    if doc.contributing_factors:
        out += ["**Contributing factors.** " + par(doc.contributing_factors), ""]
    out += ["## 5. Measures taken and planned", "", "**Taken.** " + par(doc.measures_taken, empty="_Not written._"),
            "", "**Planned against recurrence:**", ""]
    out += ["| action | due | status |" + (" owner |" if internal else ""), "|---|---|---|" + ("---|" if internal else "")]
    for item in doc.actions:
        line = f"| {table_cell(item['description'])} | {_due(item['due_date'])} | {lit(item['status'])} |"
        out.append(line + (f" {table_cell(item['owner'])} |" if internal else ""))
    if internal:
        out += ["", "## Internal: handling review", ""]
        for key, label in INTERNAL_SECTIONS:
            value = doc.internal.get(key)
            text = ", ".join(lit(v) for v in value) if isinstance(value, list) else par(value, empty="—")
            out += [f"**{label}.** " + text, ""]
    return "\n".join(out).rstrip() + "\n"


CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-center { content: string(docref) " · page " counter(page) " of " counter(pages);
                         font-size: 8pt; color: #666; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #222; line-height: 1.4; }
h1 { font-size: 17pt; margin: 0 0 2mm 0; string-set: docref content(); }
h2 { font-size: 12.5pt; border-bottom: 1px solid #2f6fb0; color: #2f6fb0; margin-top: 7mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; }
th, td { border: 1px solid #ccc; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
table.facts th { width: 32%; }
img { width: 100%; margin-top: 3mm; }
p.note { color: #666; font-style: italic; }
.internal { border: 2px solid #b3261e; padding: 2mm 3mm; }
"""


def _rows(pairs) -> str:
    return "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in pairs)


def _para(text: str) -> str:
    return "".join(f"<p>{html.escape(p)}</p>" for p in (text or "").split("\n\n") if p.strip()) or "<p>—</p>"


def to_html(doc: RcaDocument, charts: list[Chart] = ()) -> str:
    """The document as a standalone HTML page (images inline), the source of the PDF."""
    esc, internal = html.escape, doc.audience == "internal"
    parts = [f"<h1>Root cause analysis: {esc(doc.reference)}</h1><p><strong>{esc(doc.title)}</strong></p>",
             f"<table class='facts'>{_rows(_facts(doc))}</table>", "<h2>1. Overview</h2>", _para(doc.overview),
             "<h2>2. Impact</h2>", f"<table class='facts'>{_rows(_impact(doc))}</table>",
             f"<h2>3. Timeline</h2><p>Times in {esc(doc.timezone)}.</p><table><tr><th>time</th><th>event</th>"
             + ("<th>who</th><th>internal note</th>" if internal else "") + "</tr>"]
    for row in doc.timeline.itertuples():
        extra = f"<td>{esc(row.who or '')}</td><td>{esc(row.internal_note or '')}</td>" if internal else ""
        parts.append(f"<tr><td>{esc(_local(row.occurred_at, doc.timezone))}</td><td>{esc(row.event)}</td>{extra}</tr>")
    parts.append("</table>")
    for chart in charts:
        parts.append(f"<img alt='{esc(chart.title)}' src='data:image/png;base64,{base64.b64encode(chart.png).decode()}'>"
                     if chart.png else f"<p class='note'>{esc(CHART_MISSING)}</p>")
    parts.append("<h2>4. Root cause</h2>")
    for k, cause in enumerate(doc.root_causes, start=1):
        parts.append(f"<p><strong>Cause {k}: {esc(cause['category'])}, {esc(cause['platform'])}.</strong> "
                     f"{esc(cause['description'])}</p>")
    if doc.contributing_factors:
        parts.append(f"<p><strong>Contributing factors.</strong> {esc(doc.contributing_factors)}</p>")
    parts += ["<h2>5. Measures taken and planned</h2><p><strong>Taken.</strong></p>", _para(doc.measures_taken),
              "<p><strong>Planned against recurrence:</strong></p><table><tr><th>action</th><th>due</th>"
              "<th>status</th>" + ("<th>owner</th>" if internal else "") + "</tr>"]
    for item in doc.actions:
        owner = f"<td>{esc(item['owner'])}</td>" if internal else ""
        parts.append(f"<tr><td>{esc(item['description'])}</td><td>{esc(_due(item['due_date']))}</td>"
                     f"<td>{esc(item['status'])}</td>{owner}</tr>")
    parts.append("</table>")
    if internal:
        parts.append("<div class='internal'><h2>Internal: handling review (not for customers)</h2>")
        for key, label in INTERNAL_SECTIONS:
            value = doc.internal.get(key)
            text = ", ".join(value) if isinstance(value, list) else (value or "—")
            parts.append(f"<p><strong>{esc(label)}.</strong> {esc(text)}</p>")
        parts.append("</div>")
    title = f"RCA {doc.reference} revision {doc.revision}"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def to_pdf(doc: RcaDocument, charts: list[Chart] = ()) -> bytes:
    """The document as PDF bytes (WeasyPrint; only the embedded data: images may be loaded)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=to_html(doc, charts), url_fetcher=URLFetcher(allowed_protocols=("data",))).write_pdf()


def file_name(doc: RcaDocument, extension: str) -> str:
    """e.g. RCA-INC-2026-0003-r2-customer.pdf"""
    return f"RCA-{doc.reference}-r{doc.revision}-{doc.audience}.{extension}"
