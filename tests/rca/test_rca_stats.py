"""RCA figures on a hand-built spring: delays to publish, overdue RCAs, recurrences, action items, month figures."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from analytics.domains import open_store
from analytics.rca import service as rca
from analytics.rca import tracking as rca_tracking
from analytics.rca.queries import load_review
from analytics.rca.rules import ActionItemInput, ReviewContent, RootCause
from analytics.rca.stats import RcaFilter, action_items, category_trend, headline, rca_list, rca_month_figures
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_company, paris
from tests.rca.factories import SUPERVISOR, complete_review, resolved_incident

AS_OF = paris(2025, 6, 30, 12, 0)


def publish(db, incident_id, *, at, cause, actions):
    content = complete_review(started=at - timedelta(days=20), category=cause[0], platform=cause[1])
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id, content=content, actions=actions,
                   now=at - timedelta(days=1))
    rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident_id, now=at - timedelta(hours=2))
    rca.publish(db, actor=SUPERVISOR, incident_id=incident_id, now=at)


def resolved_at(db, incident_id) -> datetime:
    return db.scalar("SELECT resolved_at FROM incidents WHERE id = ?", [incident_id])


def item_id(db, incident_id, description) -> int:
    frame = load_review(db, incident_id=incident_id).actions
    return int(frame[frame["description"] == description]["id"].iloc[0])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The database of the module (read-only for its tests)."""
    database = open_store(tmp_path_factory.mktemp("rca_stats") / "spring.duckdb")
    ensure_intervals(database)
    incidents = build_spring(database)
    yield database, incidents
    database.close()


@pytest.fixture
def db(built):
    return built[0]


@pytest.fixture
def spring(built):
    return built[1]


def build_spring(db):
    """A (capacity/API, published after 5 days), B (same cause 42 days later, after 12 days), C (no RCA, overdue),
    D (draft, recent); four action items: one on time, one late, one overdue, one not yet due."""
    a = resolved_incident(db, started=paris(2025, 3, 3, 10), platform="API", severity=1)
    publish(db, a, at=resolved_at(db, a) + timedelta(days=5), cause=("capacity", "API"),
            actions=(ActionItemInput("Alert on queue depth", "Ana Lyst", date(2025, 4, 1)),
                     ActionItemInput("Autoscale the workers", "Olga Owner", date(2025, 5, 1))))
    rca_tracking.update_action_item(db, actor=SUPERVISOR, item_id=item_id(db, a, "Alert on queue depth"),
                                    status="done", completed_at=paris(2025, 3, 25, 15), now=paris(2025, 3, 25, 16))
    b = resolved_incident(db, started=paris(2025, 4, 14, 10), platform="API")
    publish(db, b, at=resolved_at(db, b) + timedelta(days=12), cause=("capacity", "API"),
            actions=(ActionItemInput("Capacity review", "Ana Lyst", date(2025, 7, 31)),
                     ActionItemInput("Load test the release", "Bo Tester", date(2025, 5, 15))))
    rca_tracking.update_action_item(db, actor=SUPERVISOR, item_id=item_id(db, b, "Load test the release"),
                                    status="done", completed_at=paris(2025, 5, 20, 15), now=paris(2025, 5, 20, 16))
    c = resolved_incident(db, started=paris(2025, 6, 2, 10), platform="Messaging")
    d = resolved_incident(db, started=paris(2025, 6, 27, 10), platform="Messaging")
    rca.save_draft(db, actor=SUPERVISOR, incident_id=d, now=paris(2025, 6, 28, 10),
                   content=ReviewContent(root_causes=(RootCause("network", "Messaging", "Link loss"),)))
    alpha = add_company(db, "Alpha")
    request = rca_tracking.record_request(db, actor=SUPERVISOR, incident_id=a, company_id=alpha,
                                          requested_by="Customer admin", requested_at=paris(2025, 4, 2, 9),
                                          now=paris(2025, 4, 2, 10))
    rca_tracking.mark_delivered(db, actor=SUPERVISOR, request_id=request, delivered_at=paris(2025, 4, 3, 9),
                                now=paris(2025, 4, 3, 10))
    rca_tracking.record_request(db, actor=SUPERVISOR, incident_id=c, company_id=alpha, requested_by="Customer admin",
                                requested_at=paris(2025, 6, 10, 9), now=paris(2025, 6, 10, 10))
    return {"A": a, "B": b, "C": c, "D": d}


def test_headline(db, spring):
    assert headline(db, RcaFilter(), as_of=AS_OF) == {
        "resolved_incidents": 4, "published": 2, "in_progress": 1, "overdue": 1, "median_days_to_publish": 8.5,
        "recurring": 1, "actions": 4, "actions_done": 2, "completion_pct": 50.0, "actions_overdue": 1,
        "actions_done_on_time": 1}


