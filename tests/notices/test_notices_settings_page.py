"""The Settings page's mail provider: a test message delivered to a real SMTP server on loopback (AppTest)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store
from analytics.kernel.roles import Actor
from analytics.sla.calendars import ensure_intervals
from tests.factories import as_shown
from tests.notices.test_notices_cli import smtp_env

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("Ada Admin", "ada@admin.example", frozenset({"admin"}))


@pytest.fixture
def page_db(tmp_path, monkeypatch):
    path = tmp_path / "settings.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    monkeypatch.setenv("VIGIE_DB", str(path))
    yield db
    db.close()


def run() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "settings.py"), default_timeout=60)
    at.session_state["vigie_actor"] = ADMIN
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def send(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Send a test message").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_test_message_reaches_the_server_and_the_page_says_so(page_db, monkeypatch, smtp_server):
    smtp_env(monkeypatch, smtp_server)
    at = run()
    assert [as_shown(c.value) for c in at.caption if c.value.startswith("Messages leave through")] == [
        f"Messages leave through 127.0.0.1:{smtp_server.port} (none) as vigie@support.example ([smtp] in "
        ".streamlit/secrets.toml)."]
    send(at)
    accepted = page_db.scalar("SELECT accepted_at FROM outbox")
    assert [r.rcpt_tos for r in smtp_server.received] == [["ada@admin.example"]]
    assert smtp_server.received[0].message["Subject"] == "Vigie: test message"
    assert as_shown(at.success[0].value).startswith("Test message to ada@admin.example: accepted by the server at ")
    assert accepted is not None
    assert page_db.rows("SELECT action, entity, entity_id FROM audit_log WHERE action LIKE 'notice.%' ORDER BY id") == [
        ("notice.queue", "settings", "smtp"), ("notice.accepted", "settings", "smtp")]


def test_a_bad_address_is_refused_and_nothing_is_queued(page_db, monkeypatch, smtp_server):
    smtp_env(monkeypatch, smtp_server)
    at = run()
    next(t for t in at.text_input if t.label == "Send a test message to").set_value("a@b.example\r\nBcc: x@y.example")
    send(at)
    assert [e.value for e in at.error] == ["Give one plain e-mail address (name@domain)."]
    assert page_db.scalar("SELECT count(*) FROM outbox") == 0 and smtp_server.received == []


def test_without_a_provider_the_settings_page_says_nothing_is_sent(page_db, monkeypatch, tmp_path):
    import analytics.notices.smtp as smtp

    smtp_env(monkeypatch)
    monkeypatch.setattr(smtp, "SECRETS_FILE", tmp_path / "none.toml")
    at = run()
    assert at.info[-1].value.startswith("No mail provider is configured")
    assert not [b for b in at.button if b.label == "Send a test message"]


def test_an_admin_edits_a_notice_template_on_the_settings_page(page_db, monkeypatch, tmp_path):
    import json

    import analytics.notices.smtp as smtp
    from analytics.settings.queries import get_setting

    smtp_env(monkeypatch)
    monkeypatch.setattr(smtp, "SECRETS_FILE", tmp_path / "none.toml")
    at = run()
    at.selectbox(key="settings_name").set_value("notices.template_status_update").run()
    area = at.text_area(key="settings_value_notices.template_status_update")
    assert json.loads(area.value)["subject"] == "[{reference}] Status report: {title}"
    area.set_value('{"subject": "Update on {reference}"}')
    next(b for b in at.button if b.label == "Save").click().run()
    assert [as_shown(e.value) for e in at.error] == [
        'notices.template_status_update must be {"subject": "...", "body": "..."} with both texts given']
    at.text_area(key="settings_value_notices.template_status_update").set_value(
        '{"subject": "Update on {reference}", "body": "Still {status}, {customer}."}')
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.error
    assert get_setting(page_db, "notices.template_status_update") == {
        "subject": "Update on {reference}", "body": "Still {status}, {customer}."}
