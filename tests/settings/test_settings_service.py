"""Settings and SLA targets changed through analytics/settings/service.py: admin only, validated, audited."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import time_machine

from analytics.audit.service import load_audit
from analytics.kernel.roles import Actor, PermissionDenied, anonymous_actor
from analytics.settings.queries import get_setting
from analytics.settings.rules import BY_NAME, SETTINGS, SettingError
from analytics.settings.service import (
    change_setting,
    change_sla_target,
    parse_setting_input,
    reset_setting,
    settings_table,
    sla_targets_table,
)
from analytics.sla.engine import ticket_measures
from analytics.sla.filters import TicketFilter
from analytics.store.errors import ConstraintViolation
from tests.factories import add_ticket, paris

ADMIN = Actor(name="Ada Admin", email="ada@example.com", roles=frozenset({"admin"}))
WRONG_ACTORS = [
    Actor(name="Mia", email="mia@example.com", roles=frozenset({"manager"})),
    Actor(name="Sam", email="sam@example.com", roles=frozenset({"supervisor"})),
    Actor(name="Lee", email="lee@example.com", roles=frozenset({"leadership"})),
    Actor(name="All-but-admin", roles=frozenset({"manager", "supervisor", "leadership"})),
    anonymous_actor(),
    None,
]
WRONG_IDS = ["manager", "supervisor", "leadership", "every-other-role", "no-role", "not-signed-in"]


def audit_rows(db, **filters):
    return load_audit(db, **filters)


@pytest.mark.parametrize("actor", WRONG_ACTORS, ids=WRONG_IDS)
def test_only_an_admin_may_change_reset_or_retarget_and_nothing_is_written(db, actor):
    with pytest.raises(PermissionDenied, match="may change the setting sla.at_risk_share|must be signed in"):
        change_setting(db, actor=actor, name="sla.at_risk_share", value=0.5)
    with pytest.raises(PermissionDenied, match="admin may reset|must be signed in"):
        reset_setting(db, actor=actor, name="sla.at_risk_share")
    with pytest.raises(PermissionDenied, match="admin may change an SLA target|must be signed in"):
        change_sla_target(db, actor=actor, severity=1, measure="response", target_value=45, target_unit="minutes",
                          calendar_id=1)
    assert db.scalar("SELECT count(*) FROM settings") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0
    assert db.scalar("SELECT target_value FROM sla_targets WHERE severity = 1 AND measure = 'response'") == 30


def test_the_role_is_refused_before_the_value_is_looked_at(db):
    with pytest.raises(PermissionDenied, match=re.escape(
            "Only a admin may change the setting no.such.setting; you are signed in as mia@example.com with roles: "
            "manager.") + "$"):
        change_setting(db, actor=WRONG_ACTORS[0], name="no.such.setting", value="x")


@time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=UTC), tick=False)  # the audit row's time, exactly
def test_a_change_is_stored_and_audited_with_before_and_after(db):
    change = change_setting(db, actor=ADMIN, name="lockout.threshold", value=8)
    assert (change.before, change.after, change.changed) == (6, 8, True)
    assert get_setting(db, "lockout.threshold") == 8
    assert db.rows("SELECT updated_by FROM settings WHERE name = 'lockout.threshold'") == [("ada@example.com",)]
    rows = audit_rows(db)
    assert len(rows) == 1
    row = rows.iloc[0]
    assert (row["actor"], row["action"], row["entity"], row["entity_id"]) == (
        "ada@example.com", "change", "setting", "lockout.threshold")
    assert (json.loads(row["before"]), json.loads(row["after"])) == (6, 8)
    assert row["occurred_at"].to_pydatetime() == datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # the frozen instant

    change_setting(db, actor=ADMIN, name="lockout.threshold", value=5)
    latest = audit_rows(db).iloc[0]
    assert (json.loads(latest["before"]), json.loads(latest["after"])) == (8, 5)


def test_an_unchanged_value_writes_nothing(db):
    change = change_setting(db, actor=ADMIN, name="lockout.threshold", value=6)
    assert change.changed is False
    assert db.scalar("SELECT count(*) FROM settings") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


def test_lists_and_objects_round_trip(db):
    role_map = {"sso-ops": ["manager", "supervisor"], "sso-board": ["leadership"], "sso-it": ["admin"]}
    change_setting(db, actor=ADMIN, name="auth.role_map", value=role_map)
    assert get_setting(db, "auth.role_map") == role_map
    row = audit_rows(db, entity="setting").iloc[0]
    assert json.loads(row["before"]) == BY_NAME["auth.role_map"].default
    assert json.loads(row["after"]) == role_map


def test_reset_restores_the_default_and_is_audited(db):
    change_setting(db, actor=ADMIN, name="sla.at_risk_share", value=0.5)
    change = reset_setting(db, actor=ADMIN, name="sla.at_risk_share")
    assert (change.before, change.after) == (0.5, 0.75)
    assert get_setting(db, "sla.at_risk_share") == 0.75
    assert db.scalar("SELECT count(*) FROM settings") == 0
    row = audit_rows(db, action="reset").iloc[0]
    assert (row["entity_id"], json.loads(row["before"]), json.loads(row["after"])) == ("sla.at_risk_share", 0.5, 0.75)
    assert reset_setting(db, actor=ADMIN, name="sla.at_risk_share").changed is False
    assert db.scalar("SELECT count(*) FROM audit_log") == 2


def test_the_change_and_its_audit_row_commit_together(db):
    """An audit row that cannot be written (no actor label) takes the change down with it."""
    nameless_admin = Actor(name=None, roles=frozenset({"admin"}))
    with pytest.raises(ConstraintViolation, match=re.escape("NOT NULL constraint failed: settings.updated_by")):
        change_setting(db, actor=nameless_admin, name="lockout.threshold", value=9)
    assert get_setting(db, "lockout.threshold") == 6
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


# (case, name, value, message)
INVALID = [
    ("text for a number", "lockout.threshold", "six", "must be a whole number from 1 to 100; 'six' is not"),
    ("negative number", "lockout.max_delay_seconds", -1, "must be a number from 0 to 86400; -1 is not"),
    ("fraction for a whole number", "lockout.threshold", 6.5, "whole number"),
    ("zero threshold", "lockout.threshold", 0, "from 1 to 100; 0 is not"),
    ("share above 1", "sla.at_risk_share", 1.5, "must be a number from 0.05 to 1; 1.5 is not"),
    ("share of 0", "sla.at_risk_share", 0, "from 0.05 to 1; 0 is not"),
    ("severity 5", "sla.email_default_severity", 5, "must be a whole number from 1 to 4; 5 is not"),
    ("shrinking delay", "lockout.delay_growth", 0.5, "must be a number from 1 to 10; 0.5 is not"),
    ("number for a flag", "auth.allow_public_local_mode", 1, "true or false"),
    ("empty chain", "escalation.chain", [], "non-empty list"),
    ("blank chain level", "escalation.chain", ["Support", " "], "non-empty list"),
    ("bad CIDR", "lockout.trusted_zone", ["10.0.0.0/8", "not-a-range"], "'not-a-range' is not an IP range"),
    ("unknown role", "auth.role_map", {"g": ["root"]}, "unknown role"),
    ("role map as a list", "auth.role_map", [["g", "admin"]], "must be a dict"),
    ("blank claim", "auth.roles_claim", " ", "must name a claim"),
    ("unknown calendar", "support.phone_hours_calendar", "Night shift", "must name a calendar"),
    ("unknown setting", "no.such.setting", 1, "Unknown setting"),
]


@pytest.mark.parametrize("case, name, value, message", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_values_are_refused_with_a_reason_and_nothing_is_written(db, case, name, value, message):
    with pytest.raises(SettingError, match=message):
        change_setting(db, actor=ADMIN, name=name, value=value)
    assert db.scalar("SELECT count(*) FROM settings") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


@pytest.mark.parametrize("name, text, expected", [
    ("lockout.threshold", " 7 ", 7),
    ("lockout.threshold", "7.0", 7),
    ("sla.at_risk_share", "0.8", 0.8),
    ("auth.allow_public_local_mode", "True", True),
    ("auth.roles_claim", " roles ", "roles"),
    ("escalation.chain", '["L1", "L2"]', ["L1", "L2"]),
    ("escalation.contacts", '{"L1": {"name": "Desk", "phone": "+33 1 00 00 00 00"}}',
     {"L1": {"name": "Desk", "phone": "+33 1 00 00 00 00"}}),
])
def test_parse_setting_input(name, text, expected):
    assert parse_setting_input(name, text) == expected


@pytest.mark.parametrize("name, text, message", [
    ("lockout.threshold", "six", "must be a whole number from 1 to 100, not 'six'"),
    ("auth.allow_public_local_mode", "maybe", "true or false"),
    ("escalation.chain", '["L1", ', "must be a list in JSON"),
    ("auth.role_map", "{oops}", "must be an object in JSON"),
])
def test_parse_setting_input_says_what_is_wrong(name, text, message):
    with pytest.raises(SettingError, match=message.replace("[", r"\[")):
        parse_setting_input(name, text)


def test_settings_table_lists_every_setting_with_value_in_force_default_and_help(db):
    change_setting(db, actor=ADMIN, name="rca.overdue_days", value=14)
    table = settings_table(db).set_index("name")
    assert list(table.index) == [s.name for s in SETTINGS]
    assert table.loc["rca.overdue_days", ["value", "default", "overridden", "updated_by"]].tolist() == [
        "14", "10", True, "ada@example.com"]
    assert table.loc["lockout.threshold", ["value", "overridden"]].tolist() == ["6", False]
    assert table.loc["auth.allow_public_local_mode", "value"] == "false"
    assert table["help"].str.len().min() > 10


# -- SLA targets ----------------------------------------------------------------------
def test_an_sla_target_change_is_audited_and_re_evaluates_history(db):
    add_ticket(db, "CS-1", severity=1, opened=paris(2026, 6, 3, 10, 0), response=paris(2026, 6, 3, 10, 45))
    as_of = datetime(2030, 1, 1, tzinfo=UTC)

    def response_state():
        frame = ticket_measures(db, TicketFilter(), as_of=as_of)
        return frame[frame["measure"] == "response"].iloc[0]["state"]

    assert response_state() == "breached"  # 45 min against 30 min
    change = change_sla_target(db, actor=ADMIN, severity=1, measure="response", target_value=1,
                               target_unit="hours", calendar_id=1)
    assert change.before == {"target_value": 30.0, "target_unit": "minutes", "calendar_id": 1}
    assert change.after == {"target_value": 1.0, "target_unit": "hours", "calendar_id": 1}
    assert response_state() == "met"
    row = audit_rows(db, entity="sla_target").iloc[0]
    assert (row["actor"], row["action"], row["entity_id"]) == ("ada@example.com", "change", "1/response")
    assert json.loads(row["after"])["target_unit"] == "hours"
    targets = sla_targets_table(db)
    assert targets.query("severity == 1 and measure == 'response'")["target_unit"].item() == "hours"


@pytest.mark.parametrize("kwargs, message", [
    ({"target_value": 0}, "above 0"),
    ({"target_value": -2}, "above 0"),
    ({"target_unit": "weeks"}, "unit must be one of"),
    ({"measure": "closure"}, "measure must be one of"),
    ({"calendar_id": 99}, "no calendar with id 99"),
    ({"severity": 7}, "no SLA target for severity 7"),
])
def test_invalid_sla_targets_are_refused(db, kwargs, message):
    args = {"severity": 2, "measure": "resolution", "target_value": 4, "target_unit": "hours", "calendar_id": 1}
    with pytest.raises(SettingError, match=message):
        change_sla_target(db, actor=ADMIN, **{**args, **kwargs})
    assert db.scalar("SELECT count(*) FROM audit_log") == 0
    assert db.scalar("SELECT target_value FROM sla_targets WHERE severity = 2 AND measure = 'resolution'") == 3
