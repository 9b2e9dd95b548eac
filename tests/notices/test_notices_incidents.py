"""Customer notices of an incident: templates, hostile titles, and the notification figure measured at the
real SMTP server's acceptance (aiosmtpd on loopback)."""
from __future__ import annotations

from datetime import date, timedelta

from analytics.incidents.queries import get_incident, notify_settings
from analytics.incidents.stats import figures
from analytics.kernel.times import utc_now
from analytics.notices import service as notices
from analytics.notices.delivery import deliver
from analytics.notices.queries import incident_messages, timeline_events
from analytics.notices.rules import html_body
from analytics.notices.smtp import Outgoing, build_message
from analytics.settings.service import change_setting
from tests.incidents.factories import ADMIN, utc
from tests.notices.factories import ALPHA_ADMINS, BETA_ADMINS, incident_with_admins, later, queue_first_notice

DEFINED = utc(2026, 6, 1, 8, 0)
QUEUED = DEFINED + timedelta(minutes=5)
HOSTILE = "Outage\r\nBcc: victim@evil.example\r\nX-Evil: 1\n<b>bold</b> <script>alert(1)</script> **x**"


def test_the_notification_figure_is_the_servers_acceptance_of_the_first_message(db, smtp_server):
    defined = utc_now().replace(microsecond=0) - timedelta(minutes=12)
    incident = incident_with_admins(db, defined=defined)
    queue_first_notice(db, incident.incident_id, now=defined + timedelta(minutes=2))
    settings = notify_settings(db)
    before = get_incident(db, reference=incident.reference, settings=settings, as_of=utc_now())
    assert before["first_notified_at"] is None or str(before["first_notified_at"]) == "NaT"
    assert incident_messages(db, incident_id=incident.incident_id)["delivery"].tolist() == [
        "queued, not delivered yet"] * 2
    deliver(db, config=smtp_server.config())
    first_accepted = db.scalar("SELECT min(accepted_at) FROM outbox")
    received_first = min(r.at for r in smtp_server.received)
    assert received_first <= first_accepted <= received_first + timedelta(seconds=1)  # the reply right after DATA
    after = get_incident(db, reference=incident.reference, settings=settings, as_of=utc_now())
    assert after["first_notified_at"].to_pydatetime() == first_accepted
    row = figures(db, start=date(2000, 1, 1), end=date(2100, 1, 1), settings=settings, as_of=utc_now(), by=()).iloc[0]
    assert row["notified"] == 1
    assert row["notify_median_min"] == round((first_accepted - defined).total_seconds() / 60, 1)
    assert row["within_target"] == 1  # 12 minutes after the impact was defined
    recorded = db.rows("SELECT kind, sent_by, company_ids, recorded_by FROM incident_notifications")
    assert recorded == [("notification", "sam@example.test", sorted(db.scalar(
        "SELECT list(id ORDER BY id) FROM companies")), "outbox")]


