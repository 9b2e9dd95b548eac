"""Customer satisfaction in the monthly report, on hand-built tickets with the numbers worked out by hand.

Severity 3, resolution target 12 h (24/7); the month is October 2026 (Paris). A ticket belongs to the month
it was resolved in (as the SLA page's Satisfaction section), whenever it was opened.

| ticket | opened | resolved after | resolution | score | month |
|---|---|---|---|---|---|
| A | 30 Sep 23:00 | 3 h (1 Oct) | met | 5 | October |
| B | 6 Oct | 2 h | met | 4 | October |
| C | 7 Oct | 2 h | met | 4 | October |
| D | 8 Oct | 20 h | breached | 1 | October |
| E | 9 Oct | 2 h | met | none | October |
| F | 31 Oct 20:00 | 3 Nov | - | 1 | November (left out) |
| P1, P2 | September | 2 h | met | 5, 2 | September |

October: 5 resolved, 4 answered, 3 of them 4 or 5 = 75.0 %, average (5 + 4 + 4 + 1) / 4 = 3.50; met 3 of 3
(100.0 %, average 4.33), breached 0 of 1 (0.0 %). September: 1 of 2 = 50.0 %.
"""
from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from analytics.reports import tables
from analytics.reports.monthly import build_report
from analytics.reports.render import ChartImages, pdf_document, render_html
from tests.factories import add_ticket, paris
from tests.reports.test_monthly_report import NOW, OCTOBER, seed_two_months

TICKETS = [("A", paris(2026, 9, 30, 23), 3, 5), ("B", paris(2026, 10, 6, 10), 2, 4), ("C", paris(2026, 10, 7, 10), 2, 4),
           ("D", paris(2026, 10, 8, 10), 20, 1), ("E", paris(2026, 10, 9, 10), 2, None),
           ("F", paris(2026, 10, 31, 20), 60, 1), ("P1", paris(2026, 9, 8, 10), 2, 5), ("P2", paris(2026, 9, 9, 10), 2, 2)]


@pytest.fixture
def surveyed(db):
    for reference, opened, hours, score in TICKETS:
        add_ticket(db, reference, severity=3, opened=opened, response=opened + timedelta(minutes=30),
                   resolved=opened + timedelta(hours=hours))
        with db.transaction() as cur:
            cur.execute("UPDATE tickets SET satisfaction = ? WHERE reference = ?", [score, reference])
    return build_report(db, OCTOBER, now=NOW)


def headline(report):
    return next(h for h in report.headlines if h.key == "satisfied_pct")


def test_the_headline_is_the_share_of_answered_surveys_at_4_or_5(surveyed):
    h = headline(surveyed)
    assert (h.label, h.value, h.previous, h.unit, h.better, h.change) == (
        "Customer satisfaction", 75.0, 50.0, "%", "up", 25.0)
    assert h.detail == ("3 of 4 answered surveys on tickets resolved in the month scored 4 or 5; "
                        "average score 3.50 of 5")
    assert tables.change_tone(h) == "better"
    assert surveyed.current.satisfaction == {"resolved": 5, "responses": 4, "response_pct": 80.0,
                                             "average_score": 3.5, "satisfied": 3, "satisfied_pct": 75.0}


def test_the_split_met_against_breached(surveyed):
    table = tables.satisfaction_table(surveyed)
    assert list(table.columns) == ["resolution target", "resolved", "answered surveys", "average score (1-5)",
                                   "Oct 2026", "Sep 2026", "change"]
    assert table.values.tolist() == [
        ["Met", "4", "3", "4.33", "100.0%", "50.0%", "+50.0 pts"],
        ["Breached", "1", "1", "1.00", "0.0%", "–", "–"],
        ["All tickets resolved in the month", "5", "4", "3.50", "75.0%", "50.0%", "+25.0 pts"],
    ]


def test_the_documents_show_the_headline_and_the_split(surveyed):
    html = render_html(surveyed)
    assert "<td class=\"\">Customer satisfaction</td><td class=\"num\">75.0%</td><td class=\"num\">50.0%</td>" in html
    assert "3 of 4 answered surveys on tickets resolved in the month scored 4 or 5; average score 3.50 of 5." in html
    assert "<h2>3. Customer satisfaction</h2>" in html
    assert "<td class=\"\">Breached</td><td class=\"num\">1</td>" in html


def test_a_month_without_an_answered_survey_shows_a_dash(db, tmp_path):
    seed_two_months(db)  # no ticket has a score
    report = build_report(db, OCTOBER, now=NOW)
    h = headline(report)
    assert (h.value, h.previous, h.change) == (None, None, None)
    assert h.detail == "no survey answered on the 6 tickets resolved in the month"
    assert tables.format_value(h.value, h.unit) == "–"
    assert tables.satisfaction_table(report).values.tolist() == [
        ["Met", "4", "0", "–", "–", "–", "–"], ["Breached", "2", "0", "–", "–", "–", "–"],
        ["All tickets resolved in the month", "6", "0", "–", "–", "–", "–"]]
    html = render_html(report)
    assert "<td class=\"\">Customer satisfaction</td><td class=\"num\">–</td><td class=\"num\">–</td>" in html
    assert "No survey answered on the 6 tickets resolved in the month." in html and "nan" not in html.lower()
    path = tmp_path / "october.pdf"
    path.write_bytes(pdf_document(report, ChartImages()))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    lines = {"".join(line.split()) for line in text.splitlines()}
    assert "Customersatisfaction–––" in lines and "Nosurveyansweredthismonth." in lines


def test_an_empty_database_has_no_survey_either(db):
    report = build_report(db, OCTOBER, now=NOW)
    assert headline(report).value is None and headline(report).detail == (
        "no survey answered on the 0 tickets resolved in the month")
    assert "Customer satisfaction" in render_html(report)
