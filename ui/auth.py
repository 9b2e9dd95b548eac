"""Who is using this Streamlit session, and the pages shown when they may see nothing else.

:func:`resolve_session` decides, on every run, between the two modes:

- **identity provider**: an ``[auth]`` section in secrets.toml. The user signs in with
  ``st.login`` (OIDC through Authlib); the claims in ``st.user`` become an Actor through the
  settings ``auth.roles_claim`` and ``auth.role_map`` (``analytics.access.rules.actor_from_claims``).
- **local single-user mode**: no ``[auth]`` section. One user with every role, announced by a
  banner, refused when served beyond loopback unless explicitly allowed
  (``analytics.access.rules.local_mode_refusal``).

The rules live in ``analytics/access/rules.py``; this module only reads Streamlit's state and draws.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import streamlit as st
from streamlit import config as st_config

from analytics.access.rules import (
    actor_from_claims,
    auth_config_problem,
    claim_values,
    configured_providers,
    local_mode_refusal,
)
from analytics.kernel.roles import Actor, anonymous_actor, local_actor
from analytics.settings.queries import get_setting
from analytics.store.database import Database
from ui.text import literal

ACTOR_OVERRIDE_KEY = "vigie_actor"  # tests (AppTest) may put an Actor here; widgets cannot
LOCAL_MODE_TEXT = ("Local single-user mode: no identity provider is configured, so whoever opens this "
                   "dashboard holds every role. Connect your organisation's sign-in before sharing it "
                   "(README, “Sign-in and roles”).")


@dataclass(frozen=True)
class Session:
    """The outcome of sign-in for one run."""

    mode: str                      # "oidc", "local" or "override" (tests)
    actor: Actor
    signed_in: bool
    problem: str | None = None     # why the dashboard must show nothing but this message
    claims: dict = field(default_factory=dict)
    providers: tuple[str, ...] = ()


def auth_section() -> dict:
    """The [auth] section of secrets.toml, or {} when there is none (or no secrets file at all)."""
    if not st.secrets.load_if_toml_exists():
        return {}
    return _plain(st.secrets.get("auth") or {})


def _plain(value):
    """Secrets' nested AttrDicts as plain dicts (the rules in analytics/ expect dicts)."""
    return {k: _plain(v) for k, v in value.items()} if isinstance(value, Mapping) else value


def served_address() -> str | None:
    """The address the server listens on (``server.address``; unset means every interface).

    Under AppTest nothing is served, so an unset address counts as loopback there; a test
    that sets ``server.address`` gets the real decision.
    """
    address = st_config.get_option("server.address")  # the module's function: AppTest patches it
    if not address and st_config.get_option("global.appTest"):
        return "localhost"
    return address


def resolve_session(db: Database) -> Session:
    """Who is acting in this run, and whether the dashboard may show its pages at all."""
    override = st.session_state.get(ACTOR_OVERRIDE_KEY)
    if isinstance(override, Actor):
        return Session("override", override, True)
    section = auth_section()
    if section:
        problem = auth_config_problem(section)
        providers = tuple(configured_providers(section))
        if problem:
            return Session("oidc", anonymous_actor(), False, problem)
        claims = st.user.to_dict()
        if not claims.get("is_logged_in"):
            return Session("oidc", anonymous_actor(), False, providers=providers)
        actor = actor_from_claims(claims, roles_claim=get_setting(db, "auth.roles_claim"),
                                  role_map=get_setting(db, "auth.role_map"))
        return Session("oidc", actor, True, claims=claims, providers=providers)
    refusal = local_mode_refusal(served_address(),
                                 allowed_by_setting=bool(get_setting(db, "auth.allow_public_local_mode")),
                                 environ=dict(os.environ))
    if refusal:
        return Session("local", anonymous_actor(), False, refusal)
    return Session("local", local_actor(), True)


# -- what is drawn -------------------------------------------------------------------
def show_problem(session: Session) -> None:
    """The only page when the dashboard must not run (local mode exposed, broken [auth])."""
    st.title("Vigie cannot start")
    st.error(session.problem, icon=":material/block:")
    st.stop()


def show_sign_in(session: Session) -> None:
    """The only page before signing in: one button per configured identity provider."""
    st.title("Vigie")
    st.write("Support operations dashboard. Sign in with your organisation's account to continue.")
    for name in session.providers:
        label = "Sign in" if name == "default" else f"Sign in with {name}"
        if st.button(label, key=f"auth_sign_in_{name}", type="primary", icon=":material/login:"):
            st.login(None if name == "default" else name)


def show_no_access(session: Session, db: Database) -> None:
    """The only page for a signed-in user whose claims map to no Vigie role."""
    st.title("No access")
    st.warning(f"You are signed in as {literal(session.actor.label)}, but your account holds no Vigie role, "
               "so there is nothing to show you.", icon=":material/lock:")
    claim = get_setting(db, "auth.roles_claim")
    role_map = get_setting(db, "auth.role_map")
    seen = claim_values(session.claims, claim)
    st.markdown(f"Vigie reads the **{literal(claim)}** claim sent by your identity provider. "
                f"It sent: {literal(', '.join(seen)) if seen else 'nothing'}.")
    st.write("Ask your administrator to add you to one of: "
             + "; ".join(f"**{literal(value)}** ({', '.join(roles)})" for value, roles in role_map.items()) + ".")
    st.button("Sign out", key="auth_sign_out_no_access", on_click=st.logout, icon=":material/logout:")


def show_account(session: Session) -> None:
    """The sidebar box: who is signed in, their roles, and how to sign out."""
    with st.sidebar:
        roles = ", ".join(sorted(session.actor.roles))
        st.caption(f"Signed in as **{literal(session.actor.label)}** · roles: {roles}")
        if session.mode == "oidc":
            st.button("Sign out", key="auth_sign_out", on_click=st.logout, icon=":material/logout:")


def local_mode_banner() -> None:
    """The banner shown on every page in local single-user mode."""
    st.warning(LOCAL_MODE_TEXT, icon=":material/person:")
