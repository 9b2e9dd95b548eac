"""The RCA documents: the customer version leaves out staff names and internal notes (read back from the PDF
with pdftotext), the internal one keeps them, the charts are real images, and the exports refuse drafts."""
from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from analytics.cli.main import main
from analytics.kernel.errors import RuleRefused
from analytics.rca import export as rca_export
from analytics.rca import service as rca
from analytics.rca.document import build_document
from analytics.rca.rules import TimelineEntry
from tests.rca.factories import INTERNAL_NOTE, STAFF, SUPERVISOR, action_items, complete_review, resolved_incident

# every test of this file on a frozen clock (ticking on from there): the services' default "now", the
# due dates and the incident's times are the same on any day the suite runs
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris: the same date in Tokyo and Los Angeles
TODAY = date(2026, 11, 16)  # NOW's date in Paris
STARTED = NOW - timedelta(days=12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield
HIDDEN_EVENT = "Vendor hotline called on the personal phone"
OWNER = "Rachid Amrani"
INTERNAL_TEXTS = [*STAFF, OWNER, INTERNAL_NOTE, "sam@example.test", HIDDEN_EVENT,
                  "Customers were notified within 15 minutes.", "The on-call engineer was reached late.",
                  "Monitoring did not alert on queue depth.", "Alpha", "Beta"]
CUSTOMER_TEXTS = ["Outgoing messages were delayed by up to an hour.", "The message queue ran out of workers.",
                  "A marketing campaign doubled the traffic.", "Queue workers were added and the backlog drained.",
                  "Alert on queue depth above 10,000 messages", "Autoscale the queue workers", "Service restored",
                  "Customers affected", "1 h 30 min", "capacity, Messaging"]


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def pdf_images(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "images.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.strip().splitlines()[2:]]  # after two header lines
    return sum(1 for row in rows if row[2] == "image")  # an alpha channel is listed apart as 'smask'


@pytest.fixture
def published(db):
    incident_id = resolved_incident(db, started=STARTED)
    review = complete_review(started=STARTED)
    review = replace(review, timeline=review.timeline + (
        TimelineEntry(STARTED + timedelta(minutes=40), HIDDEN_EVENT, STAFF[0], "", False),))
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id, content=review,
                   actions=action_items(due=TODAY + timedelta(days=20), owner=OWNER))
    rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident_id)
    rca.publish(db, actor=SUPERVISOR, incident_id=incident_id)
    return incident_id


def test_customer_pdf_leaves_out_internal_fields(db, published, tmp_path):
    doc = build_document(db, incident_id=published, audience="customer")
    charts = rca_export.document_charts(doc)
    pdf = rca_export.to_pdf(doc, charts)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    for expected in CUSTOMER_TEXTS:
        assert expected in text, expected
    for internal in INTERNAL_TEXTS:
        assert internal not in text, internal
    assert text.index("1. Overview") < text.index("2. Impact") < text.index("3. Timeline") \
        < text.index("4. Root cause") < text.index("5. Measures taken and planned")
    assert charts[0].png.startswith(b"\x89PNG")
    assert pdf_images(pdf, tmp_path) == 1


def test_internal_pdf_keeps_everything(db, published, tmp_path):
    doc = build_document(db, incident_id=published, audience="internal")
    text = pdf_text(rca_export.to_pdf(doc), tmp_path)
    for expected in [*CUSTOMER_TEXTS, *INTERNAL_TEXTS]:
        assert expected in text, expected
    assert "Internal: handling review (not for customers)" in text


def test_customer_markdown_has_the_same_cut(db, published):
    doc = build_document(db, incident_id=published, audience="customer")
    markdown = rca_export.to_markdown(doc)
    for expected in CUSTOMER_TEXTS:
        assert expected in markdown, expected
    for internal in INTERNAL_TEXTS:
        assert internal not in markdown, internal
    assert "| Alert on queue depth above 10,000 messages |" in markdown
    assert list(doc.timeline.columns) == ["occurred_at", "event"] and doc.internal == {}
    assert all("owner" not in item for item in doc.actions)


def test_without_a_browser_the_pdf_says_the_chart_is_missing(db, published, tmp_path):
    doc = build_document(db, incident_id=published, audience="customer")
    charts = rca_export.document_charts(doc, browser="/nonexistent/chromium")
    assert charts[0].png is None
    pdf = rca_export.to_pdf(doc, charts)
    assert rca_export.CHART_MISSING in pdf_text(pdf, tmp_path)
    assert pdf_images(pdf, tmp_path) == 0


def test_typed_markup_is_text_and_nothing_is_fetched(db, tmp_path):
    incident_id = resolved_incident(db, started=STARTED)
    sneaky = '<img src="http://127.0.0.1:9/leak.png"> <b>bold</b> & co'
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id,
                   content=replace(complete_review(started=STARTED), overview=sneaky),
                   actions=action_items(due=TODAY))
    rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident_id)
    rca.publish(db, actor=SUPERVISOR, incident_id=incident_id)
    doc = build_document(db, incident_id=incident_id, audience="customer")
    assert "&lt;img src=" in rca_export.to_html(doc)
    pdf = rca_export.to_pdf(doc)
    assert sneaky in pdf_text(pdf, tmp_path) and pdf_images(pdf, tmp_path) == 0


def test_no_customer_version_before_publication(db):
    incident_id = resolved_incident(db, started=STARTED)
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id, content=complete_review(started=STARTED))
    with pytest.raises(RuleRefused, match="not published yet"):
        build_document(db, incident_id=incident_id, audience="customer")
    with pytest.raises(RuleRefused, match="only a published revision can be sent to a customer"):
        build_document(db, incident_id=incident_id, revision=1, audience="customer")
    assert build_document(db, incident_id=incident_id, audience="internal").status == "draft"


def test_cli_exports_the_customer_pdf_and_refuses_a_draft(db, published, tmp_path, capsys):
    reference = db.scalar("SELECT reference FROM incidents WHERE id = ?", [published])
    out = tmp_path / "rca.pdf"
    assert main(["rca", "export", reference, "--out", str(out), "--db", str(db.path), "--no-charts"]) == 0
    assert "The message queue ran out of workers." in pdf_text(out.read_bytes(), tmp_path)
    assert f"RCA of {reference}, revision 1, customer version" in capsys.readouterr().out
    draft = resolved_incident(db, started=STARTED + timedelta(days=1))
    rca.save_draft(db, actor=SUPERVISOR, incident_id=draft, content=complete_review(started=STARTED))
    draft_ref = db.scalar("SELECT reference FROM incidents WHERE id = ?", [draft])
    assert main(["rca", "export", draft_ref, "--out", str(tmp_path / "d.md"), "--db", str(db.path)]) == 2
    assert "not published yet" in capsys.readouterr().err
