"""The pure rules of sign-in (analytics/access/rules.py): claims -> Actor, [auth] checks, the local mode's refusal."""
from __future__ import annotations

import re

import pytest

from analytics.access.rules import (
    ALLOW_PUBLIC_LOCAL_MODE_ENV,
    actor_from_claims,
    auth_config_problem,
    check_role_map,
    claim_values,
    configured_providers,
    is_loopback_address,
    local_mode_refusal,
)
from analytics.kernel.roles import ROLES, Actor, PermissionDenied, require_role
from analytics.settings.rules import BY_NAME

ROLE_MAP = BY_NAME["auth.role_map"].default

# (case, claims, roles_claim, expected roles)
CLAIM_CASES = [
    ("one group", {"groups": ["vigie-supervisors"]}, "groups", {"supervisor"}),
    ("several groups, several roles", {"groups": ["vigie-managers", "vigie-admins", "staff"]}, "groups",
     {"manager", "admin"}),
    ("groups outside the map give nothing", {"groups": ["staff", "everyone"]}, "groups", set()),
    ("no claim at all", {"email": "a@example.com"}, "groups", set()),
    ("a single string claim", {"groups": "vigie-leadership"}, "groups", {"leadership"}),
    ("a comma-separated string claim", {"groups": "vigie-leadership, vigie-managers"}, "groups",
     {"leadership", "manager"}),
    ("another claim name", {"roles": ["vigie-admins"], "groups": ["vigie-managers"]}, "roles", {"admin"}),
    ("a nested claim (Keycloak realm roles)", {"realm_access": {"roles": ["vigie-supervisors"]}},
     "realm_access.roles", {"supervisor"}),
    ("a nested claim that is missing", {"realm_access": {}}, "realm_access.roles", set()),
    ("case matters", {"groups": ["VIGIE-ADMINS"]}, "groups", set()),
]


@pytest.mark.parametrize("case, claims, roles_claim, expected", CLAIM_CASES, ids=[c[0] for c in CLAIM_CASES])
def test_claims_map_to_roles(case, claims, roles_claim, expected):
    actor = actor_from_claims(claims, roles_claim=roles_claim, role_map=ROLE_MAP)
    assert actor.roles == frozenset(expected)


def test_actor_name_and_email_come_from_standard_claims():
    actor = actor_from_claims({"sub": "42", "email": "ana@example.com", "name": "Ana Diaz", "groups": []},
                              role_map=ROLE_MAP)
    assert (actor.name, actor.email, actor.label) == ("Ana Diaz", "ana@example.com", "ana@example.com")
    assert actor_from_claims({"sub": "42"}, role_map=ROLE_MAP).name == "42"
    assert actor_from_claims({"sub": "42", "preferred_username": "ana"}, role_map=ROLE_MAP).label == "ana"


def test_role_map_roles_outside_vigie_are_ignored_and_a_value_may_grant_several():
    role_map = {"ops": ["manager", "supervisor", "superuser"]}
    assert actor_from_claims({"groups": ["ops"]}, role_map=role_map).roles == {"manager", "supervisor"}


def test_claim_values_accepts_lists_strings_and_scalars():
    assert claim_values({"g": ["a", " b ", ""]}, "g") == ["a", "b"]
    assert claim_values({"g": "a,b"}, "g") == ["a", "b"]
    assert claim_values({"g": 7}, "g") == ["7"]
    assert claim_values({"g": None}, "g") == []


