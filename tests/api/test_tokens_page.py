"""API tokens on the Settings page (AppTest): an admin makes a token, sees its secret once, revokes it."""
from __future__ import annotations

import re

from analytics.api.tokens import digest
from tests.settings.test_settings_page import app_db, button, read, settings_page  # noqa: F401  (fixture)


def test_an_admin_makes_a_token_sees_it_once_and_revokes_it(app_db):  # noqa: F811
    at = settings_page()
    at.text_input(key="settings_api_token_name").set_value("Grafana")
    button(at, "Make a token").click().run()
    assert not at.exception, [e.value for e in at.exception]
    secret = next(c.value for c in at.code if c.value.startswith("vigie_"))
    assert re.fullmatch(r"vigie_[A-Za-z0-9_-]{43}", secret)
    assert read(app_db, "SELECT name, scope, token_hash FROM api_tokens") == [("Grafana", "read", digest(secret))]
    tokens = next(d.value for d in at.dataframe if "prefix" in d.value.columns)
    assert list(tokens["prefix"]) == [secret[:10]]
    at.run()                                                     # the next run: the secret is gone from the page
    assert not any(c.value.startswith("vigie_") for c in at.code)
    button(at, "Revoke").click().run()
    assert at.success[0].value == "API token #1 revoked: it opens nothing from now on."
    assert read(app_db, "SELECT revoked_by IS NOT NULL FROM api_tokens") == [(True,)]
    assert read(app_db, "SELECT action, entity FROM audit_log WHERE entity = 'api_token' ORDER BY id") == [
        ("create", "api_token"), ("revoke", "api_token")]
