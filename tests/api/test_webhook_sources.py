"""Jira Service Management and ServiceNow webhooks on ``POST /api/v1/events/{jsm,servicenow}``: each read
with its own signature and body shape (payloads written from the vendors' documentation), idempotent,
refused with the reason naming the field, and agreeing with the file import's value maps."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from analytics.api import intake, routes
from analytics.api.intake import parse_event, sign_canonical, sign_jsm

SECRET = "another-s3cret"


@pytest.fixture
def client(db, monkeypatch):
    monkeypatch.setenv("VIGIE_WEBHOOK_SECRET_JSM", SECRET)
    monkeypatch.setenv("VIGIE_WEBHOOK_SECRET_SERVICENOW", SECRET)
    monkeypatch.setattr(intake, "SECRETS_FILE", db.path.parent / "no-secrets.toml")
    return TestClient(Starlette(routes=routes.api_routes(lambda: db)))


def jira(event="jira:issue_created", *, at: datetime | None = None, **fields) -> bytes:
    """A Jira Cloud webhook body (Jira's field shapes)."""
    at = at or datetime.now(UTC)
    base = {"summary": "VPN refuses every login", "created": "2026-11-16T08:30:00.000+0000",
            "priority": {"name": "High", "id": "2"}, "status": {"name": "Waiting for support"},
            "reporter": {"displayName": "Ana Lima", "emailAddress": "ana@alpha.example"},
            "assignee": {"displayName": "Bruno"}, "issuetype": {"name": "Incident"},
            "components": [{"name": "Network"}], "resolution": None, "resolutiondate": None,
            "customfield_10002": [{"id": 3, "name": "Alpha"}]}
    return json.dumps({"timestamp": int(at.timestamp() * 1000), "webhookEvent": event,
                       "issue": {"id": "10012", "key": "SUP-12", "fields": {**base, **fields}}}).encode()


def jira_headers(body: bytes, *, secret: str = SECRET, delivery: str = "d-1") -> dict[str, str]:
    return {"X-Hub-Signature": sign_jsm(secret, body), "X-Atlassian-Webhook-Identifier": delivery,
            "Content-Type": "application/json"}


def post(client, source: str, body: bytes, headers: dict):
    return client.post(f"/api/v1/events/{source}", content=body, headers=headers)


def test_a_jira_issue_becomes_its_ticket_and_a_retry_or_replay_changes_nothing(db, client):
    body = jira()
    answer = post(client, "jsm", body, jira_headers(body))
    assert (answer.status_code, answer.json()["ticket"], answer.json()["outcome"]) == (202, "SUP-12", "inserted")
    assert db.rows("SELECT reference, severity, channel, team, status, assignee, category, description, source, "
                   "opened_at FROM tickets") == [
        ("SUP-12", 2, "portal", "Network", "waiting for support", "Bruno", "Incident", "VPN refuses every login",
         "api:jsm", datetime(2026, 11, 16, 8, 30, tzinfo=UTC))]
    assert db.rows("SELECT c.name FROM tickets t JOIN companies c ON c.id = t.company_id") == [("Alpha",)]
    # Jira retrying the delivery, and the same body replayed under another delivery id: duplicates
    for delivery in ("d-1", "d-other"):
        again = post(client, "jsm", body, jira_headers(body, delivery=delivery))
        assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert db.scalar("SELECT count(*) FROM api_events WHERE source = 'jsm'") == 1
    resolved = jira("jira:issue_updated", status={"name": "Resolved"}, resolution={"name": "Done"},
                    resolutiondate="2026-11-16T10:05:00.000+0000")
    answer = post(client, "jsm", resolved, jira_headers(resolved, delivery="d-2"))
    assert (answer.status_code, answer.json()["outcome"]) == (202, "updated")
    assert db.rows("SELECT status, resolution_code, resolved_at FROM tickets") == [
        ("resolved", "Done", datetime(2026, 11, 16, 10, 5, tzinfo=UTC))]


def test_a_jira_comment_is_acknowledged_and_writes_nothing(db, client):
    body = jira("comment_created")
    answer = post(client, "jsm", body, jira_headers(body))
    assert (answer.status_code, answer.json()["status"]) == (200, "ignored")
    assert db.scalar("SELECT count(*) FROM tickets") == 0 and db.scalar("SELECT count(*) FROM api_events") == 0


def test_jira_signatures_wrong_missing_or_stale_are_refused(db, client):
    body = jira()
    wrong = post(client, "jsm", body, jira_headers(body, secret="not-it"))
    assert (wrong.status_code, wrong.json()["error"]) == (
        401, "the signature does not match the body (wrong secret, or the body was changed)")
    missing = post(client, "jsm", body, {"Content-Type": "application/json"})
    assert (missing.status_code, missing.json()["error"]) == (
        401, "X-Hub-Signature is required (set a secret on the Jira webhook)")
    old = jira(at=datetime.now(UTC) - timedelta(minutes=61))
    stale = post(client, "jsm", old, jira_headers(old))
    assert stale.status_code == 401 and "the signature is stale" in stale.json()["error"]
    assert "more than 60 minutes from now" in stale.json()["error"]
    within = jira(at=datetime.now(UTC) - timedelta(minutes=59))          # a Jira retry within the hour
    assert post(client, "jsm", within, jira_headers(within)).status_code == 202
    no_time = json.dumps({"webhookEvent": "jira:issue_created", "issue": {"key": "SUP-1", "fields": {}}}).encode()
    answer = post(client, "jsm", no_time, jira_headers(no_time))
    assert (answer.status_code, answer.json()["error"]) == (
        401, "timestamp: Jira's event time in milliseconds is required in the body")


def test_every_jira_priority_reads_as_the_file_import_reads_it():
    for priority, severity in (("Highest", "1"), ("Blocker", "1"), ("High", "2"), ("Medium", "3"),
                               ("Low", "4"), ("Lowest", "4")):
        body = jira(priority={"name": priority})
        assert parse_event("jsm", {}, body)[1]["severity"] == severity
    body = jira(customfield_10002=[])
    assert parse_event("jsm", {}, body)[1]["company"] == "Unknown company"


def servicenow(count="0", **incident) -> bytes:
    """The body of the business rule in the README."""
    base = {"sys_id": "9d385017c611228701d22104cc95c371", "number": "INC0010042", "company": "Beta",
            "caller_id": "Chloé Martin", "caller_email": "chloe@beta.example", "contact_type": "Phone",
            "priority": "1 - Critical", "state": "In Progress", "opened_at": "2026-11-16 07:45:00",
            "resolved_at": "", "closed_at": "", "assigned_to": "Dana", "assignment_group": "Service Desk",
            "category": "network", "cmdb_ci": "Mail", "close_code": "", "short_description": "Mail down"}
    return json.dumps({"sys_mod_count": count, "incident": {**base, **incident}}).encode()


def servicenow_headers(body: bytes, *, as_base64: bool = False) -> dict[str, str]:
    stamp = int(datetime.now(UTC).timestamp())
    if as_base64:       # what CertificateEncryption.generateMac gives a business rule
        digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).digest()
        signature = "sha256=" + base64.b64encode(digest).decode()
    else:
        signature = sign_canonical(SECRET, stamp, body)
    return {"X-Vigie-Timestamp": str(stamp), "X-Vigie-Signature": signature, "Content-Type": "application/json"}


