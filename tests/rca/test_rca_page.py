"""The RCA pages (AppTest): the summaries' figures on a hand-built database, and the review form's save and checks."""
from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store, pages_for
from analytics.rca import service as rca
from analytics.rca import tracking as rca_tracking
from analytics.rca.queries import load_review
from analytics.rca.rules import ActionItemInput, ReviewContent, RootCause
from analytics.sla.calendars import ensure_intervals
from tests.rca.factories import LEADER, MANAGER, SUPERVISOR, complete_review, resolved_incident

ROOT = Path(__file__).resolve().parents[2]
# the clock frozen for the fixture and the pages (ticking on from there) at 31 December 23:30 in Paris: already
# 1 January on a machine in Tokyo (scripts/test.sh runs this file under TZ=Asia/Tokyo), where counting days in
# the machine's zone gives 11 days overdue instead of 10
NOW = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


def publish(db, incident_id, *, days_after, actions):
    at = db.scalar("SELECT resolved_at FROM incidents WHERE id = ?", [incident_id]) + timedelta(days=days_after)
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id, now=at - timedelta(hours=3), actions=actions,
                   content=complete_review(started=at - timedelta(days=days_after + 1), platform="API"))
    rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident_id, now=at - timedelta(hours=2))
    rca.publish(db, actor=SUPERVISOR, incident_id=incident_id, now=at)


@pytest.fixture
def page_db(frozen, tmp_path, monkeypatch):
    """A and B: capacity on API 30 days apart, published after 5 and 12 days; C: no RCA, 20 days after resolution;
    D: a draft. Actions: one done, one overdue (Olga Owner), one not due yet."""
    path = tmp_path / "rca_page.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    today = NOW.astimezone(ZoneInfo(db.timezone)).date()  # 31 December: the page counts days in the deployment zone
    a = resolved_incident(db, started=NOW - timedelta(days=60), platform="API")
    publish(db, a, days_after=5, actions=(ActionItemInput("Alert on queue depth", "Ana Lyst", today),
                                          ActionItemInput("Autoscale the workers", "Olga Owner",
                                                          today - timedelta(days=10))))
    done = load_review(db, incident_id=a).actions
    rca_tracking.update_action_item(db, actor=SUPERVISOR, status="done",
                                    item_id=int(done[done["description"] == "Alert on queue depth"]["id"].iloc[0]))
    b = resolved_incident(db, started=NOW - timedelta(days=30), platform="API")
    publish(db, b, days_after=12, actions=(ActionItemInput("Capacity review", "Ana Lyst", today + timedelta(days=30)),))
    c = resolved_incident(db, started=NOW - timedelta(days=20), platform="Messaging")
    d = resolved_incident(db, started=NOW - timedelta(days=2), platform="Messaging")
    rca.save_draft(db, actor=SUPERVISOR, incident_id=d,
                   content=ReviewContent(root_causes=(RootCause("network", "Messaging", "Link loss"),)))
    references = {k: db.scalar("SELECT reference FROM incidents WHERE id = ?", [v]) for k, v in zip("ABCD", (a, b, c, d))}
    ids = dict(zip("ABCD", (a, b, c, d)))
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path, references, ids


def open_page(page: str, actor=SUPERVISOR) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.session_state["vigie_actor"] = actor
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_summaries_show_the_figures(page_db):
    _, refs, _ = page_db
    at = open_page("pages/rca.py", actor=LEADER)
    assert {m.label: m.value for m in at.metric} == {
        "Resolved incidents": "4", "RCAs published": "2", "Median days to publish": "8.5", "RCAs overdue": "1",
        "Recurring causes": "1", "Action items done": "33%"}
    categories, delays = (json.loads(chart.proto.spec) for chart in at.get("plotly_chart"))
    capacity = next(t for t in categories["data"] if t["name"] == "capacity")
    assert sum(capacity["y"]) == 2
    published = next(t for t in delays["data"] if t["name"] == "published")
    assert dict(zip(published["x"], published["y"])) == {refs["A"]: 5.0, refs["B"]: 12.0}
    overdue = next(t for t in delays["data"] if t["name"] == "waiting, overdue")
    assert overdue["x"] == [refs["C"]]
    tables = [df.value for df in at.dataframe]
    overdue_actions = next(t for t in tables if "days_overdue" in t.columns)
    assert overdue_actions[["owner", "description", "days_overdue"]].values.tolist() == [
        ["Olga Owner", "Autoscale the workers", 10]]
    recurrence = next(t for t in tables if "previous_reference" in t.columns)
    assert recurrence[["reference", "previous_reference", "category", "platform"]].values.tolist() == [
        [refs["B"], refs["A"], "capacity", "API"]]
    missing = next(t for t in tables if "days_since_resolution" in t.columns and "categories" not in t.columns)
    assert missing["reference"].tolist() == [refs["C"]]


