"""The declare form and the incidents page under Streamlit's AppTest: messages, roles, lifecycle, clocks."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_company, add_ticket
from tests.incidents.factories import LEADER, MANAGER, SUPERVISOR, declared
from tests.store.pg_support import backend_target

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")


# the clock frozen here for the fixture and the pages (ticking on from there): the form's times, the
# notification clocks and the references' year are the same on any day the suite runs, New Year included
FROZEN = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=True):
        yield


@pytest.fixture
def page_db(frozen, tmp_path, monkeypatch):
    """Three customers and one ticket opened an hour ago (so no demo is built)."""
    path = backend_target(tmp_path / "incidents.duckdb")  # or PostgreSQL (tests/store/pg_support.py)
    db = open_store(path)
    ensure_intervals(db)
    for name in ("Alpha", "Beta", "Gamma"):
        add_company(db, name)
    add_ticket(db, "T-1", severity=2, opened=datetime.now(UTC) - timedelta(hours=1), company="Alpha")
    monkeypatch.setenv("VIGIE_DB", str(path))
    yield db
    db.close()


def run(page: str, actor) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    at.session_state["vigie_actor"] = actor
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def labelled(widgets, label: str):
    """The widget with this label (action widgets have keys per incident and form instance)."""
    return next(w for w in widgets if w.label == label)


def table_with(at: AppTest, *columns: str):
    """The first table showing these columns (display-only tables have no widget key)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def local_now() -> datetime:
    return datetime.now(PARIS).replace(second=0, microsecond=0, tzinfo=None)


def field(at: AppTest, name: str) -> str:
    """The key of a declare-form field in the form instance on screen."""
    return f"incident_declare_{name}_{at.session_state['incident_declare_token']}"


def fill_valid(at: AppTest) -> None:
    at.text_input(key=field(at, "title")).set_value("EDI Gateway: files rejected")
    at.radio(key=field(at, "severity")).set_value(2)
    at.multiselect(key=field(at, "platforms")).set_value(["EDI Gateway"])
    at.multiselect(key=field(at, "company_names")).set_value(["Alpha", "Beta"])
    at.text_area(key=field(at, "description")).set_value("Inbound files are rejected with error 503.")
    at.text_input(key=field(at, "notification_lead")).set_value("Julie")
    at.text_input(key=field(at, "investigation_lead")).set_value("Pierre")


def submit(at: AppTest) -> AppTest:
    button(at, "Declare the incident").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("actor", [MANAGER, LEADER])
def test_declare_form_is_not_shown_to_other_roles(page_db, actor):
    at = run("incident_declare.py", actor)
    assert "Only supervisors and administrators can declare" in at.warning[0].value
    assert len(at.text_input) == 0 and len(at.button) == 0


def test_empty_form_shows_one_message_per_required_field(page_db):
    at = submit(run("incident_declare.py", SUPERVISOR))
    assert [e.value for e in at.error] == [
        "Give the incident a title.", "Choose a severity.", "Pick at least one impacted platform or service.",
        "Pick the impacted customers, or tick 'All customers'.",
        "Describe the incident: what customers see and what is affected.",
        "Name who leads the customer notifications.", "Name who leads the investigation and resolution.",
        "The incident was not declared: 7 fields to correct (see above)."]
    assert page_db.table_count("incidents") == 0


@pytest.mark.parametrize("change, message", [
    (lambda at: at.text_input(key=field(at, "title")).set_value("Down"),
     "The title needs at least 5 characters."),
    (lambda at: at.text_input(key=field(at, "title")).set_value("x" * 130),
     "The title may have at most 120 characters (it has 130)."),
    (lambda at: at.multiselect(key=field(at, "company_names")).set_value(["Alpha"]),
     "A major incident impacts several customers: pick at least two, tick 'All customers', "
     "or flag a security breach."),
    (lambda at: at.text_input(key=field(at, "commander")).set_value(" "), "Name the incident commander."),
    (lambda at: at.datetime_input(key=field(at, "started_at")).set_value(local_now() + timedelta(hours=2)),
     "Started at cannot be in the future."),
    (lambda at: at.datetime_input(key=field(at, "detected_at")).set_value(local_now() - timedelta(hours=1)),
     "Detection cannot come before the start of the disruption."),
    (lambda at: (at.datetime_input(key=field(at, "started_at")).set_value(local_now() - timedelta(hours=2)),
                 at.datetime_input(key=field(at, "impact_defined_at")).set_value(
                     local_now() - timedelta(hours=1))),
     "The impact cannot be defined before the disruption was detected."),
    (lambda at: at.datetime_input(key=field(at, "impact_defined_at")).set_value(
        local_now() + timedelta(minutes=30)), "Impact defined at cannot be in the future."),
    (lambda at: at.text_area(key=field(at, "description")).set_value("d" * 5001),
     "The description may have at most 5000 characters."),
])
def test_each_invalid_field_gets_its_message(page_db, change, message):
    at = run("incident_declare.py", SUPERVISOR)
    fill_valid(at)
    change(at)
    submit(at)
    assert [e.value for e in at.error] == [message,
                                           "The incident was not declared: 1 field to correct (see above)."]
    assert page_db.table_count("incidents") == 0


