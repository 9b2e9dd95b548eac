"""API tokens (made once, stored hashed, scoped, revoked, audited) and the Prometheus metrics text."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from analytics.api.metrics import metrics_text
from analytics.api.tokens import TokenRefused, create_token, digest, revoke_token, verify
from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import Actor, PermissionDenied, system_actor
from tests.factories import add_ticket, paris

ADMIN = system_actor("admin-test")
MANAGER = Actor(name="Max", email="max@example.com", roles=frozenset({"manager"}))


def test_a_token_is_shown_once_stored_hashed_and_opens_what_its_scope_allows(db):
    token_id, secret = create_token(db, actor=ADMIN, name="Grafana", scope="read")
    assert re.fullmatch(r"vigie_[A-Za-z0-9_-]{43}", secret)
    stored = db.rows("SELECT token_hash, prefix, scope FROM api_tokens WHERE id = ?", [token_id])[0]
    assert stored == (digest(secret), secret[:10], "read")
    assert secret not in str(db.rows("SELECT * FROM audit_log"))          # never the secret in the audit log
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert verify(db, secret, now=now).name == "Grafana"
    assert db.scalar("SELECT last_used_at FROM api_tokens") == now
    verify(db, secret, now=now + timedelta(seconds=30))                    # within a minute: no write
    assert db.scalar("SELECT last_used_at FROM api_tokens") == now
    with pytest.raises(TokenRefused, match="the API token 'Grafana' may only read") as refused:
        verify(db, secret, need="write")
    assert refused.value.status == 403
    revoke_token(db, actor=ADMIN, token_id=token_id)
    with pytest.raises(TokenRefused, match="the API token 'Grafana' was revoked"):
        verify(db, secret)
    with pytest.raises(TokenRefused, match="unknown API token"):
        verify(db, secret + "x")
    with pytest.raises(TokenRefused, match=r"an API token is required: Authorization: Bearer <token>"):
        verify(db, None)
    assert db.rows("SELECT action, entity FROM audit_log ORDER BY id") == [("create", "api_token"),
                                                                          ("revoke", "api_token")]


def test_only_an_admin_makes_or_revokes_a_token_and_bad_input_is_named(db):
    with pytest.raises(PermissionDenied, match="Only a"):
        create_token(db, actor=MANAGER, name="Bot", scope="read")
    with pytest.raises(RuleRefused, match="Name the token after what uses it"):
        create_token(db, actor=ADMIN, name="  ", scope="read")
    with pytest.raises(RuleRefused, match="The scope is read or write, not 'admin'"):
        create_token(db, actor=ADMIN, name="Bot", scope="admin")
    with pytest.raises(RuleRefused, match="There is no API token #9"):
        revoke_token(db, actor=ADMIN, token_id=9)
    assert db.table_count("api_tokens") == 0


def gauges(text: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line and not line.startswith("#")}


def test_metrics_give_todays_sla_decisions_open_measures_and_the_intake_time(db):
    now = paris(2026, 6, 10, 15, 0)
    add_ticket(db, "M-1", severity=1, opened=paris(2026, 6, 10, 9, 0), response=paris(2026, 6, 10, 9, 10),
               resolved=paris(2026, 6, 10, 10, 0))                          # response met, resolution met
    add_ticket(db, "M-2", severity=1, opened=paris(2026, 6, 10, 11, 0), response=paris(2026, 6, 10, 12, 0))
    add_ticket(db, "M-3", severity=3, opened=paris(2026, 6, 10, 14, 30))   # 30 min of 2 h: pending
    text = metrics_text(db, now=now)
    values = gauges(text)
    assert values['vigie_sla_met_today{severity="1",measure="response"}'] == 1
    assert values['vigie_sla_breached_today{severity="1",measure="response"}'] == 1     # answered after 1 h
    assert values['vigie_sla_breached_today{severity="1",measure="resolution"}'] == 1   # 2 h passed at 13:00
    assert values['vigie_sla_met_today{severity="1",measure="resolution"}'] == 1
    assert values['vigie_sla_pending{severity="3",measure="response"}'] == 1
    assert values["vigie_open_incidents"] == 0 and values['vigie_outbox_messages{state="queued"}'] == 0
    assert values["vigie_latest_ticket_opened_timestamp_seconds"] == paris(2026, 6, 10, 14, 30).timestamp()
    assert "# TYPE vigie_sla_at_risk gauge" in text and text.endswith("\n")
