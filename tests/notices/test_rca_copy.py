"""An RCA copy on request, sent by e-mail: the customer PDF of the published revision reaches the requester
through a real SMTP server on loopback, the request is answered at the server's acceptance, and the RCA
figures count it; refusals name their reason."""
from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.audit.service import load_audit
from analytics.domains import open_store
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import PermissionDenied
from analytics.notices import rca_copy
from analytics.notices.delivery import deliver
from analytics.rca import service as rca
from analytics.rca import tracking
from analytics.rca.rules import TimelineEntry
from analytics.rca.stats import rca_month_figures
from tests.notices.factories import add_contact
from tests.notices.test_notices_cli import smtp_env
from tests.rca.factories import INTERNAL_NOTE, MANAGER, STAFF, SUPERVISOR, action_items, complete_review, resolved_incident

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
STARTED = NOW - timedelta(days=12)
REQUESTED = NOW - timedelta(days=2)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


def fake_pdf(db, incident_id, revision):
    return f"RCA-r{revision}.pdf", b"%PDF-1.7 rca copy"


@pytest.fixture
def request_id(db):
    """A published RCA of an incident impacting Alpha (two administrators, one other contact) and Beta, and
    Alpha's request for it, recorded two days ago."""
    incident_id = resolved_incident(db, started=STARTED)
    review = complete_review(started=STARTED)
    review = replace(review, timeline=review.timeline + (
        TimelineEntry(STARTED + timedelta(minutes=40), "Vendor hotline called", STAFF[0], "", False),))
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id, content=review,
                   actions=action_items(due=date(2026, 12, 6), owner="Rachid Amrani"))
    rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident_id)
    rca.publish(db, actor=SUPERVISOR, incident_id=incident_id)
    add_contact(db, "Alpha", "user@alpha.example", admin=False, name="Uma")
    add_contact(db, "Alpha", "ana@alpha.example", name="Ana")
    company = db.scalar("SELECT id FROM companies WHERE name = 'Alpha'")
    return tracking.record_request(db, actor=SUPERVISOR, incident_id=incident_id, company_id=company,
                                   requested_by="Ana (Alpha IT)", requested_at=REQUESTED)


def test_the_copy_reaches_the_requester_and_answers_the_request_at_the_servers_acceptance(db, request_id,
                                                                                          smtp_server, tmp_path):
    facts = rca_copy.request_facts(db, request_id)
    assert rca_copy.company_addresses(db, facts["company_id"]) == ["ana@alpha.example", "user@alpha.example"]
    message_id = rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=["ana@alpha.example"])
    assert db.scalar("SELECT delivered_at FROM rca_requests") is None  # queued is not delivered
    assert rca_copy.copy_states(db, incident_id=facts["incident_id"]) == {
        request_id: "ana@alpha.example: queued, not delivered yet"}
    run = deliver(db, config=smtp_server.config())
    assert run.accepted == [message_id]
    [received] = smtp_server.received
    assert received.rcpt_tos == ["ana@alpha.example"]
    reference = facts["reference"]
    assert received.message["Subject"] == f"[{reference}] Root-cause analysis: Messaging: outgoing messages delayed"
    published = db.scalar("SELECT published_at FROM rca_published")
    assert received.message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        f"Hello,\n\nAs requested by Ana (Alpha IT), please find attached the root-cause analysis of incident "
        f"{reference} (Messaging: outgoing messages delayed), revision 1, published on {published:%d %b %Y}."
        "\n\nTechnical support\n")
    [attachment] = list(received.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    (tmp_path / "rca.pdf").write_bytes(attachment.get_content())
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "rca.pdf"), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "The message queue ran out of workers." in text   # the customer document...
    for internal in (*STAFF, INTERNAL_NOTE, "Vendor hotline called", "Rachid Amrani"):
        assert internal not in text, internal                 # ...without staff names or internal notes
    accepted = db.scalar("SELECT accepted_at FROM outbox")
    assert db.rows("SELECT delivered_at, delivered_revision FROM rca_requests") == [(accepted, 1)]
    assert rca_copy.copy_states(db, incident_id=facts["incident_id"]) == {
        request_id: "ana@alpha.example: accepted by the mail server"}
    after = json.loads(load_audit(db, action="rca.deliver")["after"].iloc[0])
    assert (after["request"], after["revision"], after["message_id"]) == (request_id, 1, message_id)
    figures = rca_month_figures(db, month_start=date(2026, 11, 1), month_end=date(2026, 12, 1),
                                as_of=accepted + timedelta(minutes=1))
    assert figures["requests_delivered"] == 1 and figures["requests_open_at_end"] == 0
    assert figures["median_days_to_deliver"] == round((accepted - REQUESTED).total_seconds() // 60 / 1440, 1)


def test_with_the_server_down_the_request_stays_open_until_the_copy_is_accepted(db, request_id, smtp_server):
    rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=["ana@alpha.example"],
                            render=fake_pdf)
    smtp_server.stop()
    assert deliver(db, config=smtp_server.config()).retrying != []
    assert db.scalar("SELECT delivered_at FROM rca_requests") is None
    with pytest.raises(RuleRefused, match=rf"^A copy for request #{request_id} is already queued: it is delivered "
                                          r"by the outbox\.$"):
        rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=["ana@alpha.example"],
                                render=fake_pdf)
    smtp_server.start()
    with db.transaction() as cur:  # its backoff over
        cur.execute("UPDATE outbox SET next_attempt_at = ?", [NOW - timedelta(minutes=1)])
    deliver(db, config=smtp_server.config())
    assert len(smtp_server.received) == 1
    assert db.scalar("SELECT delivered_at FROM rca_requests") == db.scalar("SELECT accepted_at FROM outbox")