def test_a_status_report_after_the_first_notice_is_recorded_as_one(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    deliver(db, config=smtp_server.config(), now=later(QUEUED, 1))
    queue_first_notice(db, incident.incident_id, now=later(QUEUED, 60)(), purpose="status_update")
    deliver(db, config=smtp_server.config(), now=later(QUEUED, 61))
    assert db.rows("SELECT kind, sent_at, next_update_due FROM incident_notifications ORDER BY sent_at") == [
        ("notification", QUEUED + timedelta(minutes=1), QUEUED + timedelta(minutes=61)),
        ("status_update", QUEUED + timedelta(minutes=61), QUEUED + timedelta(minutes=121))]
    events = timeline_events(db, incident_id=incident.incident_id)
    assert events["event"].tolist() == [
        "First notice e-mail to Alpha queued", "First notice e-mail to Alpha accepted by the mail server",
        "First notice e-mail to Beta queued", "First notice e-mail to Beta accepted by the mail server",
        "Status report e-mail to Alpha queued", "Status report e-mail to Alpha accepted by the mail server",
        "Status report e-mail to Beta queued", "Status report e-mail to Beta accepted by the mail server"]


def test_cr_lf_and_markup_in_a_title_add_no_header_no_recipient_and_stay_text(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED, title=HOSTILE)
    draft, _ = queue_first_notice(db, incident.incident_id, now=QUEUED)
    one_line_title = "Outage Bcc: victim@evil.example X-Evil: 1 <b>bold</b> <script>alert(1)</script> **x**"
    assert draft.subject == f"[INC-2026-0001] Service disruption: {one_line_title}"
    deliver(db, config=smtp_server.config(), now=later(QUEUED, 1))
    assert sorted(tuple(r.rcpt_tos) for r in smtp_server.received) == [ALPHA_ADMINS, BETA_ADMINS]
    for received in smtp_server.received:
        message = received.message
        assert message["Bcc"] is None and message["X-Evil"] is None
        assert message["Subject"] == draft.subject
        html_part = message.get_body(("html",)).get_content()
        assert "<script>" not in html_part and "<b>bold</b>" not in html_part
        assert "&lt;b&gt;bold&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; **x**" in html_part
        assert one_line_title in message.get_body(("plain",)).get_content()


def test_a_subject_or_recipient_with_line_breaks_cannot_add_headers_even_when_built_directly():
    from analytics.notices.smtp import SmtpConfig

    config = SmtpConfig(host="127.0.0.1", port=25, security="none", sender="vigie@support.example")
    outgoing = Outgoing(7, ("ana@alpha.example", "x@alpha.example\r\nBcc: victim@evil.example"),
                        "Hello\r\nBcc: victim@evil.example", "text", html_body("text"))
    message = build_message(config, outgoing)
    assert (message["To"], message["Subject"], message["Bcc"]) == (
        "ana@alpha.example", "Hello Bcc: victim@evil.example", None)


def test_templates_are_settings_with_placeholders(db):
    incident = incident_with_admins(db, defined=DEFINED)
    change_setting(db, actor=ADMIN, name="notices.template_notification",
                   value={"subject": "{reference} sev {severity} {unknown}", "body": "Hello {customer}: {status}"})
    draft = notices.compose(db, incident_id=incident.incident_id, purpose="notification", now=QUEUED)
    assert (draft.subject, draft.body) == ("INC-2026-0001 sev 2 {unknown}", "Hello {customer}: declared")
    for name, title in (("notices.template_status_update", "Status"), ("notices.template_resolution", "Done")):
        change_setting(db, actor=ADMIN, name=name, value={"subject": f"{title} {{reference}}", "body": "b"})
    assert notices.compose(db, incident_id=incident.incident_id, purpose="status_update").subject == \
        "Status INC-2026-0001"
    assert notices.compose(db, incident_id=incident.incident_id, purpose="resolution").subject == "Done INC-2026-0001"


def test_the_same_form_token_queues_once(db):
    incident = incident_with_admins(db, defined=DEFINED)
    _, first = queue_first_notice(db, incident.incident_id, now=QUEUED, token="form-1")
    _, again = queue_first_notice(db, incident.incident_id, now=QUEUED, token="form-1")
    assert (first.created, again.created, first.message_ids) == (True, False, again.message_ids)
    assert db.scalar("SELECT count(*) FROM outbox") == 2
    assert db.rows("SELECT action, entity_id FROM audit_log WHERE action LIKE 'notice.%'") == [
        ("notice.queue", "INC-2026-0001")]


def test_a_template_without_its_subject_or_body_is_refused(db):
    import pytest

    from analytics.settings.rules import SettingError
    for value in ({"subject": "only a subject"}, {"subject": "s", "body": ""}, {"subject": "s", "body": 3},
                  {"subject": "s", "body": "b", "extra": "x"}):
        with pytest.raises(SettingError) as refused:
            change_setting(db, actor=ADMIN, name="notices.template_resolution", value=value)
        assert str(refused.value) == ('notices.template_resolution must be {"subject": "...", "body": "..."} '
                                      'with both texts given')