@pytest.mark.parametrize("value, message", [
    ({}, "non-empty object"),
    ([], "non-empty object"),
    ({"g": "manager"}, "non-empty list"),
    ({"g": []}, "non-empty list"),
    ({"g": ["boss"]}, "unknown role(s) boss"),
    ({"": ["admin"]}, "non-empty text"),
])
def test_check_role_map_refuses_bad_shapes(value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_role_map(value)


def test_check_role_map_accepts_the_default():
    assert check_role_map(ROLE_MAP) == ROLE_MAP
    assert set(r for roles in ROLE_MAP.values() for r in roles) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_require_role_refuses_every_other_role_and_says_why(role):
    others = [r for r in ROLES if r != role]
    actor = Actor(name="Bo", email="bo@example.com", roles=frozenset(others))
    held = ", ".join(sorted(others))  # the refusal lists the roles held in alphabetical order
    with pytest.raises(PermissionDenied, match=re.escape(
            f"Only a {role} may do the thing; you are signed in as bo@example.com with roles: {held}.") + "$"):
        require_role(actor, role, action="do the thing")
    require_role(Actor(name="Al", roles=frozenset({role})), role, action="do the thing")


def test_require_role_refuses_nobody_and_no_role():
    with pytest.raises(PermissionDenied, match="You must be signed in to change"):
        require_role(None, "admin", action="change")
    with pytest.raises(PermissionDenied, match="roles: none"):
        require_role(Actor(name="x"), "admin", action="change")


# -- the [auth] section -------------------------------------------------------------
FLAT = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s" * 32, "client_id": "vigie",
        "client_secret": "x", "server_metadata_url": "https://idp.example.com/.well-known/openid-configuration"}


def test_configured_providers():
    assert configured_providers({}) == []
    assert configured_providers(FLAT) == ["default"]
    named = {"redirect_uri": "r", "cookie_secret": "c",
             "okta": {"client_id": "a", "client_secret": "b", "server_metadata_url": "m"},
             "entra": {"client_id": "a", "client_secret": "b", "server_metadata_url": "m"}}
    assert configured_providers(named) == ["okta", "entra"]


def test_auth_config_problem_names_what_is_missing():
    assert auth_config_problem(FLAT) is None
    problem = auth_config_problem({k: v for k, v in FLAT.items() if k not in ("cookie_secret", "client_secret")})
    assert problem == "The [auth] section of secrets.toml is incomplete: missing cookie_secret, client_secret."
    assert "client_id" in auth_config_problem({"redirect_uri": "r", "cookie_secret": "c"})
    named = {"redirect_uri": "r", "cookie_secret": "c", "okta": {"client_id": "a"}}
    assert auth_config_problem(named).endswith("missing okta.client_secret, okta.server_metadata_url.")


# -- the local mode's refusal -------------------------------------------------------
ADDRESS_CASES = [
    (None, False), ("", False), ("0.0.0.0", False), ("::", False), ("[::]", False), ("192.168.1.20", False),
    ("10.0.0.5", False), ("203.0.113.9", False), ("vigie.example.com", False),
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("LOCALHOST", True), ("::1", True),
    ("[::1]", True),
]


@pytest.mark.parametrize("address, loopback", ADDRESS_CASES)
def test_loopback_addresses(address, loopback):
    assert is_loopback_address(address) is loopback


@pytest.mark.parametrize("address, loopback", ADDRESS_CASES)
def test_local_mode_refuses_every_non_loopback_address(address, loopback):
    refusal = local_mode_refusal(address, allowed_by_setting=False, environ={})
    if loopback:
        assert refusal is None
    else:
        assert "refuses to run" in refusal and "auth.allow_public_local_mode" in refusal
        assert ALLOW_PUBLIC_LOCAL_MODE_ENV in refusal


def test_unset_address_is_explained_as_every_interface():
    assert "every network interface (server.address is not set)" in local_mode_refusal(
        None, allowed_by_setting=False, environ={})


@pytest.mark.parametrize("setting, env, refused", [
    (True, {}, False),
    (False, {ALLOW_PUBLIC_LOCAL_MODE_ENV: "1"}, False),
    (False, {ALLOW_PUBLIC_LOCAL_MODE_ENV: "true"}, False),
    (False, {ALLOW_PUBLIC_LOCAL_MODE_ENV: "0"}, True),
    (False, {ALLOW_PUBLIC_LOCAL_MODE_ENV: ""}, True),
    (False, {"OTHER": "1"}, True),
])
def test_public_local_mode_only_when_explicitly_allowed(setting, env, refused):
    assert (local_mode_refusal("0.0.0.0", allowed_by_setting=setting, environ=env) is not None) is refused


def test_the_shipped_secrets_example_is_a_complete_auth_section():
    import subprocess
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    example = tomllib.loads((root / ".streamlit" / "secrets.toml.example").read_text())
    assert auth_config_problem(example["auth"]) is None
    assert configured_providers(example["auth"]) == ["default"]
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=root)
    assert ignored.returncode == 0, ".streamlit/secrets.toml must be git-ignored"
