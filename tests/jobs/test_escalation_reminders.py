"""The escalation reminder job: an escalation unacknowledged past ``escalation.ack_hours`` is e-mailed to the
next level's contact once per level, at explicit ``now`` values; received by a real SMTP server on loopback."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analytics.audit.service import load_audit
from analytics.escalations import service as svc
from analytics.escalations import stats as escalation_stats
from analytics.jobs import escalation_reminders
from analytics.jobs.runs import load_runs
from analytics.jobs.tasks import run_schedules
from analytics.kernel.roles import Actor
from analytics.notices.delivery import deliver
from analytics.settings.rules import SettingError
from analytics.settings.service import change_setting
from tests.factories import add_company, add_ticket

ADMIN = Actor(name="Ada", email="ada@support.example", roles=frozenset({"admin"}))
SUPERVISOR = Actor("Sam", "sam@support.example", frozenset({"supervisor"}))
RAISED = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris
NOOR = {"name": "Noor", "phone": "+33 1 00 00 00 02", "email": "noor@support.example"}
IVO = {"name": "Ivo", "email": "ivo@support.example"}


def contacts(db, **by_level) -> None:
    change_setting(db, actor=ADMIN, name="escalation.contacts", value=by_level)


@pytest.fixture
def raised(db):
    """ESC raised at level 1 (Customer support) on ticket CS-7 of Alpha at RAISED, unacknowledged."""
    add_ticket(db, "CS-7", severity=2, opened=RAISED - timedelta(days=1), company="Alpha")
    state = svc.raise_escalation(db, actor=SUPERVISOR, reason="Customer unhappy with the follow-up",
                                 reason_code="quality", raised_by="Client", owner="Desk", at=RAISED,
                                 ticket_reference="CS-7")
    return state.reference


def test_reminded_once_after_the_threshold_to_the_next_levels_contact(db, raised):
    contacts(db, **{"Support supervisor": NOOR})
    assert escalation_reminders.tick(db, now=RAISED + timedelta(hours=3, minutes=59)) == []  # 4 h by default
    [done] = escalation_reminders.tick(db, now=RAISED + timedelta(hours=4, minutes=10))
    assert (done.job, done.period, done.outcome) == ("escalation_reminder", f"{raised}@1", "done")
    assert done.detail.endswith("to Support supervisor (noor@support.example)")
    # a second tick and a restart later: never twice
    assert escalation_reminders.tick(db, now=RAISED + timedelta(hours=4, minutes=11)) == []
    assert escalation_reminders.tick(db, now=RAISED + timedelta(days=2)) == []
    [(entity, entity_id, subject, recipients, status)] = db.rows(
        "SELECT entity, entity_id, subject, recipients, status FROM outbox")
    assert (entity, entity_id, recipients, status) == ("escalation", raised, ["noor@support.example"], "queued")
    assert subject == f"[{raised}] Unacknowledged for 4 h 10 min at Customer support: Alpha"
    [run] = load_runs(db, job="escalation_reminder")
    assert (run["period"], run["due_at"], run["outcome"]) == (f"{raised}@1", RAISED + timedelta(hours=4), "done")
    audit = load_audit(db, action="job.run")
    assert list(audit["entity_id"]) == [f"escalation_reminder:{raised}@1"] and set(audit["actor"]) == {"scheduler"}


def test_the_threshold_setting_moves_the_reminder(db, raised):
    contacts(db, **{"Support supervisor": NOOR})
    change_setting(db, actor=ADMIN, name="escalation.ack_hours", value=1)
    assert escalation_reminders.tick(db, now=RAISED + timedelta(minutes=59)) == []
    assert [o.period for o in escalation_reminders.tick(db, now=RAISED + timedelta(minutes=61))] == [f"{raised}@1"]


def test_no_address_for_the_next_level_no_reminder_until_one_is_set(db, raised):
    contacts(db, **{"Support supervisor": {"name": "Noor", "phone": "+33 1 00 00 00 02"}})
    later = RAISED + timedelta(hours=6)
    assert escalation_reminders.tick(db, now=later) == []
    assert load_runs(db) == [] and db.scalar("SELECT count(*) FROM outbox") == 0
    contacts(db, **{"Support supervisor": NOOR})
    assert [o.outcome for o in escalation_reminders.tick(db, now=later)] == ["done"]


def test_acknowledged_escalations_are_not_reminded(db, raised):
    contacts(db, **{"Support supervisor": NOOR})
    svc.acknowledge(db, actor=SUPERVISOR, reference=raised, at=RAISED + timedelta(hours=1))
    assert escalation_reminders.tick(db, now=RAISED + timedelta(hours=8)) == []


def test_moved_up_and_left_again_the_level_above_is_reminded(db, raised):
    contacts(db, **{"Support supervisor": NOOR, "Senior manager": IVO})
    escalation_reminders.tick(db, now=RAISED + timedelta(hours=5))
    svc.escalate_further(db, actor=SUPERVISOR, reference=raised, at=RAISED + timedelta(hours=6))
    assert escalation_reminders.tick(db, now=RAISED + timedelta(hours=9, minutes=59)) == []
    [again] = escalation_reminders.tick(db, now=RAISED + timedelta(hours=10, minutes=1))
    assert again.period == f"{raised}@2" and again.detail.endswith("to Senior manager (ivo@support.example)")
    assert [r[0] for r in db.rows("SELECT recipients[1] FROM outbox ORDER BY id")] == [
        "noor@support.example", "ivo@support.example"]


def test_the_top_of_the_chain_has_nobody_above(db):
    add_company(db, "Beta")
    change_setting(db, actor=ADMIN, name="escalation.chain", value=["Desk", "Director"])
    contacts(db, Director=IVO)
    state = svc.raise_escalation(db, actor=SUPERVISOR, reason="Still down", reason_code="quality", raised_by="Client",
                                 owner="Desk", at=RAISED, company_id=db.scalar("SELECT id FROM companies"))
    svc.escalate_further(db, actor=SUPERVISOR, reference=state.reference, at=RAISED + timedelta(hours=1))
    assert escalation_reminders.tick(db, now=RAISED + timedelta(days=1)) == []


def test_the_schedules_tick_runs_it_and_the_reminder_arrives_as_sent(db, raised, smtp_server):
    contacts(db, **{"Support supervisor": NOOR})
    [outcome] = run_schedules(db, now=RAISED + timedelta(hours=4, minutes=30))
    assert outcome.job == "escalation_reminder"
    run = deliver(db, config=smtp_server.config(), now=lambda: RAISED + timedelta(hours=4, minutes=31))
    assert (len(run.accepted), run.retrying, run.failed) == (1, [], [])
    [received] = smtp_server.received
    assert received.rcpt_tos == ["noor@support.example"]
    assert received.message["Subject"] == f"[{raised}] Unacknowledged for 4 h 30 min at Customer support: Alpha"
    assert received.message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        f"Hello Noor,\n\nEscalation {raised} (Alpha) has been at level 1, Customer support, for 4 h 30 min without "
        "acknowledgement (threshold 4 h). It now falls to the next level: Support supervisor.\n\n"
        "Reason: Quality of the answer: Customer unhappy with the follow-up\n"
        "Raised by: Client, on 16 Nov 2026 10:00 (Europe/Paris)\nOwner: Desk\nTicket: CS-7\n\n"
        "Acknowledge it or take it over on Vigie's Escalations page.\n\nSent by Vigie (escalation reminder).\n")
    # the escalation's timeline shows the reminder at the moment the server accepted it
    timeline = escalation_stats.escalation_timeline(db, raised)
    assert timeline[["kind", "actor", "note"]].values.tolist()[-1] == [
        "reminder", "scheduler", "E-mail to noor@support.example: accepted by the mail server"]
    assert timeline["occurred_at"].iloc[-1] == db.scalar("SELECT accepted_at FROM outbox")
    assert timeline["kind"].tolist() == ["raised", "reminder"]


def test_user_text_is_text_in_the_html_part(db, smtp_server):
    company = add_company(db, "Co <b>bold</b>")
    contacts(db, **{"Support supervisor": NOOR})
    svc.raise_escalation(db, actor=SUPERVISOR, reason="<script>alert(1)</script> & more", reason_code="quality",
                         raised_by="Client", owner="Desk", at=RAISED, company_id=company)
    escalation_reminders.tick(db, now=RAISED + timedelta(hours=5))
    deliver(db, config=smtp_server.config(), now=lambda: RAISED + timedelta(hours=5, minutes=1))
    html = smtp_server.received[0].message.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html and "<script>" not in html
    assert "Co &lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html


def test_a_contact_address_that_is_not_plain_is_refused_in_one_line(db):
    with pytest.raises(SettingError, match=r"^escalation.contacts: the e-mail of 'Support supervisor' must be one "
                                           r"plain address \(name@domain\); 'Noor <noor@support.example>' is not$"):
        contacts(db, **{"Support supervisor": {"name": "Noor", "email": "Noor <noor@support.example>"}})
    contacts(db, **{"Support supervisor": NOOR})
    assert json.loads(db.scalar("SELECT value FROM settings WHERE name = 'escalation.contacts'")) == {
        "Support supervisor": NOOR}


def test_the_settings_page_lists_the_schedules_and_the_runs(db, raised, monkeypatch):
    from streamlit.testing.v1 import AppTest

    contacts(db, **{"Support supervisor": NOOR})
    escalation_reminders.tick(db, now=RAISED + timedelta(hours=4, minutes=10))
    path = db.path
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / "settings.py"), default_timeout=120)
    at.session_state["vigie_actor"] = ADMIN
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = [t.value for t in at.text]
    assert "Monthly report: off (reports.monthly_recipients is empty)." in texts
    assert ("Escalation reminder: after 4 h unacknowledged, e-mailed to the next level for Support supervisor "
            "(escalation.contacts).") in texts
    assert "Outbox: 1 queued (1 due now), 0 being sent or interrupted, 0 accepted, 0 failed." in texts
    table = next(d for d in at.dataframe if "outcome" in d.value.columns)
    labels = {name: c["label"] for name, c in json.loads(table.proto.columns).items() if name != "_index"}
    assert labels == {"job": "Job", "period": "Covers", "due_at": "Due", "started_at": "Ran", "outcome": "Outcome",
                      "detail": "What it did", "worker": "Process"}
    runs = table.value
    assert runs[["job", "period", "outcome"]].values.tolist() == [["Escalation reminder", f"{raised}@1", "Done"]]
