"""The pure rules of signing in, testable without Streamlit.

How an identity provider's claims map to an :class:`~analytics.kernel.roles.Actor`
(:func:`actor_from_claims`), when the ``[auth]`` section of secrets.toml is usable, and when the
embedded local single-user mode must refuse to run because it is served beyond loopback
(:func:`local_mode_refusal`). The roles themselves and the role check live in the kernel.
"""
from __future__ import annotations

import ipaddress

from analytics.kernel.roles import ROLES, Actor


# -- sign-in: identity-provider claims -> Actor ---------------------------------------
def claim_values(claims: dict, claim: str) -> list[str]:
    """The values of ``claim`` (a dotted path such as ``realm_access.roles``) as strings.

    A list claim gives its items; a string claim is split on commas (some providers send
    ``"a,b"``); a missing claim gives an empty list.
    """
    value: object = claims
    for part in claim.split("."):
        if not isinstance(value, dict) or part not in value:
            return []
        value = value[part]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [] if value is None else [str(value)]


def roles_from_claims(claims: dict, *, roles_claim: str, role_map: dict[str, list[str]]) -> frozenset[str]:
    """The Vigie roles that the claim's values map to (names outside ROLES are ignored)."""
    granted: set[str] = set()
    for value in claim_values(claims, roles_claim):
        mapped = role_map.get(value, [])
        granted.update([mapped] if isinstance(mapped, str) else mapped)
    return frozenset(granted & set(ROLES))


def actor_from_claims(claims: dict, *, roles_claim: str = "groups",
                      role_map: dict[str, list[str]]) -> Actor:
    """The Actor for a signed-in user: name and e-mail from the standard claims, roles mapped."""
    email = str(claims.get("email") or "")
    name = str(claims.get("name") or claims.get("preferred_username") or email or claims.get("sub") or "unknown")
    return Actor(name=name, email=email,
                 roles=roles_from_claims(claims, roles_claim=roles_claim, role_map=role_map))


def check_role_map(value: object) -> dict[str, list[str]]:
    """Refuse a role map that is not {claim value: [Vigie roles]} with known roles."""
    if not isinstance(value, dict) or not value:
        raise ValueError("The role map must be a non-empty object of claim value -> list of roles.")
    for key, roles in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError("Every claim value of the role map must be a non-empty text.")
        if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
            raise ValueError(f"{key!r} must map to a non-empty list of roles.")
        unknown = sorted(set(roles) - set(ROLES))
        if unknown:
            raise ValueError(f"{key!r} maps to unknown role(s) {', '.join(unknown)}; "
                             f"roles are {', '.join(ROLES)}.")
    return value


# -- identity-provider configuration (the [auth] section of secrets.toml) ---------------
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def configured_providers(auth_section: dict) -> list[str]:
    """Provider names to offer: ``"default"`` for a flat [auth] section, else its [auth.NAME] tables."""
    if not auth_section:
        return []
    if auth_section.get("client_id"):
        return ["default"]
    return [name for name, value in auth_section.items() if isinstance(value, dict) and value.get("client_id")]


def auth_config_problem(auth_section: dict) -> str | None:
    """What is missing from a present [auth] section, or None when it is usable."""
    missing = [key for key in ("redirect_uri", "cookie_secret") if not auth_section.get(key)]
    providers = configured_providers(auth_section)
    if not providers:
        missing.append("client_id (in [auth] or an [auth.NAME] table)")
    for name in providers:
        section = auth_section if name == "default" else auth_section[name]
        missing += [f"{key}" if name == "default" else f"{name}.{key}"
                    for key in PROVIDER_KEYS if not section.get(key)]
    if not missing:
        return None
    return "The [auth] section of secrets.toml is incomplete: missing " + ", ".join(missing) + "."


# -- the embedded local mode: never exposed by accident ---------------------------------
ALLOW_PUBLIC_LOCAL_MODE_ENV = "VIGIE_ALLOW_PUBLIC_LOCAL_MODE"
TRUE_WORDS = {"1", "true", "yes", "on"}


def is_loopback_address(address: str | None) -> bool:
    """True when a server bound to ``address`` is reachable from this machine only.

    Streamlit binds every interface when ``server.address`` is unset, so an empty address
    is public; so is any host name but ``localhost`` (it may resolve anywhere).
    """
    if not address:
        return False
    host = address.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_mode_refusal(address: str | None, *, allowed_by_setting: bool,
                       environ: dict | None = None) -> str | None:
    """Why the local single-user mode must not run on ``address``, or None when it may."""
    if is_loopback_address(address):
        return None
    env_value = str((environ or {}).get(ALLOW_PUBLIC_LOCAL_MODE_ENV, "")).strip().lower()
    if allowed_by_setting or env_value in TRUE_WORDS:
        return None
    shown = address or "every network interface (server.address is not set)"
    return (f"Vigie is in local single-user mode (no identity provider is configured), in which "
            f"everyone who reaches it holds every role, and it is served on {shown}. It refuses to run "
            f"that way. Either serve it on a loopback address (--server.address 127.0.0.1), or connect "
            f"an identity provider in .streamlit/secrets.toml (README: Sign-in and roles), or, for a "
            f"deliberate demo, allow it with the setting auth.allow_public_local_mode or the "
            f"environment variable {ALLOW_PUBLIC_LOCAL_MODE_ENV}=1.")
