"""What a pushed event carries beside the ticket's clock (issue 18): the Zendesk webhook's satisfaction rating
scored as the Zendesk export's profile scores it (good 5, bad 1, offered or unoffered: no score, which keeps
a stored score), and a canonical event's ``contract`` putting the company under it, audited by the source."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from analytics.api.intake import parse_event, sign_zendesk
from analytics.kernel.roles import system_actor
from analytics.sla.contracts import assignments_table, create_contract
from tests.api.test_event_intake import SECRET, canonical, now_signed, post
from tests.api.test_event_intake import client as client  # noqa: F401  (the fixture)

RATINGS = [("Good", "5"), ("good_with_comment", "5"), ("Bad", "1"), ("bad_with_comment", "1"), ("Offered", ""),
           ("Unoffered", ""), ("", "")]


@pytest.mark.parametrize(("rating", "score"), RATINGS)
def test_every_zendesk_rating_reads_as_the_export_reads_it(rating, score):
    body = json.dumps({"ticket": {"id": "1", "satisfaction": rating}}).encode()
    assert parse_event("zendesk", {"x-zendesk-webhook-invocation-id": "i"}, body)[1]["satisfaction"] == score


def zendesk(client, invocation: str, rating: str):  # noqa: F811
    body = json.dumps({"ticket": {"id": "4821", "organization": "Alpha", "via": "Web", "priority": "high",
                                  "status": "solved", "created_at": "2026-11-16T08:30:00Z",
                                  "solved_at": "2026-11-16T10:30:00Z", "satisfaction": rating}}).encode()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {"X-Zendesk-Webhook-Signature": sign_zendesk(SECRET, stamp, body),
               "X-Zendesk-Webhook-Signature-Timestamp": stamp, "X-Zendesk-Webhook-Invocation-Id": invocation,
               "Content-Type": "application/json"}
    return post(client, body, headers, source="zendesk")


def test_a_rating_arrives_later_and_an_event_without_one_keeps_it(db, client):  # noqa: F811
    assert zendesk(client, "inv-1", "Offered").status_code == 202
    assert db.rows("SELECT reference, satisfaction FROM tickets") == [("ZD-4821", None)]
    assert zendesk(client, "inv-2", "Bad").json()["outcome"] == "updated"
    assert db.scalar("SELECT satisfaction FROM tickets") == 1
    assert zendesk(client, "inv-3", "Offered").json()["outcome"] == "unchanged"
    assert db.scalar("SELECT satisfaction FROM tickets") == 1
    zendesk(client, "inv-4", "good_with_comment")
    assert db.scalar("SELECT satisfaction FROM tickets") == 5


def test_a_canonical_event_naming_a_contract_puts_its_company_under_it(db, client):  # noqa: F811
    create_contract(db, actor=system_actor("admin-test"), name="Premium")
    body = canonical(contract="Premium")
    assert post(client, body, now_signed(body)).status_code == 202
    assert [(r.company, r.contract) for r in assignments_table(db).itertuples()] == [("Alpha", "Premium")]
    assert db.rows("SELECT actor, action FROM audit_log WHERE entity = 'company_contract'") == [
        ("api:canonical", "assign")]
    unknown = canonical(event_id="evt-2", reference="WEB-2", contract="Gold")
    answer = post(client, unknown, now_signed(unknown))
    assert (answer.status_code, answer.json()["error"]) == (
        422, "ticket refused: unknown contract 'Gold' (define it on the Settings page first; known: Premium, Standard)")
