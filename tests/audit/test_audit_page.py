"""The audit log: filters in analytics/audit/service.py, the admin page (AppTest), and no way to edit it from the app."""
from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.audit.service import audit_choices, load_audit
from analytics.domains import open_store
from analytics.kernel.roles import Actor
from analytics.settings.service import change_setting, change_sla_target, reset_setting

ROOT = Path(__file__).resolve().parents[2]
ADA = Actor(name="Ada", email="ada@example.com", roles=frozenset({"admin"}))
BOB = Actor(name="Bob", email="bob@example.com", roles=frozenset({"admin", "manager"}))
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "0123456789abcdef" * 2,
        "client_id": "vigie", "client_secret": "not-a-secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


def make_changes(db) -> None:
    change_setting(db, actor=ADA, name="lockout.threshold", value=8)
    change_setting(db, actor=BOB, name="rca.overdue_days", value=15)
    reset_setting(db, actor=ADA, name="lockout.threshold")
    change_sla_target(db, actor=BOB, severity=3, measure="resolution", target_value=10, target_unit="hours",
                      calendar_id=1)


# the audit rows written at one frozen instant: the period bounds are checked exactly at it
AUDITED_AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@time_machine.travel(AUDITED_AT, tick=False)
def test_load_audit_filters_by_entity_actor_action_and_period(db):
    make_changes(db)
    assert len(load_audit(db)) == 4
    assert list(load_audit(db, actor="ada@example.com")["action"]) == ["reset", "change"]  # newest first
    assert list(load_audit(db, entity="sla_target")["entity_id"]) == ["3/resolution"]
    assert list(load_audit(db, action="change", actor="bob@example.com")["entity"]) == ["sla_target", "setting"]
    one_second = timedelta(seconds=1)
    assert len(load_audit(db, since=AUDITED_AT, until=AUDITED_AT + one_second)) == 4  # since included
    assert len(load_audit(db, since=AUDITED_AT + one_second)) == 0
    assert len(load_audit(db, until=AUDITED_AT)) == 0  # until excluded
    assert audit_choices(db) == {"entity": ["setting", "sla_target"],
                                 "actor": ["ada@example.com", "bob@example.com"], "action": ["change", "reset"]}


def test_nothing_in_the_app_updates_or_deletes_audit_rows():
    """Only INSERT statements name audit_log in analytics/, pages/, ui/ and dashboard.py."""
    offending = []
    pattern = re.compile(r"\b(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|TRUNCATE\s+audit_log|DROP\s+TABLE\s+audit_log"
                         r"|ALTER\s+TABLE\s+audit_log)\b", re.IGNORECASE)
    files = [ROOT / "dashboard.py", *(ROOT / "analytics").rglob("*.py"), *(ROOT / "pages").glob("*.py"),
             *(ROOT / "ui").glob("*.py")]
    for path in files:
        if pattern.search(path.read_text()):
            offending.append(str(path.relative_to(ROOT)))
    assert offending == []
    assert len(files) > 10


@pytest.fixture
def audited_db(demo_db_path, tmp_path, monkeypatch):
    path = tmp_path / "audit.duckdb"
    shutil.copyfile(demo_db_path, path)
    db = open_store(path)
    make_changes(db)
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path


def audit_page(groups=("vigie-admins",)) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "ada@example.com", "groups": list(groups)}
    at.run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at):
    return at.dataframe[0].value


def test_the_page_lists_filters_and_compares_before_and_after(audited_db):
    at = audit_page()
    assert [t.value for t in at.title] == ["Audit log"]
    frame = shown(at)
    mine = frame[frame["actor"].isin(["ada@example.com", "bob@example.com"])]
    assert list(mine["entity_id"]) == ["3/resolution", "lockout.threshold", "rca.overdue_days", "lockout.threshold"]
    assert [b.label for b in at.download_button] == ["Download CSV"]

    at.selectbox(key="audit_entity").set_value("sla_target").run()
    frame = shown(at)
    assert list(frame["entity_id"]) == ["3/resolution"]
    assert json.loads(frame["after"].iloc[0]) == {"calendar_id": 1, "target_unit": "hours", "target_value": 10.0}
    assert at.markdown[0].value.startswith("1 change from")

    at.selectbox(key="audit_entity").set_value(None)
    at.selectbox(key="audit_actor").set_value("ada@example.com")
    at.selectbox(key="audit_action").set_value("reset").run()
    assert list(shown(at)["entity_id"]) == ["lockout.threshold"]

    today = datetime.now(UTC).date()
    at.date_input(key="audit_period").set_value((today - timedelta(days=60), today - timedelta(days=31))).run()
    assert len(shown(at)) == 0


def test_selecting_a_row_shows_its_values_before_and_after(audited_db):
    at = audit_page()
    at.selectbox(key="audit_action").set_value("reset").run()
    at.session_state["audit_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert [m.value for m in at.markdown if m.value in ("**Before**", "**After**")] == ["**Before**", "**After**"]
    assert [j.value for j in at.json] == ["8", "6"]


def test_the_page_itself_refuses_a_non_admin(audited_db):
    at = AppTest.from_file(str(ROOT / "pages" / "audit.py"), default_timeout=60)
    at.session_state["vigie_actor"] = Actor(name="Lee", email="lee@example.com", roles=frozenset({"leadership"}))
    at.run()
    assert [e.value for e in at.error] == ["Only an admin may read the audit log; you are signed in as lee@example.com."]
    assert not at.dataframe
