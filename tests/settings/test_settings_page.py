"""The Settings page (AppTest): every setting listed; an admin changes one or an SLA target; refusals say why."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store
from analytics.kernel.roles import Actor
from analytics.settings.rules import SETTINGS
from tests.factories import as_shown

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "0123456789abcdef" * 2,
        "client_id": "vigie", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


@pytest.fixture
def app_db(demo_db_path, tmp_path, monkeypatch):
    path = tmp_path / "settings.duckdb"
    shutil.copyfile(demo_db_path, path)
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path


def read(path, sql, params=None):
    db = open_store(path)
    try:
        return db.rows(sql, params)
    finally:
        db.close()


def settings_page(email="ada@example.com", groups=("vigie-admins",)) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": email, "groups": list(groups)}
    at.run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Settings"]
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_every_setting_is_listed_with_value_default_and_help(app_db):
    at = settings_page()
    table = at.dataframe[0].value
    assert list(table["name"]) == [s.name for s in SETTINGS]
    assert {"value", "default", "help"} <= set(table.columns)
    row = table.set_index("name").loc["lockout.threshold"]
    assert (row["value"], row["default"]) == ("6", "6")
    targets = at.dataframe[1].value
    assert len(targets) == 8
    assert targets.query("severity == 4 and measure == 'Resolution'")["target_unit"].item() == "Business days"


def test_an_admin_changes_a_number_and_the_change_is_audited(app_db):
    at = settings_page()
    at.selectbox(key="settings_name").set_value("lockout.threshold").run()
    at.number_input(key="settings_value_lockout.threshold").set_value(8)
    button(at, "Save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["lockout.threshold: 6 → 8"]
    assert at.dataframe[0].value.set_index("name").loc["lockout.threshold", "value"] == "8"
    assert read(app_db, "SELECT value FROM settings WHERE name = 'lockout.threshold'") == [("8",)]
    assert read(app_db, "SELECT actor, action, entity, entity_id, before, after FROM audit_log "
                        "WHERE actor = 'ada@example.com'") == [
        ("ada@example.com", "change", "setting", "lockout.threshold", "6", "8")]


def test_a_refused_value_says_why_and_writes_nothing(app_db):
    at = settings_page()
    at.selectbox(key="settings_name").set_value("sla.at_risk_share").run()
    at.number_input(key="settings_value_sla.at_risk_share").set_value(1.5)
    button(at, "Save").click().run()
    assert [as_shown(e.value) for e in at.error] == ["sla.at_risk_share must be a number from 0.05 to 1; 1.5 is not"]
    assert read(app_db, "SELECT count(*) FROM audit_log WHERE actor = 'ada@example.com'") == [(0,)]


def test_a_list_is_edited_as_json_and_bad_json_is_explained(app_db):
    at = settings_page()
    at.selectbox(key="settings_name").set_value("escalation.chain").run()
    area = at.text_area(key="settings_value_escalation.chain")
    assert json.loads(area.value)[0] == "Customer support"
    area.set_value('["Desk", "Supervisor"')
    button(at, "Save").click().run()
    assert "must be a list in JSON" in at.error[0].value
    at.text_area(key="settings_value_escalation.chain").set_value('["Desk", "Supervisor", "Director"]')
    button(at, "Save").click().run()
    assert not at.error
    assert read(app_db, "SELECT value FROM settings WHERE name = 'escalation.chain'") == [
        ('["Desk", "Supervisor", "Director"]',)]


def test_reset_to_default(app_db):
    at = settings_page()
    at.selectbox(key="settings_name").set_value("auth.allow_public_local_mode").run()
    at.toggle(key="settings_value_auth.allow_public_local_mode").set_value(True)
    button(at, "Save").click().run()
    assert [as_shown(s.value) for s in at.success] == ["auth.allow_public_local_mode: false → true"]
    button(at, "Reset to default").click().run()
    assert [as_shown(s.value) for s in at.success] == ["auth.allow_public_local_mode: true → false"]
    assert read(app_db, "SELECT action FROM audit_log WHERE actor = 'ada@example.com' ORDER BY id") == [("change",), ("reset",)]


def test_an_admin_changes_an_sla_target(app_db):
    at = settings_page()
    at.selectbox(key="settings_target").set_value("Severity 1 · response").run()
    at.number_input(key="settings_target_value_1_response").set_value(45.0)
    button(at, "Save target").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("SLA target severity 1 response:")
    assert read(app_db, "SELECT target_value, target_unit FROM sla_targets WHERE severity = 1 AND measure = 'response'") \
        == [(45.0, "minutes")]
    assert read(app_db, "SELECT entity, entity_id FROM audit_log WHERE actor = 'ada@example.com'") \
        == [("sla_target", "1/response")]


def test_the_page_itself_refuses_a_non_admin(app_db):
    """Run on its own (as a test can), the page checks the role and shows no form."""
    at = AppTest.from_file(str(ROOT / "pages" / "settings.py"), default_timeout=60)
    at.session_state["vigie_actor"] = Actor(name="Mia", email="mia@example.com", roles=frozenset({"manager"}))
    at.run()
    assert [e.value for e in at.error] == [
        "Only an admin may see and change the settings; you are signed in as mia@example.com."]
    assert not at.dataframe and not at.button
