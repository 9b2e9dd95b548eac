"""In a real browser against the README's server: a supervisor notifies the impacted customers of a declared
incident, sees each delivery on the incident's timeline, and the incident's notification figure is the moment
the mail server (aiosmtpd on loopback) received the first notice."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from analytics.domains import open_store
from analytics.notices.queries import incident_timeline
from analytics.sla.calendars import ensure_intervals
from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.factories import add_ticket
from tests.notices.factories import ALPHA_ADMINS, BETA_ADMINS, incident_with_admins

pytestmark = pytest.mark.browser


def test_notify_the_impacted_customers_and_see_the_delivery(tmp_path, smtp_server):
    path = tmp_path / "browser-notify.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    defined = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=8)  # the server runs on the real clock
    add_ticket(db, "T-1", severity=2, opened=defined - timedelta(hours=1), company="Alpha")  # a store with tickets
    incident = incident_with_admins(db, defined=defined)
    db.close()
    env = {"VIGIE_SMTP_HOST": "127.0.0.1", "VIGIE_SMTP_PORT": str(smtp_server.port), "VIGIE_SMTP_SECURITY": "none",
           "VIGIE_SMTP_SENDER": "vigie@support.example", "VIGIE_SMTP_ALLOW_EXAMPLE_DOMAINS": "true"}
    with start_dashboard(path, env=env) as url, open_browser() as page:
        page.goto(url + "/incidents")
        wait_for_app(page)
        page.get_by_role("heading", name=re.compile(incident.reference)).wait_for()
        page.get_by_role("button", name="Notify impacted customers").click()
        wait_for_app(page)
        subject = page.get_by_label("Subject")
        assert subject.input_value() == f"[{incident.reference}] Service disruption: Messaging: outgoing messages delayed"
        page.get_by_role("button", name="Queue and send").click()
        page.get_by_text(re.compile(r"Queued for 2 customer\(s\)\. Delivery via 127\.0\.0\.1: 2 accepted")).wait_for()
        wait_for_app(page)
        main = " ".join(page.locator('[data-testid="stMain"]').inner_text().split())
        received = sorted(smtp_server.received, key=lambda r: r.at)
        assert sorted(sorted(r.rcpt_tos) for r in received) == sorted([sorted(ALPHA_ADMINS), sorted(BETA_ADMINS)])
        minutes = (received[0].at - defined).total_seconds() / 60
        assert f"First notification {minutes:.0f} min after the impact was defined" in main
    db = open_store(path, read_only=True)
    try:
        accepted = db.scalar("SELECT min(accepted_at) FROM outbox")
        # the notification instant is the server's acceptance: its reply came back just after it received the data
        assert timedelta(0) <= accepted - received[0].at < timedelta(seconds=2)
        assert db.scalar("SELECT min(sent_at) FROM incident_notifications") == accepted
        assert db.rows("SELECT status, count(*) FROM outbox GROUP BY 1") == [("accepted", 2)]
        # what the page's timeline table draws (a canvas grid, not readable as text in the browser)
        events = incident_timeline(db, incident_id=incident.incident_id)["event"].tolist()
        assert "First notice e-mail to Alpha accepted by the mail server" in events
        assert "First notice e-mail to Beta accepted by the mail server" in events
    finally:
        db.close()
