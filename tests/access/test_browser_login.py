"""Sign-in in a real browser: a local OIDC provider (oidc-provider-mock on loopback), Streamlit's st.login,
each user sees the pages of their roles; an admin's change is audited; local mode refuses a public address."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser_support import open_browser, start_dashboard, wait_for_app
from tests.sign_in_support import identity_provider, nav_titles, sign_in, signed_in_dashboard, titles_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oidc_url():
    """The mock identity provider, on a free loopback port in this process."""
    with identity_provider() as url:
        yield url


@pytest.fixture(scope="module")
def signed_dashboard(oidc_url, demo_db_path, tmp_path_factory):
    """One dashboard for the module, on its own database copy, with [auth] pointing at the mock provider."""
    tmp_path = tmp_path_factory.mktemp("login")
    db_path = tmp_path / "login.duckdb"
    shutil.copyfile(demo_db_path, db_path)
    with signed_in_dashboard(db_path, oidc_url, tmp_path) as url:
        yield url, db_path


@pytest.mark.parametrize("sub, role", [("sam", "supervisor"), ("lee", "leadership")])
def test_a_user_signs_in_and_sees_the_pages_of_their_role(signed_dashboard, sub, role):
    url, _ = signed_dashboard
    with open_browser() as page:
        page.goto(url)
        wait_for_app(page)
        assert page.get_by_role("heading", name="Vigie").is_visible()
        assert page.get_by_test_id("stSidebarNavLink").count() == 0
        sign_in(page, url, sub)
        assert page.get_by_role("heading", name="SLA compliance").is_visible()
        assert nav_titles(page) == titles_for(role)
        assert "Settings" not in nav_titles(page) and "Audit log" not in nav_titles(page)
        assert page.get_by_text(f"Signed in as {sub}@example.com · roles: {role}").is_visible()
        assert page.get_by_text("Local single-user mode").count() == 0

        page.goto(url + "/audit-log")  # a page of another role, by URL
        wait_for_app(page)
        assert page.get_by_text("Page not found").is_visible()
        assert page.get_by_role("heading", name="Audit log").count() == 0
        assert page.get_by_role("heading", name="SLA compliance").is_visible()
        page.keyboard.press("Escape")  # close the "Page not found" dialog

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/oauth2/end_session**")  # Streamlit ends the provider's session too
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(url + "/**")
        wait_for_app(page)
        assert page.get_by_role("button", name="Sign in").is_visible()
        assert page.get_by_test_id("stSidebarNavLink").count() == 0


def test_a_user_without_a_vigie_role_gets_the_no_access_page(signed_dashboard):
    url, _ = signed_dashboard
    with open_browser() as page:
        sign_in(page, url, "eve")
        assert page.get_by_role("heading", name="No access").is_visible()
        assert page.get_by_text("You are signed in as eve@example.com, but your account holds no Vigie role").is_visible()
        assert page.get_by_test_id("stSidebarNavLink").count() == 0
        page.goto(url + "/sla-compliance")
        wait_for_app(page)
        assert page.get_by_role("heading", name="SLA compliance").count() == 0


def test_an_admin_changes_a_setting_and_finds_it_in_the_audit_log(signed_dashboard):
    url, _ = signed_dashboard
    with open_browser() as page:
        sign_in(page, url, "ada")
        assert nav_titles(page) == titles_for("admin")
        page.get_by_test_id("stSidebarNavLink").filter(has_text="Settings").click()
        wait_for_app(page)
        page.get_by_test_id("stSelectbox").filter(has_text="Setting").first.click()
        page.keyboard.type("rca.overdue")  # the list is long and drawn only where it is scrolled: filter it
        page.get_by_role("option", name="rca.overdue_days").click()
        wait_for_app(page)
        expect(page.get_by_role("paragraph").filter(has_text="Days after resolution beyond which")).to_be_visible()
        field = page.get_by_role("spinbutton", name="Value")
        expect(field).to_have_value("10")  # the form now edits rca.overdue_days
        field.fill("14")
        field.press("Tab")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("rca.overdue_days: 10 → 14")).to_be_visible(timeout=30_000)

        page.get_by_test_id("stSidebarNavLink").filter(has_text="Audit log").click()
        wait_for_app(page)
        assert page.get_by_role("heading", name="Audit log").is_visible()
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
        mine = [r for r in rows if r["Who"] == "ada@example.com"]  # the CSV holds the table as shown
        assert [(r["Action"], r["What"], r["Which"], r["Before"], r["After"]) for r in mine] == [
            ("Change", "setting", "rca.overdue_days", "10", "14")]


def test_local_mode_refuses_to_serve_a_public_address(demo_db_path, tmp_path):
    """Bound to every interface without an identity provider: only the refusal is served (checked on loopback)."""
    db_path = tmp_path / "local.duckdb"
    shutil.copyfile(demo_db_path, db_path)
    with start_dashboard(db_path, args=("--server.address", "0.0.0.0")) as url, open_browser() as page:
        page.goto(url)
        wait_for_app(page)
        assert page.get_by_role("heading", name="Vigie cannot start").is_visible()
        assert page.get_by_text("served on 0.0.0.0").is_visible()
        page.goto(url + "/sla-compliance")
        wait_for_app(page)
        assert page.get_by_role("heading", name="SLA compliance").count() == 0
        assert page.get_by_role("heading", name="Vigie cannot start").is_visible()
