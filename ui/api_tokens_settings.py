"""API tokens on the Settings page (admins): the tokens with their scope and last use, make one (its
secret shown once, to copy), revoke one. Logic is in ``analytics.api.tokens``."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from analytics.api.tokens import SCOPES, create_token, list_tokens, revoke_token
from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import Actor, PermissionDenied
from analytics.store.database import Database
from analytics.store.errors import DatabaseError
from ui.columns import TIMESTAMP, Col
from ui.tables import show_table
from ui.text import literal

SECRET_KEY = "settings_api_secret"
TOKEN_COLUMNS = {"id": Col("Token"), "name": Col("Used by"), "scope": Col("Scope"),
                 "prefix": Col("Starts with", help="the first characters of its secret"),
                 "created_by": Col("Made by"), "created_at": Col("Made", TIMESTAMP),
                 "last_used_at": Col("Last used", TIMESTAMP), "revoked_at": Col("Revoked", TIMESTAMP),
                 "revoked_by": Col("Revoked by")}
SCOPE_HELP = {"read": "read: the figures (/metrics, /api/v1/...)", "write": "write: push events, and read"}


def tokens_section(db: Database, actor: Actor, saved: Callable[[str], None]) -> None:
    """The tokens, the form to make one, and revocation."""
    st.subheader("API tokens")
    st.caption("Other tools read Vigie's figures over HTTP with a token: `Authorization: Bearer <token>` "
               "(see the README, \"HTTP API\"). Only a hash of each token is kept.")
    secret = st.session_state.pop(SECRET_KEY, None)
    if secret:
        st.warning("Copy this token now: it is shown once and cannot be read again.", icon=":material/key:")
        st.code(secret, language=None)
    tokens = list_tokens(db)
    if not tokens.empty:
        tokens["id"] = tokens["id"].map(lambda i: f"#{i}")
        show_table(tokens, key="settings_api_tokens", tz=db.timezone, columns=TOKEN_COLUMNS)
    with st.form("settings_api_token_form"):
        cols = st.columns(2)  # the scope's meaning is read in full (checked at 1280 px by test_layout_fits)
        name = cols[0].text_input("Used by", key="settings_api_token_name", placeholder="e.g. Grafana")
        scope = cols[1].selectbox("Scope", SCOPES, format_func=SCOPE_HELP.get, key="settings_api_token_scope")
        made = st.form_submit_button("Make a token")
    if made:
        try:
            token_id, secret = create_token(db, actor=actor, name=name, scope=scope)
        except (RuleRefused, PermissionDenied, DatabaseError) as exc:
            st.error(literal(exc), icon=":material/error:")
        else:
            st.session_state[SECRET_KEY] = secret
            saved(f"API token #{token_id} made for {name.strip()}.")
            st.rerun()
    live = tokens[tokens["revoked_at"].isna()] if not tokens.empty else tokens
    if live.empty:
        return
    choices = {int(r.id.lstrip("#")): f"{r.id} · {r.name} ({r.scope})" for r in live.itertuples()}
    with st.form("settings_api_revoke_form"):
        picked = st.selectbox("Token to revoke", list(choices), format_func=choices.get, key="settings_api_revoke")
        revoke = st.form_submit_button("Revoke")
    if revoke:
        try:
            revoke_token(db, actor=actor, token_id=int(picked))
        except (RuleRefused, PermissionDenied, DatabaseError) as exc:
            st.error(literal(exc), icon=":material/error:")
        else:
            saved(f"API token #{picked} revoked: it opens nothing from now on.")
            st.rerun()
