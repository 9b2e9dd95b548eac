"""The monthly report as documents: the PDF's text holds the month's figures (pdftotext), it looks like a
report (title page, page numbers, charts as images), printed by Chromium or, without one, by weasyprint; the HTML
file stands alone, and the CLI writes both."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analytics.domains import open_store
from analytics.reports import charts as report_charts
from analytics.reports import tables as report_tables
from analytics.reports.monthly import build_report
from analytics.reports.render import chart_images, pdf_document, render_html, report_figures, write_report
from analytics.sla.calendars import ensure_intervals
from analytics.sla.stats import compliance_cli_rows
from tests.reports.test_monthly_report import NOW, OCTOBER, seed_two_months

ROOT = Path(__file__).resolve().parents[2]


def squeeze(text: str) -> str:
    return "".join(text.split())


def pdf_text(path: Path, *pages: int, layout: bool = True) -> str:
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), *first_last, str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture(scope="module")
def fixture_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "two-months.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    seed_two_months(db)
    db.close()
    return path


@pytest.fixture(scope="module")
def report(fixture_path):
    db = open_store(fixture_path)
    try:
        return build_report(db, OCTOBER, now=NOW)
    finally:
        db.close()


@pytest.fixture(scope="module")
def pdf_path(report, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "october.pdf"
    images = write_report(report, path)
    assert images.errors == {}
    return path


def test_pdf_holds_the_months_figures(report, pdf_path, fixture_path):
    lines = {squeeze(line) for line in pdf_text(pdf_path).splitlines()}
    for row in ["Responsecompliance66.7%100.0%-33.3pts", "Resolutioncompliance57.1%100.0%-42.9pts",
                "SLAbreaches50+5", "Ticketsopened63+3", "Backlogatmonthend11+0",
                "E-mailraisedaboveseverity450.0%0.0%+50.0pts", "Majorincidents10+1",
                "2response<1h1233.3%100.0%-66.7pts", "3resolution<12h1150.0%––",
                "1Acme224", "2Gamma011", "E-mail21+1", "Total63+3", "Severity310+1", "Severity401-1",
                "2Supportsupervisor10+1", "Accountlockouts10+1"]:
        assert row in lines, row
    # every row of the SLA table is the `python -m analytics sla` row of the month
    db = open_store(fixture_path)
    try:
        cli = compliance_cli_rows(db, OCTOBER.period(db.timezone), as_of=NOW)
    finally:
        db.close()
    for r in cli.itertuples():
        pct = "–" if r.compliance_pct != r.compliance_pct else f"{r.compliance_pct:.1f}%"
        assert any(line.startswith(f"{r.severity}{r.measure}<") and f"{r.met}{r.breached}{pct}" in line
                   for line in lines), r
    text = " ".join(pdf_text(pdf_path, layout=False).split())
    for sentence in report.summary:
        assert sentence in text, sentence
    assert "INC-2026-0001" in text and "15 min" in text


def producer(path: Path) -> str:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Producer:"))


def test_pdf_looks_like_a_report(report, pdf_path):
    assert producer(pdf_path).startswith("Skia/PDF")  # printed by the Chromium that drew the charts
    pages = page_count(pdf_path)
    assert pages >= 4
    title = pdf_text(pdf_path, 1)
    assert "Monthly support report" in title and "October 2026" in title and "Compared with September 2026" in title
    assert "Page" not in title
    for number in range(2, pages + 1):
        assert f"Page {number} of {pages}" in pdf_text(pdf_path, number), number
    assert "1. Summary" in pdf_text(pdf_path, 2)
    listing = subprocess.run(["pdfimages", "-list", str(pdf_path)], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]
    images = [line.split() for line in listing if line.split()[2] == "image"]
    assert len(images) == len(report_figures(report)) == 9
    assert all(int(cols[3]) == report_charts.PNG_WIDTH * report_charts.PNG_SCALE for cols in images)


def test_html_file_stands_alone(report, tmp_path):
    path = tmp_path / "october.html"
    write_report(report, path)
    html = path.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "<link" not in html and 'src="http' not in html
    assert html.count('src="data:image/png;base64,') == len(report_figures(report))
    assert "Severity 2 response compliance fell from 100.0% to 33.3% (2 breaches)." in html
    assert "<td class=\"num\">66.7%</td>" in html


def test_a_missing_browser_leaves_a_note_not_a_failure(report, monkeypatch, tmp_path):
    monkeypatch.setattr(report_charts, "CHROMIUM", "/nonexistent/chromium")
    images = chart_images(report)
    assert images.png == {} and set(images.errors) == set(report_figures(report))
    html = render_html(report, images)
    assert "Chart not available (no Chromium at /nonexistent/chromium (set VIGIE_CHROMIUM))" in html
    path = tmp_path / "no-browser.pdf"
    path.write_bytes(pdf_document(report, images))  # laid out by weasyprint instead
    assert producer(path).startswith("WeasyPrint")
    pages = page_count(path)
    assert pages >= 4 and f"Page {pages} of {pages}" in pdf_text(path, pages)
    assert "Severity 2 response compliance fell from 100.0% to 33.3%" in " ".join(pdf_text(path, layout=False).split())


def test_empty_sections_say_so(db):
    report = build_report(db, OCTOBER, now=NOW)
    html = render_html(report)
    assert "No SLA breach this month." in html and "No major incidents this month." in html
    assert "No escalation open at the end of the month." in html and "No suspected attack this month." in html
    assert report_tables.incidents_table(report).empty


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", "report", "monthly", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_cli_writes_pdf_and_html(fixture_path, tmp_path):
    for name in ("october.pdf", "october.html"):
        out = tmp_path / name
        done = run_cli("--month", "2026-10", "--db", str(fixture_path), "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert f"monthly report 2026-10 written to {out}" in done.stdout
        assert "6 tickets, 5 SLA breaches" in done.stdout
    assert (tmp_path / "october.pdf").read_bytes().startswith(b"%PDF")
    assert "Severity 2 response compliance fell from 100.0% to 33.3%" in pdf_text(tmp_path / "october.pdf",
                                                                                 layout=False)
    assert "Agents raised 50.0% of e-mail requests" in (tmp_path / "october.html").read_text()


@pytest.mark.parametrize("args, message", [
    (["--month", "2026-10", "--out", "report.txt"], "use a .pdf or .html file name"),
    (["--month", "2026-13", "--out", "report.pdf"], "'2026-13' is not a month (YYYY-MM)"),
    (["--month", "2999-01", "--out", "report.pdf"], "January 2999 has not started yet"),
])
def test_cli_refuses_with_one_line(fixture_path, tmp_path, args, message):
    args = [a if not a.startswith("report.") else str(tmp_path / a) for a in args]
    done = run_cli("--db", str(fixture_path), *args)
    assert done.returncode == 2 and message in done.stderr and not list(tmp_path.iterdir())


def test_cli_refuses_a_missing_database(tmp_path):
    done = run_cli("--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.pdf"))
    assert done.returncode == 2 and "no database at" in done.stderr and not (tmp_path / "none.duckdb").exists()


def test_cli_writes_what_it_can_and_exits_1_when_a_section_fails(tmp_path):
    from tests.reports.test_monthly_report import break_incident_queries

    path = tmp_path / "broken.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    seed_two_months(db)
    break_incident_queries(db)
    db.close()
    out = tmp_path / "october.html"
    done = run_cli("--month", "2026-10", "--db", str(path), "--out", str(out))
    assert done.returncode == 1 and "warning: section incidents left out:" in done.stderr
    html = out.read_text()
    assert "This section could not be computed: " in html and "SLA breaches rose from 0 to 5" in html