def test_a_request_marked_delivered_by_hand_keeps_its_time(db, request_id, smtp_server):
    rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=["ana@alpha.example"],
                            render=fake_pdf)
    tracking.mark_delivered(db, actor=SUPERVISOR, request_id=request_id)  # sent elsewhere, recorded now
    by_hand = db.scalar("SELECT delivered_at FROM rca_requests")
    deliver(db, config=smtp_server.config())
    assert db.scalar("SELECT accepted_at FROM outbox") > by_hand
    assert db.scalar("SELECT delivered_at FROM rca_requests") == by_hand
    with pytest.raises(RuleRefused, match=rf"^Request #{request_id} was already delivered on 16 Nov 2026\.$"):
        rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=["ana@alpha.example"],
                                render=fake_pdf)


def test_refusals_name_their_reason_and_write_nothing(db, request_id):
    with pytest.raises(PermissionDenied, match="send an RCA to a customer"):
        rca_copy.queue_rca_copy(db, actor=MANAGER, request_id=request_id, recipients=["ana@alpha.example"],
                                render=fake_pdf)
    with pytest.raises(ValidationError, match="Not a plain e-mail address: 'Ana <ana@alpha.example>'"):
        rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=["Ana <ana@alpha.example>"],
                                render=fake_pdf)
    with pytest.raises(ValidationError, match="No recipient"):
        rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=[], render=fake_pdf)
    with pytest.raises(RuleRefused, match=r"^No RCA request #999\.$"):
        rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=999, recipients=["ana@alpha.example"],
                                render=fake_pdf)
    assert db.scalar("SELECT count(*) FROM outbox") == 0 and db.scalar("SELECT count(*) FROM outbox_files") == 0


def test_an_unpublished_rca_cannot_be_sent(db):
    incident_id = resolved_incident(db, started=STARTED)
    company = db.scalar("SELECT id FROM companies WHERE name = 'Beta'")
    request_id = tracking.record_request(db, actor=SUPERVISOR, incident_id=incident_id, company_id=company,
                                         requested_by="Bea", requested_at=REQUESTED)
    reference = db.scalar("SELECT reference FROM incidents")
    with pytest.raises(RuleRefused, match=rf"^The RCA of {reference} is not published yet: nothing can be sent\.$"):
        rca_copy.queue_rca_copy(db, actor=SUPERVISOR, request_id=request_id, recipients=["bea@beta.example"],
                                render=fake_pdf)



def test_the_review_page_sends_the_copy_and_shows_its_delivery(db, request_id, monkeypatch, smtp_server):
    incident_id = db.scalar("SELECT incident_id FROM rca_requests")
    path = db.path
    db.close()
    smtp_env(monkeypatch, smtp_server)
    monkeypatch.setenv("VIGIE_DB", str(path))
    at = AppTest.from_file(str(ROOT / "pages" / "rca_review.py"), default_timeout=120)
    at.session_state["vigie_actor"] = SUPERVISOR
    at.run()
    at.selectbox(key="rca_review_incident").set_value(incident_id).run()
    assert not at.exception, [e.value for e in at.exception]
    to = at.text_input(key=f"rca_review_copy_to_{request_id}")
    assert to.value == "ana@alpha.example, user@alpha.example"   # the customer's contacts, administrators first
    to.set_value("ana@alpha.example")
    next(b for b in at.button if b.label == "Send the RCA by e-mail").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [
        "RCA revision 1 queued for ana@alpha.example. Delivery via 127.0.0.1: 1 accepted, 0 to retry, "
        "0 failed, 0 left for the next run."]
    assert [m.rcpt_tos for m in smtp_server.received] == [["ana@alpha.example"]]
    requests = next(d.value for d in at.dataframe if "email_copy" in d.value.columns)
    assert requests["email_copy"].tolist() == ["ana@alpha.example: accepted by the mail server"]
    assert requests["delivered_at"].notna().tolist() == [True]
    assert "Send the RCA by e-mail" not in [b.label for b in at.button]   # answered: nothing left to send
    reopened = open_store(path)
    assert reopened.scalar("SELECT delivered_at FROM rca_requests") == reopened.scalar("SELECT accepted_at FROM outbox")
    reopened.close()
