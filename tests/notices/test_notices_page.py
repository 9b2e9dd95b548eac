"""The Incidents page's "Notify impacted customers" under Streamlit's AppTest, with a real SMTP server on loopback."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_ticket, as_shown
from tests.incidents.factories import SUPERVISOR
from tests.notices.factories import incident_with_admins
from tests.notices.test_notices_cli import smtp_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def page_db(tmp_path, monkeypatch):
    path = tmp_path / "notices.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    add_ticket(db, "T-1", severity=2, opened=datetime.now(UTC) - timedelta(hours=1), company="Alpha")
    incident = incident_with_admins(db, defined=datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=8))
    monkeypatch.setenv("VIGIE_DB", str(path))
    yield db, incident
    db.close()


def run(actor) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "incidents.py"), default_timeout=60)
    at.session_state["vigie_actor"] = actor
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_notify_impacted_customers_previews_queues_and_delivers(page_db, monkeypatch, smtp_server):
    db, incident = page_db
    smtp_env(monkeypatch, smtp_server)
    at = run(SUPERVISOR)
    click(at, "Notify impacted customers")
    assert next(t for t in at.text_input if t.label == "Subject").value == (
        f"[{incident.reference}] Service disruption: Messaging: outgoing messages delayed")
    assert [as_shown(c.value) for c in at.caption if c.value.startswith(("Alpha:", "Beta:"))] == [
        "Alpha: ana@alpha.example, bob@alpha.example", "Beta: cleo@beta.example"]
    click(at, "Queue and send")
    assert at.success[0].value == ("Queued for 2 customer(s). Delivery via 127.0.0.1: 2 accepted, 0 to retry, "
                                   "0 failed, 0 left for the next run.")
    assert len(smtp_server.received) == 2
    table = next(d for d in at.dataframe if "delivery" in d.value.columns)
    messages = table.value
    assert all(v.startswith("accepted by the server at ") for v in messages["delivery"])
    labels = {name: c["label"] for name, c in json.loads(table.proto.columns).items() if name != "_index"}
    assert labels == {"kind": "Notice", "company": "Customer", "recipients": "To", "subject": "Subject",
                      "queued_at": "Queued", "delivery": "Delivery"}
    assert messages["company"].tolist() == ["Alpha", "Beta"] and set(messages["kind"]) == {"First notice"}
    first = db.scalar("SELECT min(accepted_at) FROM outbox")
    minutes = (first - db.scalar("SELECT impact_defined_at FROM incidents")).total_seconds() / 60
    assert f"First notification {minutes:.0f} min after the impact was defined" in " ".join(m.value for m in at.markdown)
    events = next(d.value for d in at.dataframe if {"occurred_at", "track", "event"} <= set(d.value.columns))["event"]
    assert "First notice e-mail to Alpha accepted by the mail server" in events.tolist()


def test_without_a_provider_the_page_says_nothing_is_sent(page_db, monkeypatch, tmp_path):
    import analytics.notices.smtp as smtp

    smtp_env(monkeypatch)
    monkeypatch.setattr(smtp, "SECRETS_FILE", tmp_path / "none.toml")
    at = run(SUPERVISOR)
    assert any(i.value.startswith("No mail provider is configured ([smtp] in .streamlit/secrets.toml): nothing is "
                                  "sent from Vigie.") for i in at.info)
    assert not [b for b in at.button if b.label == "Notify impacted customers"]
    assert any(b.label == "Record" for b in at.button)  # recording by hand keeps working


def test_with_the_server_down_the_page_shows_queued_and_the_clock_keeps_running(page_db, monkeypatch, smtp_server):
    db, incident = page_db
    smtp_env(monkeypatch, smtp_server)
    smtp_server.stop()
    at = run(SUPERVISOR)
    click(at, "Notify impacted customers")
    click(at, "Queue and send")
    assert at.success[0].value == ("Queued for 2 customer(s). Delivery via 127.0.0.1: 0 accepted, 1 to retry, "
                                   "0 failed, 1 left for the next run.")
    delivery = next(d.value for d in at.dataframe if "delivery" in d.value.columns)["delivery"].tolist()
    assert delivery[0].startswith("queued, not delivered yet (attempt 1 failed: cannot reach 127.0.0.1:")
    assert delivery[1] == "queued, not delivered yet"
    clocks = [m.value for m in (*at.info, *at.warning, *at.error)]
    assert any(c.startswith("First notification due in ") for c in clocks), clocks
    assert "No customer notification recorded yet." in [m.value for m in at.markdown]
    smtp_server.start()
    click(at, "Retry delivery now")  # the second message is due; the first waits for its backoff
    assert at.success[0].value == "Delivery via 127.0.0.1: 1 accepted, 0 to retry, 0 failed, 0 left for the next run."
    assert len(smtp_server.received) == 1
    assert db.scalar("SELECT count(*) FROM incident_notifications") == 1
