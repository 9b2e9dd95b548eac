"""Readable addresses: every page's URL is its menu name in words (/sla-compliance), and opening it opens that page.

AppTest has no address bar: a browser opening ``/sla-compliance`` sends the path as the run's
page name, which is what :func:`opened_at` gives the dashboard's first run (Streamlit's
``RerunData.page_name``), signed in as an administrator or as a role that sees the page; it also
records each "Page not found" the navigation sends. The first page (Streamlit's default, served at
``/``) opens from its own address too, and the script names of before (``/sla``) still work.
"""
from __future__ import annotations

import functools
import shutil
from pathlib import Path

import pytest
from streamlit.commands import navigation
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, local_script_runner

from analytics.access.rules import ALLOW_PUBLIC_LOCAL_MODE_ENV
from analytics.domains import all_pages
from analytics.kernel.registry import PageSpec, url_slug

ROOT = Path(__file__).resolve().parent.parent
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "0123456789abcdef" * 2,
        "client_id": "vigie", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
GROUP_OF = {"manager": "vigie-managers", "supervisor": "vigie-supervisors", "leadership": "vigie-leadership",
            "admin": "vigie-admins"}
ADDRESSES = {
    "pages/sla.py": "sla-compliance", "pages/backlog.py": "backlog", "pages/teams.py": "teams", "pages/incidents.py": "incidents",
    "pages/incident_declare.py": "declare-an-incident", "pages/rca.py": "rca-summaries",
    "pages/rca_review.py": "post-incident-review", "pages/intake.py": "incoming-requests",
    "pages/escalations.py": "escalations", "pages/lockouts.py": "login-lockouts",
    "pages/monthly_report.py": "monthly-report", "pages/settings.py": "settings", "pages/audit.py": "audit-log",
    "pages/imports.py": "import-tickets",
}
SHOWN = [spec for spec in all_pages() if (ROOT / spec.path).is_file()]


@pytest.fixture
def app_db(demo_db_path, tmp_path, monkeypatch):
    path = tmp_path / "urls.duckdb"
    shutil.copyfile(demo_db_path, path)
    monkeypatch.setenv("VIGIE_DB", str(path))
    monkeypatch.delenv(ALLOW_PUBLIC_LOCAL_MODE_ENV, raising=False)
    return path


_INIT, _NOT_FOUND, _RERUN_DATA = PagesManager.__init__, navigation.send_page_not_found, local_script_runner.RerunData


def served_init(self, *args, **kwargs):
    """A session's page manager under ``ui.serve``: Streamlit's old multipage mode off."""
    _INIT(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


def opened_at(address: str, role: str, monkeypatch, not_found: list | None = None) -> AppTest:
    """The dashboard opened at ``/address`` by a user of ``role`` (each "Page not found" sent kept in ``not_found``)."""
    monkeypatch.setattr(local_script_runner, "RerunData", functools.partial(_RERUN_DATA, page_name=address))
    monkeypatch.setattr(PagesManager, "__init__", served_init)  # as `python -m ui.serve` serves it
    monkeypatch.setattr(navigation, "send_page_not_found",
                        lambda ctx: ((not_found if not_found is not None else []).append(address), _NOT_FOUND(ctx)))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": f"{role}@example.com", "name": role, "groups": [GROUP_OF[role]]}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ran_script(at: AppTest) -> str:
    """The page script the last run drew, relative to the project."""
    info = at._registered_pages[at._finished_page_script_hash]
    return Path(info["script_path"]).resolve().relative_to(ROOT).as_posix()


def test_every_page_has_the_address_of_its_name():
    assert {spec.path: spec.url_path for spec in all_pages()} == ADDRESSES
    assert all(spec.url_path == url_slug(spec.title) for spec in all_pages())


def test_an_address_can_be_chosen_and_a_title_is_made_readable():
    assert PageSpec("pages/x.py", "Problem records", "", (), "X", url_path="problems").url_path == "problems"
    assert url_slug("Santé & RCA: résumé") == "sante-rca-resume"


@pytest.mark.parametrize("spec", SHOWN, ids=lambda s: s.url_path)
def test_each_address_opens_its_page(app_db, monkeypatch, spec):
    role = "admin" if "admin" in spec.roles else sorted(spec.roles)[0]
    not_found = []
    at = opened_at(spec.url_path, role, monkeypatch, not_found)
    assert ran_script(at) == spec.path and not_found == []


@pytest.mark.parametrize(("address", "path"), [("sla", "pages/sla.py"), ("monthly_report", "pages/monthly_report.py"),
                                               ("rca_review", "pages/rca_review.py")])
def test_an_address_of_before_opens_its_page(app_db, monkeypatch, address, path):
    not_found = []
    at = opened_at(address, "admin", monkeypatch, not_found)
    assert ran_script(at) == path and not_found == []


def test_an_unknown_address_or_another_roles_page_says_page_not_found(app_db, monkeypatch):
    not_found = []
    at = opened_at("no-such-page", "manager", monkeypatch, not_found)
    assert ran_script(at) == "pages/sla.py" and not_found == ["no-such-page"]
    at = opened_at("audit-log", "manager", monkeypatch, not_found)  # an admin's page
    assert ran_script(at) == "pages/sla.py" and not_found == ["no-such-page", "audit-log"]
