"""The monthly report as a document: self-contained HTML, and PDF printed by Chromium (weasyprint without one).

One HTML document serves both: a title page with the month, numbered sections with
the summary, tables and charts (PNG, inlined as data URIs so the file stands on its
own), and CSS ``@page`` rules (``templates/monthly_report.css``) that give the PDF
running headers and "Page N of M" footers, in Chromium's print as in weasyprint's.
:func:`write_report` picks the format from the file name's extension, for the command line
and scheduled runs.
"""
from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.reports import charts, tables
from analytics.reports.monthly import MonthlyReport, satisfaction_note
from analytics.reports.summary import plural

CSS_TEMPLATE = Path(__file__).resolve().parent / "templates" / "monthly_report.css"
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def report_figures(report: MonthlyReport) -> dict[str, object]:
    """Every chart of the report by name (Plotly figures), in reading order; absent sections have none."""
    return dict(each_report_figure(report))


def each_report_figure(report: MonthlyReport) -> Iterator[tuple[str, object]]:
    """The report's charts as (name, figure), each made when asked for: the chart renderer draws one while the
    next is built."""
    cur, prev = report.current, report.previous
    names = dict(month=report.month.label, previous_month=report.month.previous.label)
    yield "sla", charts.sla_comparison_figure(cur.sla.table, prev.sla.table, **names)
    yield "trend", charts.trend_figure(report.trend)
    yield "volume", charts.volume_comparison_figure(cur.tickets.volume, prev.tickets.volume, **names)
    yield "backlog", charts.backlog_figure(cur.tickets.backlog, prev.tickets.backlog, **names)
    if not cur.sla.top_companies.empty:
        yield "top_companies", charts.top_companies_figure(cur.sla.top_companies)
    if cur.incidents.available and not cur.incidents.incidents.empty:
        yield "notification", charts.notification_figure(
            cur.incidents.incidents, target=cur.incidents.target_minutes, deadline=cur.incidents.deadline_minutes)
    if cur.escalations.available:
        yield "escalations", charts.escalations_figure(cur.escalations.open_by_level, prev.escalations.open_by_level,
                                                       **names)
    if cur.rca.available:
        yield "rca", charts.rca_figure(cur.rca.figures, prev.rca.figures, **names)
    if cur.lockouts.available and cur.lockouts.lockouts:
        yield "lockouts", charts.lockouts_daily_figure(cur.lockouts.daily, month=report.month.label)


@dataclass
class ChartImages:
    """PNG bytes per chart name, and why a chart could not be drawn."""

    png: dict[str, bytes] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    mime: str = "image/png"


def chart_images(report: MonthlyReport) -> ChartImages:
    """Render every chart of the report as PNG, concurrently; a chart that fails is noted, not fatal."""
    png, errors = charts.figures_png(each_report_figure(report))
    return ChartImages(png=png, errors=errors)


def print_images(images: ChartImages) -> ChartImages:
    """The same charts as JPEG (quality 90, on white) for the PDF: weasyprint embeds a JPEG as it is
    but decodes and re-compresses every PNG (and its alpha channel), which took about half the PDF's time."""
    from PIL import Image

    jpeg = {}
    for name, data in images.png.items():
        out = io.BytesIO()
        Image.open(io.BytesIO(data)).convert("RGB").save(out, format="JPEG", quality=90)
        jpeg[name] = out.getvalue()
    return ChartImages(png=jpeg, errors=dict(images.errors), mime="image/jpeg")


# -- HTML ------------------------------------------------------------------------------
def _esc(value) -> str:
    return html.escape(str(value))


NUMBER_TEXT = re.compile(r"^([-+]?[\d,.]+( ?(%|pts|min|h|days))?|–)$")
TOKEN_TEXT = re.compile(r"^(?=\S{1,24}$)\S*[-/]\S*$")  # one word with a hyphen or a slash, where a line may break


