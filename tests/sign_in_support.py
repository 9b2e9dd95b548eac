"""Signing in through a real OpenID Connect flow in browser tests: a mock identity provider on loopback
(oidc-provider-mock), a dashboard whose ``[auth]`` points at it, and the clicks of a user signing in.

Use in a test module::

    from tests.sign_in_support import USERS, identity_provider, signed_in_dashboard, sign_in

    with identity_provider(USERS) as oidc_url, signed_in_dashboard(db_path, oidc_url, tmp_dir) as url:
        with open_browser() as page:
            sign_in(page, url, "lee")
"""
from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

from oidc_provider_mock import User, run_server_in_thread

from analytics.domains import all_pages
from tests import browser_support
from tests.browser_support import ROOT, start_dashboard, wait_for_app

# Groups of the default `auth.role_map` (analytics/settings/rules.py) and one that grants no role (eve).
USERS = [
    User(sub="sam", claims={"email": "sam@example.com", "name": "Sam Supervisor", "groups": ["vigie-supervisors"]}),
    User(sub="lee", claims={"email": "lee@example.com", "name": "Lee Leadership", "groups": ["vigie-leadership"]}),
    User(sub="ada", claims={"email": "ada@example.com", "name": "Ada Admin", "groups": ["vigie-admins", "staff"]}),
    User(sub="eve", claims={"email": "eve@example.com", "name": "Eve Visitor", "groups": ["staff"]}),
]


@contextlib.contextmanager
def identity_provider(users=USERS):
    """The mock identity provider, on a free loopback port in this process; yields its base URL."""
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://127.0.0.1:{server.server_port}"


@contextlib.contextmanager
def signed_in_dashboard(db_path: Path, oidc_url: str, tmp_dir: Path):
    """The README's run command on ``db_path`` with an ``[auth]`` section (in ``tmp_dir``) that points at the
    provider: everyone signs in; yields the dashboard's base URL."""
    port = browser_support.free_port()  # the redirect URI must name the port: choose it before the start
    secrets_file = Path(tmp_dir) / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "vigie-test"\n'
        'client_secret = "vigie-test-secret"\n'
        f'server_metadata_url = "{oidc_url}/.well-known/openid-configuration"\n')
    with start_dashboard(db_path, port=port, args=("--secrets.files", str(secrets_file))) as url:
        yield url


def sign_in(page, url: str, sub: str) -> None:
    """Open the dashboard, press "Sign in" and pick the provider's predefined user ``sub`` (one click)."""
    page.goto(url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(url + "/**")
    wait_for_app(page)


def nav_titles(page) -> set[str]:
    """The page titles in the sidebar menu (each link's last line; the icon's name comes first)."""
    return {link.inner_text().strip().split("\n")[-1] for link in page.get_by_test_id("stSidebarNavLink").all()}


def titles_for(*roles: str) -> set[str]:
    """The titles of the pages that these roles may open."""
    return {spec.title for spec in all_pages() if spec.roles & set(roles) and (ROOT / spec.path).is_file()}
