"""Every setting is honoured: changing it changes what depends on it, and a test proves it.

``PROOF`` names, for each setting of the registry, the test that changes it and asserts the figure
or behaviour that moves; the first test checks that the table is complete and that each named test
exists. Those that no test proved before (their only tests were validation) are proved here.
"""
from __future__ import annotations

import ast
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from analytics.cli.main import main
from analytics.domains import open_store
from analytics.escalations import stats as escalation_stats
from analytics.incidents import service as incidents
from analytics.incidents.queries import notify_settings
from analytics.kernel.periods import Period
from analytics.kernel.roles import Actor
from analytics.logins.rules import load_policy
from analytics.settings.rules import SETTINGS
from analytics.settings.service import change_setting
from tests.incidents.factories import draft

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor(name="Ada", email="ada@example.com", roles=frozenset({"admin", "supervisor"}))
HERE = "tests/settings/test_every_setting_is_honoured.py"
NOTICES = "tests/notices/test_notices_incidents.py"
DELIVERY = "tests/notices/test_notices_delivery.py"
WORKERS = "tests/jobs/test_server_workers.py"
SCHEDULES = "tests/jobs/test_monthly_report_job.py"

PROOF = {
    "sla.at_risk_share": "tests/sla/test_at_risk_setting.py::test_changing_the_share_changes_who_is_at_risk",
    "sla.pause_statuses": "tests/sla/test_sla_pauses.py",
    "sla.next_to_breach_hours": "tests/sla/test_backlog.py::test_the_horizon_is_the_setting_sla_next_to_breach_hours",
    "sla.fcr_window_minutes": "tests/sla/test_teams.py::test_the_first_contact_window_is_the_setting_sla_fcr_window_minutes",
    "sla.email_default_severity": f"{HERE}::test_email_default_severity_is_the_severity_an_import_gives",
    "escalation.chain": "tests/test_hostile_text.py::test_pages_show_hostile_text_literally_and_fetch_nothing",
    "escalation.contacts": "tests/escalations/test_escalations_rules.py",
    "escalation.ack_hours": "tests/escalations/test_escalations_rules.py",
    "escalation.repeat_threshold": f"{HERE}::test_repeat_threshold_decides_who_escalates_repeatedly",
    "incident.notify_target_minutes": f"{HERE}::test_the_notification_promise_follows_its_settings",
    "incident.notify_deadline_minutes": f"{HERE}::test_the_notification_promise_follows_its_settings",
    "incident.status_update_minutes": f"{HERE}::test_the_next_status_report_is_due_after_the_interval_set",
    "rca.overdue_days": "tests/rca/test_rca_stats.py::test_the_overdue_mark_is_the_setting_rca_overdue_days",
    "rca.root_cause_categories": "tests/rca/test_rca_lifecycle.py",
    "rca.recurrence_days": "tests/rca/test_rca_recurrence.py",
    "lockout.threshold": "tests/logins/test_lockout_policy.py",
    "lockout.base_delay_seconds": "tests/logins/test_lockout_attacks.py",
    "lockout.delay_growth": f"{HERE}::test_the_delay_policy_follows_its_settings",
    "lockout.max_delay_seconds": f"{HERE}::test_the_delay_policy_follows_its_settings",
    "lockout.trusted_zone": "tests/logins/test_lockout_policy.py",
    "lockout.inactivity_minutes_inside": f"{HERE}::test_the_delay_policy_follows_its_settings",
    "lockout.inactivity_minutes_outside": "tests/logins/test_lockout_policy.py",
    "lockout.attack_accounts_per_ip": "tests/logins/test_lockout_attacks.py",
    "lockout.attack_fast_failures": "tests/logins/test_lockout_attacks.py",
    "imports.earliest_date": "tests/imports/test_ticket_import.py::test_the_earliest_date_accepted_is_a_setting",
    "support.phone_hours_calendar": "tests/logins/test_lockout_stats.py",
    "auth.roles_claim": "tests/access/test_access_pages.py",
    "auth.role_map": "tests/access/test_access_pages.py",
    "auth.allow_public_local_mode": "tests/access/test_access_pages.py",
    "notices.template_notification": f"{NOTICES}::test_templates_are_settings_with_placeholders",
    "notices.template_status_update": f"{NOTICES}::test_templates_are_settings_with_placeholders",
    "notices.template_resolution": f"{NOTICES}::test_templates_are_settings_with_placeholders",
    "notices.rate_limit_per_run": f"{DELIVERY}::test_the_rate_limit_leaves_the_rest_for_the_next_run",
    "notices.max_attempts": f"{DELIVERY}::test_a_message_is_given_up_after_notices_max_attempts",
    "notices.delivery_interval_seconds": f"{WORKERS}::test_the_outbox_worker_delivers_every_interval_set",
    "reports.monthly_recipients": f"{SCHEDULES}::test_the_report_goes_to_the_recipients_set_with_its_pdf",
    "reports.monthly_day": f"{SCHEDULES}::test_a_missed_run_is_caught_up_once_and_a_second_tick_does_nothing",
    "reports.monthly_hour": f"{SCHEDULES}::test_a_missed_run_is_caught_up_once_and_a_second_tick_does_nothing",
}