def test_summaries_filter_by_status(page_db):
    at = open_page("pages/rca.py", actor=MANAGER)
    at.multiselect(key="rca_status").select("published").run()
    assert {m.label: m.value for m in at.metric}["Resolved incidents"] == "2"


def test_navigation_offers_the_review_form_to_supervisors_and_admins_only():
    def titles(role):
        return {p.title for p in pages_for(frozenset({role}))}
    for role in ("manager", "supervisor", "leadership", "admin"):
        assert "RCA summaries" in titles(role)
    assert {r for r in ("manager", "supervisor", "leadership", "admin")
            if "Post-incident review" in titles(r)} == {"supervisor", "admin"}


def test_review_form_saves_a_prefilled_draft_then_checks_completeness(page_db):
    path, refs, ids = page_db
    at = open_page("pages/rca_review.py")
    at.selectbox(key="rca_review_incident").set_value(ids["C"]).run()
    suffix = f"{ids['C']}_0_0"
    assert "Claire Fontaine" in at.text_area(key=f"rca_review_participants_{suffix}").value
    assert at.number_input(key=f"rca_review_impact_minutes_{suffix}").value == 90
    at.text_area(key=f"rca_review_overview_{suffix}").input("Messages were delayed for 90 minutes.")
    at.button(key="rca_review_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Draft of revision 1 saved."
    db = open_store(path)
    try:
        review = load_review(db, incident_id=ids["C"])
        assert review.meta["status"] == "draft" and review.content.overview == "Messages were delayed for 90 minutes."
        assert review.content.impact_minutes == 90 and "Service restored" in [e.event for e in review.content.timeline]
    finally:
        db.close()
    at.button(key="rca_review_submit").click().run()
    errors = [e.value for e in at.error]
    assert "Root cause 1: choose a category." in errors
    assert "Say what went well in the handling." in errors
    assert "Plan at least one action against recurrence." in errors
    assert any(e.startswith("The draft was saved, but it cannot be sent for review yet") for e in errors)


def test_review_page_refuses_other_roles(page_db):
    at = AppTest.from_file(str(ROOT / "pages" / "rca_review.py"), default_timeout=60)
    at.session_state["vigie_actor"] = MANAGER
    at.run()
    assert "Only supervisors and administrators" in at.warning[0].value
    assert not at.text_area


def test_every_demo_review_opens_in_its_state(demo_db_path, monkeypatch, tmp_path):
    path = tmp_path / "demo.duckdb"  # the page's store stays open in this process: not the shared demo file
    shutil.copy(demo_db_path, path)
    monkeypatch.setenv("VIGIE_DB", str(path))
    db = open_store(path, read_only=True)
    try:
        states = dict(db.rows("SELECT i.id, coalesce(c.status, 'none') FROM incidents i "
                              "LEFT JOIN rca_current c ON c.incident_id = i.id "
                              "WHERE i.resolved_at IS NOT NULL AND i.status IN ('resolved', 'post_mortem', 'closed')"))
    finally:
        db.close()
    expected_buttons = {"none": "Save and send for review", "draft": "Save and send for review",
                        "in_review": "Publish this revision", "published": "Start a new revision"}
    at = open_page("pages/rca_review.py")
    for incident_id, state in states.items():
        at.selectbox(key="rca_review_incident").set_value(incident_id).run()
        assert not at.exception, (incident_id, [e.value for e in at.exception])
        assert expected_buttons[state] in [b.label for b in at.button], (incident_id, state)
    assert set(states.values()) == set(expected_buttons)
