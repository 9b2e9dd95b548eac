"""Incident figures (per month and severity), their charts, and the demo incidents."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from analytics.domains import open_store
from analytics.incidents import queries
from analytics.incidents import service as incidents
from analytics.incidents import stats as incident_stats
from analytics.incidents.charts import incidents_per_month_figure, notify_time_figure, timeline_figure
from tests.conftest import DEMO_NOW
from tests.incidents.factories import SUPERVISOR, declared, utc

SETTINGS = queries.NotifySettings(20, 30, 60)
AS_OF = utc(2026, 6, 1, 12, 0)


def incident(db, defined, *, notify_after=None, ack_after=None, resolve_after=None, severity=2):
    """An incident detected 10 min before its impact was defined (started 20 min before)."""
    result = declared(db, defined=defined, severity=severity)
    if notify_after is not None:
        incidents.notify(db, actor=SUPERVISOR, incident_id=result.incident_id,
                         sent_at=defined + timedelta(minutes=notify_after), sent_by="Julie", company_ids=(),
                         all_customers=True, message="We are on it", token=f"n-{result.incident_id}", now=AS_OF)
    if ack_after is not None:
        incidents.transition(db, actor=SUPERVISOR, incident_id=result.incident_id, to_status="investigating",
                             at=defined + timedelta(minutes=ack_after), now=AS_OF)
    if resolve_after is not None:
        incidents.transition(db, actor=SUPERVISOR, incident_id=result.incident_id, to_status="resolved",
                             at=defined + timedelta(minutes=resolve_after), now=AS_OF)
    return result


@pytest.fixture
def figures_db(db):
    # March, severity 2: notified after 10, 25 and 40 min; acknowledged 5, 15, 25 min after the impact
    # was defined (= 15, 25, 35 min after detection); resolved 110, 170, 230 min after definition.
    for day, notify, ack, resolve in ((3, 10, 5, 110), (10, 25, 15, 170), (17, 40, 25, 230)):
        incident(db, utc(2026, 3, day, 9, 0), notify_after=notify, ack_after=ack, resolve_after=resolve)
    # April, severity 1: one never notified and past its deadline, still open.
    incident(db, utc(2026, 4, 8, 9, 0), severity=1)
    # June, severity 1: unnotified but its impact defined only 10 min before AS_OF: undecided.
    incident(db, utc(2026, 6, 1, 11, 50), severity=1, ack_after=3)
    return db


def test_figures_per_month_and_severity(figures_db):
    frame = incident_stats.figures(figures_db, start=date(2026, 1, 1), end=date(2026, 7, 1), settings=SETTINGS,
                                   as_of=AS_OF)
    march = frame[frame["month"] == "2026-03-01"].iloc[0]
    assert (march["severity"], march["incidents"], march["notified"]) == (2, 3, 3)
    assert march["notify_median_min"] == 25
    assert (march["within_target"], march["within_deadline"], march["notify_decided"]) == (1, 2, 3)
    assert (march["within_target_pct"], march["within_deadline_pct"]) == (33.3, 66.7)
    assert march["mtta_min"] == 25          # mean of 15, 25, 35 min after detection
    assert march["resolve_median_h"] == 3.17  # from the start: 130, 190, 250 min -> median 190 min
    assert march["mttr_h"] == 3.0             # from detection: 120, 180, 240 min -> mean 180 min
    april = frame[frame["month"] == "2026-04-01"].iloc[0]
    assert (april["incidents"], april["notified"], april["notify_decided"], april["within_deadline_pct"]) == \
        (1, 0, 1, 0.0)
    june = frame[frame["month"] == "2026-06-01"].iloc[0]
    assert (june["notify_decided"], pd.isna(june["within_target_pct"]), june["mtta_min"]) == (0, True, 13)


def test_overall_figures_and_severity_filter(figures_db):
    overall = incident_stats.figures(figures_db, start=date(2026, 1, 1), end=date(2026, 7, 1), settings=SETTINGS,
                                     as_of=AS_OF, by=()).iloc[0]
    assert (overall["incidents"], overall["notify_decided"], overall["within_deadline"]) == (5, 4, 2)
    only_one = incident_stats.figures(figures_db, start=date(2026, 1, 1), end=date(2026, 7, 1), settings=SETTINGS,
                                      as_of=AS_OF, severities=(1,), by=("severity",))
    assert only_one[["severity", "incidents"]].values.tolist() == [[1, 2]]
    with pytest.raises(ValueError, match="not an allowed name here"):
        incident_stats.figures(figures_db, start=date(2026, 1, 1), end=date(2026, 7, 1), settings=SETTINGS,
                               as_of=AS_OF, by=("title",))


def test_charts_show_the_figures(figures_db):
    args = dict(start=date(2026, 1, 1), end=date(2026, 7, 1), settings=SETTINGS, as_of=AS_OF)
    counts = incidents_per_month_figure(incident_stats.figures(figures_db, **args))
    assert [(t.name, list(t.x), list(t.y)) for t in counts.data] == [
        ("Severity 1", ["2026-04-01", "2026-06-01"], [1, 1]), ("Severity 2", ["2026-03-01"], [3])]
    # months on a date axis (sorted as dates whatever order the severities add them), whole ticks for counts
    assert (counts.layout.xaxis.type, counts.layout.xaxis.dtick) == ("date", "M1")
    assert (counts.layout.yaxis.dtick, counts.layout.yaxis.tickformat) == (1, ",d")
    notify = notify_time_figure(incident_stats.figures(figures_db, **args, by=("month",)), target=20, deadline=30)
    assert list(notify.data[0].y) == [25.0, 0.0, 0.0]
    assert list(notify.data[0].text) == ["67% ≤ 30 min", "0% ≤ 30 min", "no decision"]
    assert [shape.y0 for shape in notify.layout.shapes] == [20, 30]
    # 25 min: past the 20-minute target but within the 30-minute deadline, amber; no notification: grey
    assert list(notify.data[0].marker.color) == ["#e8b93c", "#b0b7c3", "#b0b7c3"]
    events = queries.timeline(figures_db, incident_id=1)
    timeline = timeline_figure(events)
    assert [t.name for t in timeline.data] == ["impact", "lifecycle", "notification"]
    assert sum(len(t.x) for t in timeline.data) == len(events) == 7


@pytest.fixture(scope="module")
def demo(demo_db_path):
    database = open_store(demo_db_path, read_only=True)
    yield database
    database.close()


def test_demo_has_thirty_incidents_with_consistent_tracks(demo):
    frame = demo.query("SELECT * FROM incidents ORDER BY id")
    assert len(frame) == 30 and frame["reference"].is_unique and frame["idempotency_token"].is_unique
    assert frame["reference"].str.match(r"^INC-\d{4}-\d{4}$").all()
    last = demo.query("SELECT incident_id, arg_max(to_status, occurred_at) AS status, count(*) AS moves "
                      "FROM incident_transitions GROUP BY ALL ORDER BY incident_id")
    assert last["status"].tolist() == frame["status"].tolist()
    assert frame["status"].value_counts().to_dict() == {"closed": 26, "resolved": 1, "post_mortem": 1,
                                                        "monitoring": 1, "investigating": 1}
    assert (frame["started_at"] <= frame["detected_at"]).all()
    assert (frame["detected_at"] <= frame["impact_defined_at"]).all()
    assert (frame["impact_defined_at"] <= frame["declared_at"]).all()
    assert (frame["resolved_at"].dropna() <= DEMO_NOW).all() and (frame["declared_at"] <= DEMO_NOW).all()


def test_demo_notifications_mostly_on_time_and_open_clocks_running(demo):
    track = demo.query("SELECT i.reference, min(n.sent_at) - any_value(i.impact_defined_at) AS delay "
                       "FROM incidents i JOIN incident_notifications n ON n.incident_id = i.id "
                       "AND n.kind = 'notification' GROUP BY i.reference")
    late = (track["delay"] > timedelta(minutes=30)).sum()
    # exact: the demo is deterministic (seed 11, ending DEMO_NOW; the same from two builds and with the
    # machine's clock moved to June 2027): 3 of 29 first notifications late, 73 status updates
    assert (len(track), late) == (29, 3)
    assert demo.scalar("SELECT count(*) FROM incident_notifications WHERE kind = 'status_update'") == 73
    assert demo.scalar("SELECT count(DISTINCT incident_id) FROM incident_steps") == 29
    open_rows = queries.open_incidents(demo, settings=SETTINGS, as_of=DEMO_NOW)
    clocks = [queries.clock(row, DEMO_NOW) for row in open_rows.to_dict("records")]
    assert sorted((c.kind, c.state) for c in clocks) == [("first notification", "on track"),
                                                          ("next status update", "on track")]
    first = next(c for c in clocks if c.kind == "first notification")
    assert first.seconds_left == 18 * 60


def test_command_line_prints_the_figures(figures_db, capsys):
    from analytics.cli.main import main

    path = str(figures_db.path)
    figures_db.close()
    assert main(["incidents", "--db", path, "--from", "2026-03-01", "--to", "2026-04-01",
                 "--as-of", AS_OF.isoformat(), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["month"], r["severity"], r["incidents"], r["within_deadline_pct"]) for r in rows] == \
        [("2026-03", 2, 3, 66.7)]
    assert main(["incidents", "--db", path, "--from", "2026-04-01", "--to", "2026-03-01"]) == 2
    assert "--to must be after --from" in capsys.readouterr().err
