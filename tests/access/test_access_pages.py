"""Who sees which page (AppTest on dashboard.py): sign-in through st.user, each role, no role, local mode."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from analytics.access.rules import ALLOW_PUBLIC_LOCAL_MODE_ENV
from analytics.domains import all_pages, open_store
from analytics.kernel.roles import ROLES, Actor
from analytics.settings.service import change_setting

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "0123456789abcdef" * 2,
        "client_id": "vigie", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
GROUP_OF = {"manager": "vigie-managers", "supervisor": "vigie-supervisors", "leadership": "vigie-leadership",
            "admin": "vigie-admins"}
SETTINGS_ADMIN = Actor(name="setup", roles=frozenset({"admin"}))


@pytest.fixture
def app_db(demo_db_path, tmp_path, monkeypatch):
    """A private copy of the small demo database, used by the dashboard through VIGIE_DB."""
    path = tmp_path / "pages.duckdb"
    shutil.copyfile(demo_db_path, path)
    monkeypatch.setenv("VIGIE_DB", str(path))
    monkeypatch.delenv(ALLOW_PUBLIC_LOCAL_MODE_ENV, raising=False)
    return path


@pytest.fixture
def served_on():
    """Set streamlit's server.address for the test (AppTest itself serves nothing)."""
    before = st_config.get_option("server.address")
    yield lambda address: st_config.set_option("server.address", address)
    st_config.set_option("server.address", before)


def dashboard(user: dict | None = None, auth: dict | None = AUTH) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    if auth is not None:
        at.secrets["auth"] = auth
    if user is not None:
        at.user = user
    return at


def signed_in(*groups: str, email: str = "someone@example.com") -> dict:
    return {"is_logged_in": True, "email": email, "name": email.split("@")[0], "groups": list(groups)}