def test_every_setting_names_the_test_that_proves_it_is_honoured():
    assert set(PROOF) == {s.name for s in SETTINGS}
    for name, proof in PROOF.items():
        path, _, test = proof.partition("::")
        source = (ROOT / path).read_text()
        assert name in source, f"{path} never mentions {name}"
        if test:
            functions = {n.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)}
            assert test in functions, proof


def test_email_default_severity_is_the_severity_an_import_gives(tmp_path, capsys):
    db_path = str(tmp_path / "sev.duckdb")
    export = tmp_path / "mail.csv"
    export.write_text("reference,company,contact_name,contact_email,contact_phone,user_id,channel,severity,category,"
                      "platform,status,opened_at,first_response_at,resolved_at,closed_at,assignee,team,resolution_code,"
                      "description\nM-1,Acme,,,,,email,,,,open,2026-06-03T10:00:00+02:00,,,,,,,\n")
    assert main(["settings", "set", "sla.email_default_severity", "3", "--db", db_path]) == 0
    assert main(["import", "tickets", str(export), "--db", db_path, "--quiet"]) == 0
    db = open_store(db_path)
    assert db.scalar("SELECT severity FROM tickets WHERE reference = 'M-1'") == 3
    db.close()


def test_repeat_threshold_decides_who_escalates_repeatedly(demo_db_path, tmp_path):
    path = tmp_path / "repeat.duckdb"
    shutil.copy(demo_db_path, path)
    db = open_store(path)
    period = Period(date(2025, 1, 1), date(2027, 1, 1), db.timezone)
    change_setting(db, actor=ADMIN, name="escalation.repeat_threshold", value=2)
    twice = escalation_stats.repeat_customers(db, period)
    change_setting(db, actor=ADMIN, name="escalation.repeat_threshold", value=1000)
    assert len(twice) > 0
    assert len(escalation_stats.repeat_customers(db, period)) == 0
    db.close()


def test_the_notification_promise_follows_its_settings(db):
    change_setting(db, actor=ADMIN, name="incident.notify_deadline_minutes", value=45)
    change_setting(db, actor=ADMIN, name="incident.notify_target_minutes", value=25)
    assert (notify_settings(db).target, notify_settings(db).deadline) == (25, 45)


def test_the_next_status_report_is_due_after_the_interval_set(db):
    defined = datetime(2026, 6, 2, 9, 0, tzinfo=UTC)
    change_setting(db, actor=ADMIN, name="incident.status_update_minutes", value=90)
    incident = incidents.declare(db, actor=ADMIN, draft=draft(db, defined=defined), token=uuid4().hex,
                                 now=defined + timedelta(minutes=2)).incident_id
    sent = defined + timedelta(minutes=15)
    incidents.notify(db, actor=ADMIN, incident_id=incident, sent_at=sent, sent_by="Julie", company_ids=(),
                     all_customers=True, message="We are on it.", token=uuid4().hex, now=sent)
    due = db.scalar("SELECT next_update_due FROM incident_notifications WHERE incident_id = ?", [incident])
    assert due == sent + timedelta(minutes=90)


def test_the_delay_policy_follows_its_settings(db):
    before = load_policy(db)
    change_setting(db, actor=ADMIN, name="lockout.delay_growth", value=3)
    change_setting(db, actor=ADMIN, name="lockout.max_delay_seconds", value=50)
    change_setting(db, actor=ADMIN, name="lockout.inactivity_minutes_inside", value=30)
    after = load_policy(db)
    assert (before.delay_after(3), after.delay_after(3)) == (8.0, 18.0)  # 2 s x growth^(3-1)
    assert after.delay_after(5) == 50.0  # 2 x 3^4 = 162 s, capped
    assert (before.timeout_minutes(inside=True), after.timeout_minutes(inside=True)) == (60.0, 30.0)


@pytest.mark.parametrize("setting", [s.name for s in SETTINGS])
def test_every_setting_is_read_outside_the_settings_package(setting):
    readers = [p for p in (ROOT / "analytics").rglob("*.py") if "settings" not in p.parts
               and setting in p.read_text()] + [p for p in (ROOT / "pages").glob("*.py") if setting in p.read_text()] \
        + [p for p in (ROOT / "ui").glob("*.py") if setting in p.read_text()]
    assert readers, f"{setting} is stored and validated but nothing reads it"
