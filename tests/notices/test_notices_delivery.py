"""The outbox delivered to a real SMTP server on loopback (aiosmtpd): what arrives, retries, never twice."""
from __future__ import annotations

from datetime import timedelta

import pytest

from analytics.notices import delivery
from analytics.notices.delivery import deliver
from analytics.notices.queries import incident_messages, outbox_summary
from analytics.settings.service import change_setting
from tests.incidents.factories import ADMIN, utc
from tests.notices.factories import ALPHA_ADMINS, BETA_ADMINS, add_contact, incident_with_admins, later, queue_first_notice

DEFINED = utc(2026, 6, 1, 8, 0)
QUEUED = DEFINED + timedelta(minutes=5)


def test_each_impacted_customer_gets_one_message_with_both_parts(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    draft, queued = queue_first_notice(db, incident.incident_id, now=QUEUED)
    run = deliver(db, config=smtp_server.config(), now=later(QUEUED, 1))
    assert (len(run.accepted), run.retrying, run.failed, run.left_due) == (2, [], [], 0)
    got = {tuple(r.rcpt_tos): r.message for r in smtp_server.received}
    assert sorted(got) == [ALPHA_ADMINS, BETA_ADMINS]
    alpha = got[ALPHA_ADMINS]
    assert alpha["Subject"] == "[INC-2026-0001] Service disruption: Messaging: outgoing messages delayed"
    assert alpha["From"] == "vigie@support.example"
    assert alpha["To"] == "ana@alpha.example, bob@alpha.example"
    assert alpha.get_content_type() == "multipart/alternative"
    plain = alpha.get_body(("plain",)).get_content().replace("\r\n", "\n")  # CRLF on the wire
    assert plain == ("Dear Alpha administrators,\n\nWe are experiencing a severity 2 incident, INC-2026-0001: "
                            "Messaging: outgoing messages delayed.\n\nImpact: Messages leave the platform with a "
                            "delay of up to an hour.\n\nOur teams are working on it. Next update by 01 Jun 2026 11:05 "
                     "(Europe/Paris).\n\nTechnical support\n")
    html_part = alpha.get_body(("html",)).get_content()
    assert "<p>Dear Alpha administrators,</p>" in html_part
    assert "user@alpha.example" not in str(alpha)  # a contact who is not an administrator gets nothing
    assert "Beta" not in plain


def test_a_stopped_server_keeps_the_message_queued_then_it_is_delivered_once(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    smtp_server.stop()
    first = deliver(db, config=smtp_server.config(), now=later(QUEUED, 1))
    assert (first.accepted, len(first.retrying), first.failed) == ([], 1, [])  # unreachable: the run stops
    messages = incident_messages(db, incident_id=incident.incident_id)
    assert messages["status"].tolist() == ["queued", "queued"]
    assert messages["attempts"].tolist() == [1, 0]
    assert messages["delivery"][0].startswith("queued, not delivered yet (attempt 1 failed: cannot reach 127.0.0.1:")
    assert messages["delivery"][1] == "queued, not delivered yet"
    assert db.scalar("SELECT count(*) FROM incident_notifications") == 0  # the clock keeps running
    smtp_server.start()
    early = deliver(db, config=smtp_server.config(), now=later(QUEUED, 1.5))  # the first's backoff (1 min) not over
    assert len(early.accepted) == 1
    back = deliver(db, config=smtp_server.config(), now=later(QUEUED, 2.5))
    assert len(back.accepted) == 1
    again = deliver(db, config=smtp_server.config(), now=later(QUEUED, 10))
    assert (again.accepted, again.retrying, again.failed) == ([], [], [])
    assert sorted(tuple(r.rcpt_tos) for r in smtp_server.received) == [ALPHA_ADMINS, BETA_ADMINS]
    assert db.rows("SELECT message_id, attempt, outcome FROM outbox_attempts ORDER BY message_id, attempt") == [
        (1, 1, "retry"), (1, 2, "accepted"), (2, 1, "accepted")]


def test_a_run_that_dies_after_its_claim_never_sends_that_message_again(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    claimed = db.write(delivery._claim, worker="crashed-run", at=QUEUED)  # claimed, then the process died
    run = deliver(db, config=smtp_server.config(), now=later(QUEUED, 1))
    assert len(run.accepted) == 1 and claimed["id"] not in run.accepted
    assert len(smtp_server.received) == 1
    assert outbox_summary(db, now=later(QUEUED, 1)()) == {"queued": 0, "due": 0, "sending": 1, "accepted": 1,
                                                          "failed": 0}


def test_the_rate_limit_leaves_the_rest_for_the_next_run(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    change_setting(db, actor=ADMIN, name="notices.rate_limit_per_run", value=1)
    run = deliver(db, config=smtp_server.config(), now=later(QUEUED, 1))
    assert (len(run.accepted), run.left_due) == (1, 1)
    assert len(smtp_server.received) == 1
    assert len(deliver(db, config=smtp_server.config(), now=later(QUEUED, 1)).accepted) == 1
    assert len(smtp_server.received) == 2


def test_a_message_is_given_up_after_notices_max_attempts(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    change_setting(db, actor=ADMIN, name="notices.max_attempts", value=2)
    smtp_server.stop()
    assert len(deliver(db, config=smtp_server.config(), now=later(QUEUED, 1)).retrying) == 1
    assert len(deliver(db, config=smtp_server.config(), now=later(QUEUED, 1)).retrying) == 1  # the other one
    assert len(deliver(db, config=smtp_server.config(), now=later(QUEUED, 3)).failed) == 1  # second attempt: given up
    assert len(deliver(db, config=smtp_server.config(), now=later(QUEUED, 3)).failed) == 1
    assert deliver(db, config=smtp_server.config(), now=later(QUEUED, 60)).failed == []
    assert db.rows("SELECT DISTINCT status, attempts FROM outbox") == [("failed", 2)]


def test_a_permanent_refusal_is_stored_with_the_servers_reply(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    smtp_server.handler.reply = "554 5.7.1 Message refused by policy"
    run = deliver(db, config=smtp_server.config(), now=later(QUEUED, 1))
    assert (run.accepted, len(run.failed)) == ([], 2)
    assert db.rows("SELECT DISTINCT status, last_reply FROM outbox") == [("failed", "554 5.7.1 Message refused by policy")]
    messages = incident_messages(db, incident_id=incident.incident_id)
    assert messages["delivery"].tolist() == ["failed after 1 attempt(s): 554 5.7.1 Message refused by policy"] * 2


def test_example_domains_are_never_sent_to_a_real_provider(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    production = smtp_server.config().__class__(host="127.0.0.1", port=smtp_server.port, security="none",
                                                sender="vigie@support.example")
    run = deliver(db, config=production, now=later(QUEUED, 1))
    assert (run.accepted, len(run.failed), smtp_server.received) == ([], 2, [])
    assert db.rows("SELECT DISTINCT last_reply FROM outbox") == [
        ("not sent: every recipient is in a domain reserved for examples",)]


def test_a_company_without_an_administrator_address_is_refused_before_anything_is_queued(db):
    from analytics.kernel.errors import ValidationError
    incident = incident_with_admins(db, defined=DEFINED)
    add_contact(db, "Gamma", None)
    with db.transaction() as cur:
        cur.execute("INSERT INTO incident_companies SELECT ?, id FROM companies WHERE name = 'Gamma'",
                    [incident.incident_id])
    with pytest.raises(ValidationError) as refused:
        queue_first_notice(db, incident.incident_id, now=QUEUED)
    assert refused.value.errors == {"recipients": "Gamma: No recipient: the customer has no contact with an "
                                                  "e-mail address."}
    assert db.scalar("SELECT count(*) FROM outbox") == 0


def test_an_address_in_another_script_is_delivered_with_smtputf8(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    add_contact(db, "Beta", "inès.martin@beta.example")
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    assert len(deliver(db, config=smtp_server.config(), now=later(QUEUED, 1)).accepted) == 2
    beta = next(r for r in smtp_server.received if "cleo@beta.example" in r.rcpt_tos)
    assert beta.rcpt_tos == ["cleo@beta.example", "inès.martin@beta.example"]
    assert beta.message["To"] == "cleo@beta.example, inès.martin@beta.example"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # loopback test server, on purpose
def test_a_refused_login_keeps_the_messages_queued_and_the_right_one_delivers(db):
    from dataclasses import replace

    from tests.notices.smtp_server import LoopbackSmtp

    server = LoopbackSmtp(login=("vigie", "right-password"))
    server.start()
    try:
        incident = incident_with_admins(db, defined=DEFINED)
        queue_first_notice(db, incident.incident_id, now=QUEUED)
        wrong = replace(server.config(), user="vigie", password="wrong-password")
        run = deliver(db, config=wrong, now=later(QUEUED, 1))
        assert (run.accepted, len(run.retrying), run.failed, server.received) == ([], 1, [], [])
        assert db.rows("SELECT status, last_reply FROM outbox ORDER BY id")[0] == (
            "queued", f"127.0.0.1:{server.port}: 535 5.7.8 Authentication credentials invalid")
        right = replace(wrong, password="right-password")
        assert len(deliver(db, config=right, now=later(QUEUED, 5)).accepted) == 2
        assert sorted(tuple(r.rcpt_tos) for r in server.received) == [ALPHA_ADMINS, BETA_ADMINS]
    finally:
        server.stop()