def table_html(frame: pd.DataFrame, *, tones: list[str] | None = None) -> str:
    """A table of display strings; columns holding numbers right-aligned, the change coloured by tone."""
    numeric = [bool(len(frame)) and all(NUMBER_TEXT.match(str(v)) for v in frame[c]) for c in frame.columns]
    head = "".join(f'<th class="{"num" if n else ""}">{_esc(c)}</th>' for c, n in zip(frame.columns, numeric))
    body = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for column, value, num in zip(frame.columns, row, numeric):
            classes = ["num"] if num else []
            if not num and TOKEN_TEXT.match(str(value)):
                classes.append("token")  # a reference or an address is one word: never broken at its hyphens
            if column == "change" and tones and tones[i]:
                classes.append(tones[i])
            cells.append(f'<td class="{" ".join(classes)}">{_esc(value)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(images: ChartImages, name: str, caption: str) -> str:
    if name in images.png:
        data = base64.b64encode(images.png[name]).decode("ascii")
        return (f'<figure><img alt="{_esc(caption)}" src="data:{images.mime};base64,{data}">'
                f"<figcaption>{_esc(caption)}</figcaption></figure>")
    if name in images.errors:
        return f'<p class="note">Chart not available ({_esc(images.errors[name])}): {_esc(caption)}</p>'
    return ""


def _calendar_note(report: MonthlyReport) -> str:
    table = report.current.sla.table
    calendars = sorted(set(table.loc[table["calendar"] != "24/7", "calendar"]))
    if not calendars:
        return '<p class="note">Every target runs on the 24/7 clock.</p>'
    return (f'<p class="note">Targets in hours run on the 24/7 clock; targets in business days on the '
            f'{_esc(", ".join(calendars))} calendar.</p>')


def _satisfaction(report: MonthlyReport) -> str:
    """The satisfaction chapter: the headline's note, then the share satisfied when the target was met or breached."""
    note = satisfaction_note(report.current.satisfaction)
    body = (f"<p>Surveys answered on the tickets resolved in {_esc(report.month.label)}, as on the SLA page: satisfied "
            f"means a score of 4 or 5 (1 to 5). {_esc(note[:1].upper() + note[1:])}.</p>")
    if not report.current.satisfaction["responses"]:
        body += '<p class="empty">No survey answered this month.</p>'
    return (body + "<h3>Satisfaction when the resolution target was met or breached</h3>"
            "<p>The share satisfied out of the answered surveys, per verdict of the ticket's resolution target.</p>"
            + table_html(tables.satisfaction_table(report)))


def _chapters(report: MonthlyReport, images: ChartImages) -> list[tuple[str, str]]:
    cur, prev, month = report.current, report.previous, report.month
    tones = [tables.change_tone(h) for h in report.headlines]
    chapters = [("Summary",
                 '<ul class="summary">' + "".join(f"<li>{_esc(s)}</li>" for s in report.summary) + "</ul>"
                 + "<h3>Headline figures</h3>" + table_html(tables.headline_table(report), tones=tones)),
                ("SLA compliance",
                 "<p>Compliance = met / (met + breached), each measurement counted in the month it was decided "
                 "(a breach when its deadline passed). Same figures as the SLA page for the month.</p>"
                 + table_html(tables.sla_table(report)) + _calendar_note(report)
                 + _figure(images, "sla", f"Compliance per severity, {month.previous.label} and {month.label}")
                 + _figure(images, "trend", "Compliance per month over six months")),
                ("Customer satisfaction", _satisfaction(report)),
                ("Tickets",
                 "<h3>Volume per channel</h3>" + table_html(tables.volume_table(report))
                 + _figure(images, "volume", "Tickets opened per channel")
                 + "<h3>Backlog at month end</h3><p>Tickets opened and not yet resolved at the end of the month.</p>"
                 + table_html(tables.backlog_table(report)) + _figure(images, "backlog", "Open tickets per severity")
                 + "<h3>E-mail requests raised above severity 4</h3><p>E-mail requests arrive at severity 4; "
                 "the rate is the share an agent raised to a higher severity.</p>"
                 + table_html(tables.reclassification_table(report)))]
    if cur.sla.top_companies.empty:
        top = '<p class="empty">No SLA breach this month.</p>'
    else:
        top = (table_html(tables.top_companies_table(report))
               + _figure(images, "top_companies", "Breaches of the five companies with the most"))
    chapters.append(("Top five companies by breaches", top))
    if cur.incidents.available:
        body = table_html(tables.incident_figures_table(report))
        if cur.incidents.count == 0:
            body += '<p class="empty">No major incidents this month.</p>'
        else:
            body += (table_html(tables.incidents_table(report))
                     + _figure(images, "notification", "Minutes to the first customer notice, per incident"))
        chapters.append(("Major incidents", body))
    if cur.escalations.available:
        body = (f"<p>{_esc(plural(cur.escalations.raised, 'escalation'))} raised in {month.label} "
                f"({prev.escalations.raised:,} in {month.previous.label}).</p>")
        if cur.escalations.open_total == 0:
            body += '<p class="empty">No escalation open at the end of the month.</p>'
        body += table_html(tables.escalations_table(report)) + _figure(images, "escalations",
                                                                       "Open escalations per level at month end")
        chapters.append(("Escalations", body))
    if cur.rca.available:
        chapters.append(("Root cause analyses (RCA)",
                         "<p>An RCA is due a set number of days after the incident's resolution; customers may "
                         "request a copy. Same definitions as the RCA page.</p>"
                         + table_html(tables.rca_table(report)) + _figure(images, "rca", "RCAs and action items")))
    if cur.lockouts.available:
        body = table_html(tables.lockout_table(report))
        if cur.lockouts.lockouts == 0:
            body += '<p class="empty">No account lockouts this month.</p>'
        body += _figure(images, "lockouts", "Account lockouts per day")
        if cur.lockouts.suspected_attacks:
            body += "<h3>Suspected attacks</h3>" + table_html(tables.attacks_table(report))
        else:
            body += '<p class="empty">No suspected attack this month.</p>'
        chapters.append(("Logins and lockouts", body))
    titles = {"incidents": "Major incidents", "escalations": "Escalations", "rca": "Root cause analyses (RCA)",
              "lockouts": "Logins and lockouts"}
    for name, problem in report.problems.items():
        chapters.append((titles[name], f'<p class="note">This section could not be computed: {_esc(problem)}</p>'))
    return chapters


def render_html(report: MonthlyReport, images: ChartImages | None = None) -> str:
    """The whole report as one HTML document (CSS inline, charts as data URIs)."""
    images = images or ChartImages()
    month = report.month
    css = Template(CSS_TEMPLATE.read_text()).safe_substitute(running_title=f"Monthly report · {month.label}")
    chapters = _chapters(report, images)
    tz = ZoneInfo(report.timezone)
    as_of, at_end = report.current.as_of.astimezone(tz), report.current.at_end.astimezone(tz)
    status = "" if report.complete else " The month is still in progress: figures to date."
    contents = "".join(f"<li>{_esc(title)}</li>" for title, _ in chapters)
    body = "".join(f'<section class="chapter"><h2>{i}. {_esc(title)}</h2>{content}</section>'
                   for i, (title, content) in enumerate(chapters, start=1))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Vigie monthly report · {_esc(month.label)}</title><style>{css}</style></head>
<body>
<section class="title-page">
<p class="brand">Vigie</p><h1>Monthly support report</h1><p class="month">{_esc(month.label)}</p>
<p class="meta">Compared with {_esc(month.previous.label)}. Figures as known on {as_of:%d %B %Y at %H:%M}
({_esc(report.timezone)}): a target met or breached counts in the month it was decided. Backlog and open
escalations as at {at_end:%d %B %Y %H:%M}.{status}</p>
<ol>{contents}</ol>
</section>
{body}
</body></html>"""


def html_document(report: MonthlyReport) -> str:
    """The self-contained HTML file, charts included."""
    return render_html(report, chart_images(report))


def pdf_document(report: MonthlyReport, images: ChartImages | None = None) -> bytes:
    """The PDF: the same HTML printed on A4 pages by the process's Chromium (the one that drew the charts), or laid
    out by weasyprint when no browser answers (the charts are then notes too)."""
    images = images or chart_images(report)
    try:
        return charts.print_pdf(render_html(report, images))
    except charts.ChartRenderError:
        return weasyprint_pdf(render_html(report, print_images(images)))


def weasyprint_pdf(html_text: str) -> bytes:
    """``html_text`` laid out as a PDF by weasyprint (no browser needed; 0.6 s to import, about 1 s per report)."""
    from weasyprint import HTML

    return HTML(string=html_text).write_pdf()


def warm_up() -> None:
    """Start the process's Chromium, which draws the charts and prints the PDF, so that the first document does not
    wait for it; returns at once."""
    charts.warm_up()


def output_format(path: str | Path) -> str:
    """'pdf' or 'html' from the file name; ValueError for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"Cannot tell the format of {str(path)!r}: use a .pdf or .html file name")
    return FORMATS[suffix]


def write_report(report: MonthlyReport, path: str | Path) -> ChartImages:
    """Write the report to ``path`` as PDF or HTML (by extension); returns the charts drawn and failed."""
    kind = output_format(path)
    images = chart_images(report)
    data = pdf_document(report, images) if kind == "pdf" else render_html(report, images).encode("utf-8")
    Path(path).write_bytes(data)
    return images