def registered(at: AppTest) -> set[str]:
    """The page scripts the last run's st.navigation offered, relative to the project."""
    found = set()
    for spec in all_pages():
        try:
            at.switch_page(spec.path)
        except ValueError:
            continue
        found.add(spec.path)
    at._page_hash = ""  # stay where the run finished
    return found


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def expected_pages(*roles: str) -> set[str]:
    return {spec.path for spec in all_pages() if spec.roles & set(roles) and (ROOT / spec.path).is_file()}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_pages_of_its_role(app_db, role):
    at = dashboard(signed_in(GROUP_OF[role], email=f"{role}@example.com")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert registered(at) == expected_pages(role)
    assert "pages/sla.py" in registered(at)
    assert ("pages/settings.py" in registered(at)) is (role == "admin")
    assert ("pages/audit.py" in registered(at)) is (role == "admin")
    assert titles(at) == ["SLA compliance"]
    assert at.sidebar.caption[0].value == f"Signed in as **{role}@example.com** · roles: {role}"
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    assert not any("Local single-user mode" in w.value for w in at.warning)


def test_a_user_holding_several_roles_sees_the_union(app_db):
    at = dashboard(signed_in("vigie-supervisors", "vigie-leadership", "unrelated")).run()
    assert registered(at) == expected_pages("supervisor", "leadership")


def test_a_signed_in_user_without_a_mapped_role_gets_the_no_access_page(app_db):
    at = dashboard(signed_in("everyone", "staff", email="visitor@example.com")).run()
    assert not at.exception
    assert titles(at) == ["No access"]
    assert "visitor@example.com" in at.warning[0].value and "no Vigie role" in at.warning[0].value
    assert "It sent: everyone, staff." in at.markdown[0].value
    assert "**vigie-admins** (admin)" in at.markdown[1].value
    assert [b.label for b in at.button] == ["Sign out"]
    assert registered(at) == set()


def test_before_sign_in_only_the_sign_in_page_exists(app_db):
    at = dashboard({"is_logged_in": False}).run()
    assert not at.exception
    assert titles(at) == ["Vigie"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert registered(at) == set()


def test_named_providers_get_one_button_each(app_db):
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    auth = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
            "okta": provider, "entra": provider}
    at = dashboard({"is_logged_in": False}, auth=auth).run()
    assert [b.label for b in at.button] == ["Sign in with okta", "Sign in with entra"]


def test_an_incomplete_auth_section_stops_rather_than_falling_back_to_local_mode(app_db):
    at = dashboard(signed_in("vigie-admins"), auth={"client_id": "vigie"}).run()
    assert titles(at) == ["Vigie cannot start"]
    assert "missing redirect_uri, cookie_secret, client_secret, server_metadata_url" in at.error[0].value
    assert registered(at) == set()


def test_the_role_map_and_claim_are_settings(app_db):
    db = open_store(app_db)
    change_setting(db, actor=SETTINGS_ADMIN, name="auth.roles_claim", value="roles")
    change_setting(db, actor=SETTINGS_ADMIN, name="auth.role_map", value={"Vigie.Admin": ["admin"]})
    db.close()
    user = {"is_logged_in": True, "email": "it@example.com", "roles": ["Vigie.Admin"], "groups": ["vigie-managers"]}
    at = dashboard(user).run()
    assert registered(at) == expected_pages("admin")
    at = dashboard(signed_in("vigie-managers")).run()
    assert titles(at) == ["No access"]


def test_a_page_outside_the_roles_cannot_be_reached_by_staying_on_its_url(app_db):
    """An admin opens the audit log; the same session, now a manager, asks for it again: it gets the default page."""
    at = dashboard(signed_in("vigie-admins")).run()
    at.switch_page("pages/audit.py").run()
    assert titles(at) == ["Audit log"]
    at.user = signed_in("vigie-managers")
    at.run()
    assert titles(at) == ["SLA compliance"]
    assert "pages/audit.py" not in registered(at)


def test_switching_to_a_page_runs_it_through_the_entry(app_db):
    """A page request goes through sign-in and the sidebar, not straight to the page script."""
    at = dashboard(signed_in("vigie-admins", email="ada@example.com")).run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert titles(at) == ["Settings"]
    assert at.sidebar.caption[0].value.startswith("Signed in as **ada@example.com**")


# -- local single-user mode ------------------------------------------------------------
def test_local_mode_gives_every_role_and_says_so(app_db):
    at = dashboard(auth=None).run()
    assert not at.exception
    assert registered(at) == expected_pages(*ROLES)
    assert any(w.value.startswith("Local single-user mode: no identity provider is configured") for w in at.warning)
    assert at.sidebar.caption[0].value == "Signed in as **local** · roles: admin, leadership, manager, supervisor"
    assert [b.label for b in at.sidebar.button] == []


def test_local_mode_on_loopback_runs(app_db, served_on):
    served_on("127.0.0.1")
    at = dashboard(auth=None).run()
    assert titles(at) == ["SLA compliance"]


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20"])
def test_local_mode_refuses_a_public_address(app_db, served_on, address):
    served_on(address)
    at = dashboard(auth=None).run()
    assert titles(at) == ["Vigie cannot start"]
    assert f"served on {address}" in at.error[0].value
    assert registered(at) == set()
    with pytest.raises(ValueError, match=r"^Could not find a navigation page for '\S*pages/sla\.py'\. .*"
                                         r"Known pages: \['Vigie cannot start'\]\.$"):
        at.switch_page("pages/sla.py")


def test_local_mode_on_a_public_address_when_the_setting_allows_it(app_db, served_on):
    db = open_store(app_db)
    change_setting(db, actor=SETTINGS_ADMIN, name="auth.allow_public_local_mode", value=True)
    db.close()
    served_on("0.0.0.0")
    at = dashboard(auth=None).run()
    assert titles(at) == ["SLA compliance"]
    assert any("Local single-user mode" in w.value for w in at.warning)


def test_local_mode_on_a_public_address_when_the_operator_allows_it(app_db, served_on, monkeypatch):
    monkeypatch.setenv(ALLOW_PUBLIC_LOCAL_MODE_ENV, "1")
    served_on("0.0.0.0")
    at = dashboard(auth=None).run()
    assert titles(at) == ["SLA compliance"]


def test_an_identity_provider_may_serve_a_public_address(app_db, served_on):
    served_on("0.0.0.0")
    at = dashboard(signed_in("vigie-leadership")).run()
    assert titles(at) == ["SLA compliance"]
    assert registered(at) == expected_pages("leadership")


def _probe_script():
    """An app recording where the entry's guard would consider itself (see ui/entry.py)."""
    import streamlit as st

    from ui.entry import _in_callback_or_fragment

    st.session_state["probe_body"] = _in_callback_or_fragment()

    def on_click():
        st.session_state["probe_callback"] = _in_callback_or_fragment()

    st.button("Go", on_click=on_click)

    @st.fragment
    def part():
        st.session_state["probe_fragment"] = _in_callback_or_fragment()

    part()


def test_the_entry_guard_tells_callbacks_and_fragments_from_full_runs():
    """Callbacks and fragments belong to an earlier full run that came through the entry: no re-entry there."""
    at = AppTest.from_function(_probe_script).run()
    at.button[0].click().run()
    assert (at.session_state["probe_body"], at.session_state["probe_callback"],
            at.session_state["probe_fragment"]) == (False, True, True)
