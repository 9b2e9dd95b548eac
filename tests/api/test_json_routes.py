"""The open incidents, open escalations and the next-to-breach queue as JSON (``GET /api/v1/...``, a read token),
equal to what the pages show, on a frozen clock (ticking on) so the clocks are the same any day."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from analytics.api import routes
from analytics.api.tokens import create_token
from analytics.escalations import service as escalations
from analytics.kernel.roles import system_actor
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_ticket
from tests.incidents.factories import SUPERVISOR, declared

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Paris


@pytest.fixture
def api(db):
    with time_machine.travel(NOW, tick=False):
        ensure_intervals(db)
        add_ticket(db, "LATE-1", severity=2, opened=NOW - timedelta(days=4), team="Network", company="Alpha")
        add_ticket(db, "SOON-1", severity=1, opened=NOW - timedelta(minutes=10), response=NOW - timedelta(minutes=5),
                   company="Alpha")
        incident = declared(db, defined=NOW - timedelta(minutes=12))
        escalations.raise_escalation(db, actor=SUPERVISOR, reason="No answer for two days", reason_code="quality",
                                     raised_by="Client", owner="Desk", at=NOW - timedelta(hours=6),
                                     ticket_reference="LATE-1")
        _, token = create_token(db, actor=system_actor("admin-test"), name="grafana", scope="read")
        client = TestClient(Starlette(routes=routes.api_routes(lambda: db)))
        yield client, {"Authorization": f"Bearer {token}"}, incident


def test_open_incidents_with_their_notification_clock(api):
    client, auth, incident = api
    answer = client.get("/api/v1/incidents", headers=auth)
    assert answer.status_code == 200
    [row] = answer.json()
    assert (row["reference"], row["status"], row["first_notified_at"]) == (incident.reference, "declared", None)
    assert row["notify_deadline_at"] == "2026-11-18T09:18:00Z"   # impact defined 08:48 UTC + 30 min
    assert row["notified_late"] is False and "id" not in row


def test_open_escalations_with_their_flag(api):
    client, auth, _ = api
    [row] = client.get("/api/v1/escalations", headers=auth).json()
    assert (row["level"], row["level_name"], row["next_level"], row["ticket"]) == (
        1, "Customer support", "Support supervisor", "LATE-1")
    assert row["flagged"] is True and row["at_level_s"] == 6 * 3600     # unacknowledged past 4 h
    assert row["raised_at"] == "2026-11-18T03:00:00Z"


def test_next_to_breach_as_the_backlog_page_lists_it(api):
    client, auth, _ = api
    rows = client.get("/api/v1/next-to-breach", headers=auth).json()
    assert [(r["reference"], r["measure"], r["breached_while_open"]) for r in rows] == [
        ("LATE-1", "response", True), ("LATE-1", "resolution", True), ("SOON-1", "resolution", False)]
    assert client.get("/api/v1/next-to-breach?hours=0.5", headers=auth).json()[-1]["reference"] == "LATE-1"
    refused = client.get("/api/v1/next-to-breach?hours=soon", headers=auth)
    assert (refused.status_code, refused.json()) == (400, {"error": "hours must be a number of working hours, "
                                                                    "not 'soon'"})


def test_each_needs_a_read_token(api):
    client, _, _ = api
    for path in ("/api/v1/incidents", "/api/v1/escalations", "/api/v1/next-to-breach",
                 "/api/v1/incident-figures?from=2026-11-01&to=2026-12-01"):
        answer = client.get(path)
        assert (answer.status_code, answer.json()) == (
            401, {"error": "an API token is required: Authorization: Bearer <token>"})


def test_incident_figures_answer_the_commands_records_and_name_a_wrong_parameter(api):
    client, auth, _ = api
    answer = client.get("/api/v1/incident-figures", headers=auth,
                        params={"from": "2026-11-01", "to": "2026-12-01", "by": "none", "as_of": NOW.isoformat()})
    # one incident, its impact defined 12 minutes ago: not notified, and neither mark (20, 30 min) passed yet
    assert answer.status_code == 200
    assert [(r["incidents"], r["notified"], r["notify_decided"], r["within_target_pct"], r["resolved"])
            for r in answer.json()] == [(1, 0, 0, None, 0)]
    for query, error in (("to=2026-12-01", "from is required (YYYY-MM-DD)"),
                         ("from=2026-12-01&to=2026-11-01", "to must be after from"),
                         ("from=2026-11-01&to=2026-12-01&by=team",
                          "by must be one of month,severity, month, severity, none, not 'team'")):
        answer = client.get(f"/api/v1/incident-figures?{query}", headers=auth)
        assert (answer.status_code, answer.json()) == (400, {"error": error})