def test_list_flags_delay_overdue_and_recurrence(db, spring):
    frame = rca_list(db, RcaFilter(), as_of=AS_OF)
    rows = {r.incident_id: r for r in frame.itertuples()}
    a, b, c, d = (rows[spring[k]] for k in "ABCD")
    assert (a.rca_status, a.days_to_publish, a.overdue, a.recurrence) == ("published", 5.0, False, False)
    assert (b.rca_status, b.days_to_publish, b.recurrence, b.recurrence_of) == ("published", 12.0, True, a.reference)
    assert (c.rca_status, c.overdue, c.days_since_resolution) == ("none", True, 28.0)
    assert (d.rca_status, d.overdue, d.categories) == ("draft", False, "network")


@pytest.mark.parametrize("flt,expected", [
    (RcaFilter(statuses=("published",)), {"A", "B"}),
    (RcaFilter(statuses=("none", "draft")), {"C", "D"}),
    (RcaFilter(categories=("network",)), {"D"}),
    (RcaFilter(platforms=("API",)), {"A", "B"}),
    (RcaFilter(severities=(1,)), {"A"}),
    (RcaFilter(start=date(2025, 4, 1), end=date(2025, 6, 3)), {"B", "C"}),
])
def test_filters(db, spring, flt, expected):
    names = {v: k for k, v in spring.items()}
    assert {names[i] for i in rca_list(db, flt, as_of=AS_OF)["incident_id"]} == expected


def test_overdue_actions_with_owners(db, spring):
    frame = action_items(db, RcaFilter(), as_of=AS_OF)
    overdue = frame[frame["overdue"]]
    assert overdue[["owner", "description", "days_overdue"]].values.tolist() == [
        ["Olga Owner", "Autoscale the workers", 60]]
    on_time = frame.set_index("description")["on_time"]
    assert bool(on_time["Alert on queue depth"]) and not bool(on_time["Load test the release"])


def test_categories_per_month(db, spring):
    trend = category_trend(db, RcaFilter(), as_of=AS_OF)
    assert [(m.strftime("%Y-%m"), c, n) for m, c, n in trend.itertuples(index=False)] == [
        ("2025-03", "capacity", 1), ("2025-04", "capacity", 1), ("2025-06", "network", 1)]


@pytest.mark.parametrize("month,expected", [
    (date(2025, 4, 1), {"rcas_published": 1, "rcas_due": 1, "rcas_due_published_on_time": 0,
                        "rcas_overdue_at_end": 0, "requests_received": 1, "requests_delivered": 1,
                        "requests_open_at_end": 0, "median_days_to_deliver": 1.0, "action_items_due": 1,
                        "action_items_closed_on_time": 1, "action_items_overdue_at_end": 0,
                        "action_items_on_time_pct": 100.0}),
    (date(2025, 5, 1), {"rcas_published": 0, "action_items_due": 2, "action_items_closed_on_time": 0,
                        "action_items_completed": 1, "action_items_overdue_at_end": 1,
                        "action_items_on_time_pct": 0.0}),
    (date(2025, 6, 1), {"rcas_due": 1, "rcas_overdue_at_end": 1, "requests_received": 1,
                        "requests_delivered": 0, "requests_open_at_end": 1, "action_items_overdue_at_end": 1}),
])
def test_month_figures_for_the_monthly_report(db, spring, month, expected):
    end = date(month.year, month.month + 1, 1)
    figures = rca_month_figures(db, month_start=month, month_end=end, as_of=AS_OF)
    assert {k: figures[k] for k in expected} == expected
    assert (figures["month_start"], figures["month_end"]) == (month, end)


def test_the_overdue_mark_is_the_setting_rca_overdue_days(db, spring):
    from analytics.kernel.roles import Actor
    from analytics.settings.service import change_setting, reset_setting

    admin = Actor(name="Ada", roles=frozenset({"admin"}))
    change_setting(db, actor=admin, name="rca.overdue_days", value=30)  # C was resolved 28 days ago
    try:
        assert headline(db, RcaFilter(), as_of=AS_OF)["overdue"] == 0
        rows = {r.incident_id: r for r in rca_list(db, RcaFilter(), as_of=AS_OF).itertuples()}
        assert not rows[spring["C"]].overdue
    finally:
        reset_setting(db, actor=admin, name="rca.overdue_days")  # the module's database is shared
    assert headline(db, RcaFilter(), as_of=AS_OF)["overdue"] == 1
