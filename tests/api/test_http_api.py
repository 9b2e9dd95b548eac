"""The HTTP API of a real server (``python -m ui.serve`` on loopback): health, metrics and the SLA
figures as JSON, each refused without a valid token, with the status and the reason in JSON."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from analytics.api.tokens import create_token, revoke_token
from analytics.domains import open_store
from analytics.kernel.roles import system_actor
from tests.browser_support import start_dashboard
from tests.factories import add_ticket, paris

ADMIN = system_actor("admin-test")


def get(url: str, token: str | None = None) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A store with two tickets and three tokens (read, write, revoked), served on loopback."""
    path = tmp_path_factory.mktemp("api") / "api.duckdb"
    db = open_store(path)
    add_ticket(db, "H-1", severity=1, opened=paris(2026, 6, 10, 9, 0), response=paris(2026, 6, 10, 9, 10),
               resolved=paris(2026, 6, 10, 10, 0))
    add_ticket(db, "H-2", severity=3, opened=paris(2026, 6, 10, 11, 0), response=paris(2026, 6, 10, 14, 0))
    tokens = {scope: create_token(db, actor=ADMIN, name=f"{scope} bot", scope=scope)[1] for scope in ("read", "write")}
    revoked_id, tokens["revoked"] = create_token(db, actor=ADMIN, name="old bot", scope="read")
    revoke_token(db, actor=ADMIN, token_id=revoked_id)
    db.close()
    with start_dashboard(path, timeout=120) as url:
        yield url, tokens


def test_health_answers_without_a_token(served):
    url, _ = served
    status, headers, body = get(url + "/api/v1/health")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == {"status": "ok", "tickets": 2, "backend": "duckdb"}


def test_metrics_need_a_valid_token(served):
    url, tokens = served
    for token, code, reason in ((None, 401, "an API token is required: Authorization: Bearer <token>"),
                                ("vigie_not-a-token", 401, "unknown API token"),
                                (tokens["revoked"], 401, "the API token 'old bot' was revoked")):
        status, headers, body = get(url + "/metrics", token)
        assert (status, json.loads(body)) == (code, {"error": reason})
        assert headers["www-authenticate"] == "Bearer"
    status, headers, body = get(url + "/metrics", tokens["read"])
    assert status == 200 and headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "# TYPE vigie_sla_breached_today gauge" in body
    assert f"vigie_latest_ticket_opened_timestamp_seconds {int(paris(2026, 6, 10, 11, 0).timestamp())}" in body


def test_the_sla_figures_as_json_equal_the_command_line(served):
    url, tokens = served
    status, _, body = get(url + "/api/v1/sla?from=2026-06-01&to=2026-07-01&as_of=2026-06-20T12:00:00%2B02:00",
                          tokens["write"])                                 # a write token reads too
    assert status == 200
    rows = {(r["severity"], r["measure"]): r for r in json.loads(body)}
    assert len(rows) == 8
    assert (rows[(1, "response")]["met"], rows[(1, "resolution")]["met"]) == (1, 1)
    assert (rows[(3, "response")]["breached"], rows[(3, "resolution")]["breached"]) == (1, 1)  # 3 h, then 12 h
    for query, reason in (("from=2026-06-01", "to is required (YYYY-MM-DD)"),
                          ("from=2026-06-01&to=June", "to must be a date YYYY-MM-DD, not 'June'"),
                          ("from=2026-06-02&to=2026-06-01", "to must be after from")):
        status, _, body = get(f"{url}/api/v1/sla?{query}", tokens["read"])
        assert (status, json.loads(body)) == (400, {"error": reason})