def test_a_servicenow_incident_becomes_its_ticket_once_per_update(db, client):
    body = servicenow()
    answer = post(client, "servicenow", body, servicenow_headers(body, as_base64=True))
    assert (answer.status_code, answer.json()["event_id"], answer.json()["ticket"]) == (
        202, "9d385017c611228701d22104cc95c371@0", "INC0010042")
    assert db.rows("SELECT reference, severity, channel, team, platform, contact_name, source, opened_at "
                   "FROM tickets") == [
        ("INC0010042", 1, "phone", "Service Desk", "Mail", "Chloé Martin", "api:servicenow",
         datetime(2026, 11, 16, 7, 45, tzinfo=UTC))]
    assert post(client, "servicenow", body, servicenow_headers(body)).json()["status"] == "duplicate"
    resolved = servicenow("2", state="Resolved", resolved_at="2026-11-16 09:15:00", close_code="Solved (Permanently)")
    answer = post(client, "servicenow", resolved, servicenow_headers(resolved))
    assert (answer.status_code, answer.json()["outcome"]) == (202, "updated")
    assert db.rows("SELECT status, resolution_code, resolved_at FROM tickets") == [
        ("resolved", "Solved (Permanently)", datetime(2026, 11, 16, 9, 15, tzinfo=UTC))]


@pytest.mark.parametrize("body, status, reason", [
    (servicenow(caller="x"), 400, "incident.caller: unknown field (see the README's ServiceNow business rule)"),
    (json.dumps({"incident": json.loads(servicenow())["incident"]}).encode(), 400,
     "incident.sys_id and sys_mod_count: required (the record's id and update count)"),
    (json.dumps({"sys_mod_count": "1"}).encode(), 400, "incident: an object with the incident's fields is required"),
    (servicenow(priority="9 - Unheard of"), 422, "ticket refused: severity must be 1, 2, 3 or 4, not '9 - Unheard of'"),
])
def test_a_malformed_servicenow_body_is_refused_naming_the_field(db, client, body, status, reason):
    answer = post(client, "servicenow", body, servicenow_headers(body))
    assert (answer.status_code, answer.json()) == (status, {"error": reason})
    assert db.scalar("SELECT count(*) FROM tickets") == 0
