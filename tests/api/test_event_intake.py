"""Events pushed to ``POST /api/v1/events/{source}``: signed (canonical HMAC, Zendesk's scheme), validated by the
file import's rules, applied in one transaction with the SLA ledger kept current, idempotent on the event id,
refused with the reason naming the field; in process (Starlette's client) and over a real server on loopback."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from analytics.api import intake, routes
from analytics.api.intake import IntakeRefused, parse_event, sign_canonical, sign_zendesk, verify
from analytics.audit.service import load_audit
from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from analytics.sla.measures import ON_READ, measures_of
from tests.browser_support import start_dashboard

SECRET = "s3cret-for-tests"
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def canonical(event_id="evt-1", **ticket) -> bytes:
    fields = {"reference": "WEB-1", "company": "Alpha", "channel": "portal", "severity": "2", "status": "open",
              "opened_at": "2026-11-16T09:30:00+01:00", "team": "Network", **ticket}
    return json.dumps({"event_id": event_id, "ticket": fields}).encode()


def signed(body: bytes, *, at: datetime = NOW, secret: str = SECRET) -> dict[str, str]:
    stamp = int(at.timestamp())
    return {"X-Vigie-Timestamp": str(stamp), "X-Vigie-Signature": sign_canonical(secret, stamp, body),
            "Content-Type": "application/json"}


@pytest.fixture
def client(db, monkeypatch):
    """The API routes on the test store, in process; the canonical secret configured."""
    monkeypatch.setenv("VIGIE_WEBHOOK_SECRET_CANONICAL", SECRET)
    monkeypatch.setenv("VIGIE_WEBHOOK_SECRET_ZENDESK", SECRET)
    monkeypatch.setattr(intake, "SECRETS_FILE", db.path.parent / "no-secrets.toml")
    ensure_intervals(db)
    return TestClient(Starlette(routes=routes.api_routes(lambda: db)))


def post(client, body: bytes, headers: dict, source: str = "canonical"):
    return client.post(f"/api/v1/events/{source}", content=body, headers=headers)


def now_signed(body: bytes) -> dict[str, str]:
    return signed(body, at=datetime.now(UTC))


def test_a_signed_event_creates_the_ticket_once_and_keeps_the_ledger_current(db, client):
    body = canonical()
    answer = post(client, body, now_signed(body))
    assert (answer.status_code, answer.json()) == (202, {"status": "accepted", "event_id": "evt-1", "ticket": "WEB-1",
                                                         "outcome": "inserted"})
    assert db.rows("SELECT reference, severity, channel, team, status, source FROM tickets") == [
        ("WEB-1", 2, "portal", "Network", "open", "api:canonical")]
    again = post(client, body, now_signed(body))        # the source delivering the same event again
    assert (again.status_code, again.json()["status"]) == (200, "duplicate")
    assert db.scalar("SELECT count(*) FROM tickets") == 1 and db.scalar("SELECT count(*) FROM api_events") == 1
    # the same event id, resolved: the resolution reaches the ticket and the ledger in the same transaction
    resolved = canonical("evt-2", status="resolved", first_response_at="2026-11-16T09:40:00+01:00",
                         resolved_at="2026-11-16T11:00:00+01:00")
    answer = post(client, resolved, now_signed(resolved))
    assert answer.status_code == 202 and answer.json()["outcome"] == "updated"
    assert db.rows("SELECT kind, from_value, to_value FROM ticket_events WHERE kind = 'status'") == [
        ("status", "open", "resolved")]
    as_of = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    ledger = measures_of(db, as_of=as_of).sort_values("measure").reset_index(drop=True)
    engine = measures_of(db, as_of=as_of, version=ON_READ).sort_values("measure").reset_index(drop=True)
    assert ledger[["measure", "state"]].values.tolist() == [["resolution", "met"], ["response", "met"]]
    assert ledger.equals(engine)
    audit = load_audit(db, action="api.event").sort_values("id")
    assert list(audit["actor"]) == ["api:canonical", "api:canonical"]
    assert [json.loads(a)["outcome"] for a in audit["after"]] == ["inserted", "updated"]


@pytest.mark.parametrize("ticket, reason", [
    ({"severity": "7"}, "ticket refused: severity must be 1, 2, 3 or 4, not '7'"),
    ({"channel": "fax"}, "ticket refused: unknown channel 'fax'"),
    ({"opened_at": "16/11/2026 09:30"}, "ticket refused: unreadable opened_at (ISO 8601 expected)"),
    ({"resolved_at": "2026-11-16T08:00:00+01:00"}, "ticket refused: resolved_at before opened_at"),
    ({"company": ""}, "ticket refused: missing company"),
])
def test_an_invalid_ticket_is_refused_with_the_import_s_reason_and_nothing_is_written(db, client, ticket, reason):
    body = canonical(**ticket)
    answer = post(client, body, now_signed(body))
    assert (answer.status_code, answer.json()) == (422, {"error": reason})
    assert db.scalar("SELECT count(*) FROM tickets") == 0 and db.scalar("SELECT count(*) FROM api_events") == 0
    assert db.scalar("SELECT count(*) FROM companies") == 0


@pytest.mark.parametrize("body, reason", [
    (b"not json", "the body is not JSON: Expecting value: line 1 column 1 (char 0)"),
    (b'{"event_id": "e"}', "ticket: an object with the ticket's fields is required"),
    (json.dumps({"ticket": {"reference": "X"}}).encode(),
     "event_id: required (the source's id of this event, for idempotency)"),
    (json.dumps({"event_id": "e", "ticket": {"refrence": "X"}}).encode(),
     "ticket.refrence: unknown field (the fields are those of the canonical CSV)"),
])
def test_a_malformed_body_is_refused_naming_the_field(client, body, reason):
    answer = post(client, body, now_signed(body))
    assert (answer.status_code, answer.json()) == (400, {"error": reason})


def test_signatures_wrong_stale_missing_or_unconfigured_are_refused(db, client, monkeypatch):
    body = canonical()
    cases = [
        (signed(body, at=datetime.now(UTC), secret="another"), 401,
         "the signature does not match the body (wrong secret, or the body was changed)"),
        ({"Content-Type": "application/json"}, 401, "X-Vigie-Timestamp and X-Vigie-Signature are required"),
    ]
    for headers, status, reason in cases:
        answer = post(client, body, headers)
        assert (answer.status_code, answer.json()) == (status, {"error": reason})
    stale = post(client, body, signed(body, at=datetime.now(UTC) - timedelta(minutes=6)))
    assert stale.status_code == 401 and "the signature is stale" in stale.json()["error"]
    assert post(client, body, now_signed(body), source="jira").json() == {
        "error": "unknown source 'jira': one of canonical, zendesk, jsm, servicenow"}
    monkeypatch.delenv("VIGIE_WEBHOOK_SECRET_CANONICAL")
    refused = post(client, body, now_signed(body))
    assert refused.status_code == 403 and refused.json()["error"].startswith(
        "no shared secret is configured for 'canonical' ([webhooks] canonical in .streamlit/secrets.toml")
    assert db.scalar("SELECT count(*) FROM tickets") == 0


def test_the_signature_check_at_its_bounds():
    body = b"{}"
    for seconds, accepted in ((300, True), (301, False), (-300, True), (-301, False)):
        at = NOW - timedelta(seconds=seconds)
        headers = {"x-vigie-timestamp": str(int(at.timestamp())),
                   "x-vigie-signature": sign_canonical(SECRET, int(at.timestamp()), body)}
        if accepted:
            verify("canonical", headers, body, now=NOW, secret=SECRET)
        else:
            with pytest.raises(IntakeRefused, match="the signature is stale"):
                verify("canonical", headers, body, now=NOW, secret=SECRET)


def test_a_zendesk_webhook_is_read_through_its_template(db, client):
    body = json.dumps({"ticket": {"id": "4821", "organization": "Alpha", "requester_email": "ana@alpha.example",
                                  "via": "Web", "priority": "urgent", "status": "open",
                                  "created_at": "2026-11-16T08:30:00Z", "group": "Platforms",
                                  "subject": "Portal down"}}).encode()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"X-Zendesk-Webhook-Signature": sign_zendesk(SECRET, stamp, body),
               "X-Zendesk-Webhook-Signature-Timestamp": stamp, "X-Zendesk-Webhook-Invocation-Id": "inv-77",
               "Content-Type": "application/json"}
    answer = post(client, body, headers, source="zendesk")
    assert (answer.status_code, answer.json()["ticket"]) == (202, "ZD-4821")
    assert db.rows("SELECT reference, severity, channel, team, contact_email, description, source FROM tickets") == [
        ("ZD-4821", 1, "portal", "Platforms", "ana@alpha.example", "Portal down", "api:zendesk")]
    assert post(client, body, headers, source="zendesk").json()["status"] == "duplicate"
    headers["X-Zendesk-Webhook-Signature"] = sign_zendesk("wrong", stamp, body)
    assert post(client, body, headers, source="zendesk").status_code == 401


def test_parse_maps_every_zendesk_priority():
    for priority, severity in (("urgent", "1"), ("high", "2"), ("normal", "3"), ("low", "4")):
        body = json.dumps({"ticket": {"id": "1", "priority": priority}}).encode()
        assert parse_event("zendesk", {"x-zendesk-webhook-invocation-id": "i"}, body)[1]["severity"] == severity


def test_too_big_or_too_many_at_once_are_refused_with_a_status_a_sender_retries_on(client, monkeypatch):
    big = canonical(description="x" * (intake.MAX_BODY_BYTES + 1))
    answer = post(client, big, now_signed(big))
    assert (answer.status_code, answer.json()) == (413, {"error": "the body is over 256 KiB"})
    monkeypatch.setattr(routes, "MAX_WAITING", 0)
    body = canonical()
    busy = post(client, body, now_signed(body))
    assert (busy.status_code, busy.headers["retry-after"], busy.json()) == (
        429, "2", {"error": "too many events waiting for the store: send it again later"})


def test_over_a_real_server_the_event_is_acknowledged_after_commit(tmp_path):
    path = tmp_path / "intake.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    db.close()
    with start_dashboard(path, env={"VIGIE_WEBHOOK_SECRET_CANONICAL": SECRET}, timeout=120) as url:
        body = canonical("evt-http")
        request = urllib.request.Request(url + "/api/v1/events/canonical", data=body, method="POST",
                                         headers=now_signed(body))
        with urllib.request.urlopen(request, timeout=30) as response:
            assert (response.status, json.loads(response.read())) == (
                202, {"status": "accepted", "event_id": "evt-http", "ticket": "WEB-1", "outcome": "inserted"})
        with urllib.request.urlopen(url + "/api/v1/health", timeout=30) as response:
            assert json.loads(response.read())["tickets"] == 1     # committed before the 202
        bad = urllib.request.Request(url + "/api/v1/events/canonical", data=body, method="POST",
                                     headers={**now_signed(body), "X-Vigie-Signature": "sha256=00"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=30)
        assert refused.value.code == 401


def row_of(body: bytes) -> tuple[str, str, dict]:
    event_id, row = parse_event("canonical", {}, body)
    return "canonical", event_id, row


def test_events_together_are_applied_together_in_order_each_with_its_own_answer(db):
    from analytics.api.intake_batch import apply_events, rounds

    ensure_intervals(db)
    events = [row_of(canonical("a1", reference="B-1")),
              row_of(canonical("a2", reference="B-2", severity="9")),                       # refused alone
              row_of(canonical("a3", reference="B-1", status="resolved",                    # B-1 again: next round
                               resolved_at="2026-11-16T12:00:00+01:00")),
              row_of(canonical("a1", reference="B-1")),                                     # a1 repeated
              row_of(canonical("a4", reference="B-3"))]
    assert rounds(events) == [[0, 1, 4], [2], [3]]   # B-1 three times: three rounds
    results = apply_events(db, events)
    assert [(r.reference, r.outcome, r.duplicate) if not isinstance(r, IntakeRefused) else (r.status, str(r))
            for r in results] == [
        ("B-1", "inserted", False), (422, "ticket refused: severity must be 1, 2, 3 or 4, not '9'"),
        ("B-1", "updated", False), ("B-1", "inserted", True), ("B-3", "inserted", False)]
    assert db.rows("SELECT reference, status FROM tickets ORDER BY 1") == [("B-1", "resolved"), ("B-3", "open")]
    assert db.scalar("SELECT count(*) FROM api_events") == 3


def test_the_writer_answers_every_concurrent_event_once_committed(db):
    from concurrent.futures import ThreadPoolExecutor

    from analytics.api.intake_batch import IntakeWriter

    ensure_intervals(db)
    writer = IntakeWriter(lambda: db, capacity=500)
    bodies = [canonical(f"c{n}", reference=f"C-{n}") for n in range(60)]
    with ThreadPoolExecutor(12) as pool:
        futures = list(pool.map(lambda body: writer.submit(row_of(body)), bodies))
    answers = [f.result(timeout=120) for f in futures]
    assert sorted(a.reference for a in answers) == sorted(f"C-{n}" for n in range(60))
    assert {a.outcome for a in answers} == {"inserted"}
    assert db.scalar("SELECT count(*) FROM tickets") == 60 and db.scalar("SELECT count(*) FROM api_events") == 60


def test_the_pages_caches_are_cleared_by_an_event_that_changed_a_ticket_only(db, monkeypatch):
    monkeypatch.setenv("VIGIE_WEBHOOK_SECRET_CANONICAL", SECRET)
    monkeypatch.setattr(intake, "SECRETS_FILE", db.path.parent / "no-secrets.toml")
    cleared = []
    client = TestClient(Starlette(routes=routes.api_routes(lambda: db, after_write=lambda: cleared.append(1))))
    sends = [canonical("c-1"), canonical("c-1"), canonical("c-2"), canonical("c-3", status="resolved",
             first_response_at="2026-11-16T09:40:00+01:00", resolved_at="2026-11-16T10:00:00+01:00"),
             canonical("c-4", severity="9")]
    outcomes = []
    for body in sends:
        answer = post(client, body, now_signed(body))
        outcomes.append((answer.status_code, answer.json().get("outcome")))
        outcomes.append(len(cleared))
    # inserted: cleared; duplicate, unchanged, refused: not; updated: cleared
    assert outcomes == [(202, "inserted"), 1, (200, "inserted"), 1, (202, "unchanged"), 1, (202, "updated"), 2,
                        (422, None), 2]


def test_a_batch_of_events_clears_the_pages_caches_once(db):
    import threading

    from analytics.api.intake_batch import IntakeWriter

    ensure_intervals(db)
    first_taken, all_queued, cleared, opened = threading.Event(), threading.Event(), [], []

    def open_database():   # the first batch (one event) waits until the 19 others are queued: they make the second
        opened.append(1)
        if len(opened) == 1:
            first_taken.set()
            assert all_queued.wait(30)
        return db

    writer = IntakeWriter(open_database, capacity=100, after_write=lambda: cleared.append(1))
    futures = [writer.submit(row_of(canonical("b0", reference="B-0")))]
    assert first_taken.wait(30)
    futures += [writer.submit(row_of(canonical(f"b{n}", reference=f"B-{n}"))) for n in range(1, 20)]
    all_queued.set()
    answers = [f.result(timeout=120) for f in futures]
    assert [a.outcome for a in answers] == ["inserted"] * 20
    assert (len(opened), len(cleared)) == (2, 2)
    again = [writer.submit(row_of(canonical(f"b{n}", reference=f"B-{n}"))) for n in range(3)]   # duplicates only
    assert [f.result(timeout=120).duplicate for f in again] == [True] * 3
    assert len(cleared) == 2