def test_declaring_twice_from_one_form_creates_one_incident(page_db):
    at = run("incident_declare.py", SUPERVISOR)
    fill_valid(at)
    submit(at)
    year = 2026  # the frozen clock's year in Paris
    assert at.success[0].value.startswith(f"Incident INC-{year}-0001 declared.")
    submit(at)  # a second click, or the form sent again
    assert at.info[0].value.startswith(f"This form was already submitted as INC-{year}-0001")
    assert page_db.table_count("incidents") == 1
    button(at, "Declare another incident").click().run()
    assert at.text_input(key=field(at, "title")).value == ""
    fill_valid(at)
    submit(at)
    assert at.success[0].value.startswith(f"Incident INC-{year}-0002 declared.")
    assert page_db.scalar("SELECT count(*) FROM audit_log WHERE action = 'incident.declare'") == 2


def declare_now(db, minutes_ago: int = 5):
    return declared(db, defined=datetime.now(UTC) - timedelta(minutes=minutes_ago),
                    declared_at=datetime.now(UTC) - timedelta(minutes=minutes_ago - 1))


def change_status(at: AppTest, label: str) -> AppTest:
    labelled(at.selectbox, "New status").set_value(label)
    button(at, "Change status").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_incidents_page_offers_only_allowed_moves_and_walks_the_lifecycle(page_db):
    reference = declare_now(page_db).reference
    at = run("incidents.py", SUPERVISOR)
    assert any(f"**{reference}**" in m.value for m in at.markdown)
    assert "First notification due in 2" in at.info[0].value  # 25 min and some seconds left
    assert labelled(at.selectbox, "New status").options == ["investigating", "identified", "monitoring",
                                                                "resolved"]
    change_status(at, "resolved")
    assert at.success[0].value == f"{reference} is now resolved."
    assert labelled(at.selectbox, "New status").options == ["investigating", "post-mortem"]
    assert "Open incidents (0)" in [s.value for s in at.subheader]
    change_status(at, "post_mortem")
    assert labelled(at.selectbox, "New status").options == ["closed"]
    change_status(at, "closed")
    assert "Closed: no further status change." in [c.value for c in at.caption]
    assert page_db.scalar("SELECT list(to_status ORDER BY id) FROM incident_transitions") == \
        ["declared", "resolved", "post_mortem", "closed"]


def test_a_status_change_dated_before_the_last_one_is_refused_on_the_page(page_db):
    declare_now(page_db)
    at = run("incidents.py", SUPERVISOR)
    labelled(at.datetime_input, "At (empty: now)").set_value(local_now() - timedelta(hours=3))
    change_status(at, "investigating")
    assert "cannot be dated before the previous one" in at.error[0].value
    assert page_db.scalar("SELECT status FROM incidents") == "declared"


def test_recording_the_notification_and_a_step_updates_both_tracks(page_db):
    reference = declare_now(page_db, minutes_ago=40).reference
    at = run("incidents.py", SUPERVISOR)
    assert "First notification overdue by 10:" in at.error[0].value
    button(at, "Record").click().run()
    assert [e.value for e in at.error][-1] == "Paste the text that was sent."
    labelled(at.text_area, "Text sent").set_value("We are investigating rejected EDI files.")
    button(at, "Record").click().run()
    assert at.success[0].value == f"Notification recorded for {reference}."
    notices = table_with(at, "kind", "late", "next_update_due")
    assert notices["late"].tolist() == ["Yes"] and notices["sent_by"].tolist() == ["Julie"]
    assert notices["kind"].tolist() == ["Customer notification"]
    assert "Next status update due in 59:" in at.info[0].value or "Next status update due in 1:00:" in at.info[0].value
    assert labelled(at.radio, "What was sent").value == "status_update"
    assert labelled(at.text_area, "Text sent").value == ""  # a new form instance for the next report
    button(at, "Record step").click().run()
    assert at.success[0].value == f"Scope assessed: recorded for {reference}."
    steps = table_with(at, "label", "completed_at", "owner")
    assert steps["completed_at"].tolist()[1:] == ["—", "—", "—"] and steps["owner"].tolist() == ["Pierre", "—", "—", "—"]
    assert len(steps["completed_at"].iloc[0]) == len("2026-11-20 12:22")  # a local minute, no seconds or offset
    assert "Next step: **Experts gathered**" in [m.value for m in at.markdown]
    events = table_with(at, "occurred_at", "track", "event")["event"].tolist()
    assert events[-2:] == ["Customer notification sent", "Scope assessed"] or \
        events[-2:] == ["Scope assessed", "Customer notification sent"]


def test_managers_see_incidents_without_actions(page_db):
    declare_now(page_db)
    at = run("incidents.py", MANAGER)
    assert "Open incidents (1)" in [s.value for s in at.subheader]
    assert not [b for b in at.button if b.label in ("Change status", "Record", "Record step")]
    assert "Supervisors and administrators record notifications, steps and status changes." in \
        [c.value for c in at.caption]


def test_history_and_figures_tabs_show_the_incident(page_db):
    reference = declare_now(page_db).reference
    at = run("incidents.py", LEADER)
    history = at.dataframe(key="incidents_history_table").value
    assert history["reference"].tolist() == [reference]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents"] == "1" and metrics["Median time to notify"] == "—"
    at.text_input(key="incidents_history_search").set_value("no such incident").run()
    assert at.dataframe(key="incidents_history_table").value.empty
