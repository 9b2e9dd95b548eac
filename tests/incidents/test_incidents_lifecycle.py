"""Lifecycle, notification and investigation tracks, clocks and the merged timeline."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from analytics.incidents import queries
from analytics.incidents import service as incidents
from analytics.incidents.rules import STATUSES, TRANSITIONS
from analytics.kernel.errors import RuleRefused, ValidationError
from tests.factories import add_company, add_ticket
from tests.incidents.factories import SUPERVISOR, declared, utc

DEFINED = utc(2026, 3, 10, 9, 0)
LATER = DEFINED + timedelta(hours=6)
SETTINGS = queries.NotifySettings(20, 30, 60)


def move(db, incident_id, *statuses, start=DEFINED + timedelta(minutes=5), now=LATER):
    for k, status in enumerate(statuses):
        incidents.transition(db, actor=SUPERVISOR, incident_id=incident_id, to_status=status,
                             at=start + timedelta(minutes=10 * k), now=now)


def status_of(db, incident_id):
    return db.scalar("SELECT status FROM incidents WHERE id = ?", [incident_id])


PATHS = {  # how to reach each status from 'declared'
    "declared": (), "investigating": ("investigating",), "identified": ("identified",),
    "monitoring": ("monitoring",), "resolved": ("resolved",), "post_mortem": ("resolved", "post_mortem"),
    "closed": ("resolved", "post_mortem", "closed"),
}


@pytest.mark.parametrize("source, target", [(s, t) for s in STATUSES for t in STATUSES if s != t])
def test_every_pair_of_statuses_follows_the_transition_table(db, source, target):
    incident = declared(db, defined=DEFINED).incident_id
    move(db, incident, *PATHS[source])
    call = lambda: incidents.transition(db, actor=SUPERVISOR, incident_id=incident, to_status=target,
                                        at=DEFINED + timedelta(hours=1), now=LATER)
    if target in TRANSITIONS[source]:
        assert call() == target and status_of(db, incident) == target
    else:
        with pytest.raises(RuleRefused, match="cannot go from"):
            call()
        assert status_of(db, incident) == source


def test_closing_an_unresolved_incident_is_refused_with_the_possible_moves(db):
    incident = declared(db, defined=DEFINED).incident_id
    move(db, incident, "investigating")
    with pytest.raises(RuleRefused, match=re.escape("INC-2026-0001 cannot go from investigating to closed. "
                                                    "Possible next steps: identified, monitoring, resolved.") + "$"):
        incidents.transition(db, actor=SUPERVISOR, incident_id=incident, to_status="closed", now=LATER)


def test_milestones_times_and_actors_are_recorded(db):
    incident = declared(db, defined=DEFINED).incident_id
    move(db, incident, "investigating", "identified", "monitoring", "resolved", "investigating", "resolved",
         "post_mortem", "closed")
    row = db.query("SELECT * FROM incidents").iloc[0]
    start = DEFINED + timedelta(minutes=5)
    assert row["acknowledged_at"] == start and row["identified_at"] == start + timedelta(minutes=10)
    assert row["resolved_at"] == start + timedelta(minutes=50)  # the second resolution; the first was reopened
    assert row["postmortem_at"] == start + timedelta(minutes=60) and row["closed_at"] == start + timedelta(minutes=70)
    history = queries.transitions(db, incident_id=incident)
    assert history["to_status"].tolist() == ["declared", "investigating", "identified", "monitoring", "resolved",
                                             "investigating", "resolved", "post_mortem", "closed"]
    assert set(history["actor"]) == {SUPERVISOR.label}
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'incident.transition'") == 8


def test_reopening_clears_the_resolution(db):
    incident = declared(db, defined=DEFINED).incident_id
    move(db, incident, "resolved", "investigating")
    assert db.scalar("SELECT resolved_at FROM incidents") is None


@pytest.mark.parametrize("at, message", [
    (DEFINED + timedelta(minutes=1), "cannot be dated before the previous one"),
    (LATER + timedelta(minutes=5), "cannot be dated in the future"),
])
def test_transition_times_keep_their_order(db, at, message):
    incident = declared(db, defined=DEFINED).incident_id  # declared at DEFINED + 2 min
    with pytest.raises(RuleRefused, match=message):
        incidents.transition(db, actor=SUPERVISOR, incident_id=incident, to_status="investigating", at=at, now=LATER)


def notify(db, incident, minutes, *, kind="notification", token=None, **extra):
    record = incidents.notify if kind == "notification" else incidents.record_update
    args = dict(actor=SUPERVISOR, incident_id=incident, sent_at=DEFINED + timedelta(minutes=minutes),
                sent_by="Julie", company_ids=(), all_customers=True, message=f"report at {minutes}",
                token=token or f"{kind}-{minutes}", now=LATER)
    return record(db, **{**args, **extra})


def test_notification_track_flags_late_first_notice_and_late_status_updates(db):
    incident = declared(db, defined=DEFINED).incident_id
    notify(db, incident, 35)                              # past the 30-minute deadline
    notify(db, incident, 90, kind="status_update")        # due at 35 + 60 = 95: on time
    notify(db, incident, 170, kind="status_update", next_update_due=DEFINED + timedelta(minutes=200))  # late
    notify(db, incident, 195, kind="status_update")       # due 200: on time
    track = queries.notifications(db, incident_id=incident, settings=SETTINGS)
    assert track["late"].tolist() == [True, False, True, False]
    assert track["minutes_after_impact"].tolist() == [35, 90, 170, 195]
    assert track["next_update_due"].tolist()[:2] == [DEFINED + timedelta(minutes=95), DEFINED + timedelta(minutes=150)]
    assert track["recipients"].tolist()[0] == "All impacted customers"
    row = queries.get_incident(db, reference="inc-2026-0001", settings=SETTINGS, as_of=LATER)
    assert row["minutes_to_notify"] == 35 and row["notified_late"] and row["communications"] == 4


def test_notification_rules(db):
    incident = declared(db, defined=DEFINED).incident_id
    with pytest.raises(RuleRefused, match="first customer notification before any status update"):
        notify(db, incident, 10, kind="status_update")
    with pytest.raises(ValidationError, match=re.escape(
            "sent_by: Name who sent it.; recipients: Pick the customers it went to, or tick 'All impacted "
            "customers'.; message: Paste the text that was sent.; next_update_due: The next update must be due "
            "after this one was sent.")) as caught:
        notify(db, incident, 10, sent_by=" ", message="", all_customers=False,
               next_update_due=DEFINED + timedelta(minutes=5))
    assert caught.value.errors == {"sent_by": "Name who sent it.", "message": "Paste the text that was sent.",
                                   "recipients": "Pick the customers it went to, or tick 'All impacted customers'.",
                                   "next_update_due": "The next update must be due after this one was sent."}
    with pytest.raises(ValidationError, match="in the future"):
        notify(db, incident, 60 * 7)
    with pytest.raises(ValidationError, match="before the disruption was detected"):
        notify(db, incident, -30)
    first = notify(db, incident, 12, token="same")
    assert notify(db, incident, 12, token="same") == first  # a double click records it once
    assert db.table_count("incident_notifications") == 1
    move(db, incident, "resolved", "post_mortem")
    with pytest.raises(RuleRefused, match="communications are over"):
        notify(db, incident, 100, kind="status_update")


def test_a_report_after_resolution_has_no_next_due(db):
    incident = declared(db, defined=DEFINED).incident_id
    notify(db, incident, 15, company_ids=(1, 2), all_customers=False)
    move(db, incident, "resolved")
    notify(db, incident, 60, kind="status_update")
    track = queries.notifications(db, incident_id=incident, settings=SETTINGS)
    assert track["recipients"].tolist() == ["Alpha, Beta", "All impacted customers"]
    assert track["next_update_due"].isna().tolist() == [False, True]


def test_investigation_steps_in_order_once_each_with_owner(db):
    incident = declared(db, defined=DEFINED).incident_id
    step = lambda name, minutes, owner="Pierre": incidents.complete_step(
        db, actor=SUPERVISOR, incident_id=incident, step=name, owner=owner,
        completed_at=DEFINED + timedelta(minutes=minutes), now=LATER)
    with pytest.raises(RuleRefused, match="Record 'Experts gathered' before 'Resolution plan established'"):
        step("plan_established", 20)
    with pytest.raises(ValidationError, match="owner"):
        step("scope_assessed", 10, owner="")
    step("scope_assessed", 10)
    with pytest.raises(RuleRefused, match="already recorded"):
        step("scope_assessed", 12)
    with pytest.raises(ValidationError, match="cannot come before"):
        step("experts_gathered", 5)
    step("experts_gathered", 25, owner="Lucie")
    frame = queries.steps(db, incident_id=incident)
    assert frame["step"].tolist() == ["scope_assessed", "experts_gathered", "plan_established", "plan_executed"]
    assert frame["owner"].fillna("").tolist() == ["Pierre", "Lucie", "", ""]


@pytest.mark.parametrize("minutes, kind, state, left", [
    (5, "first notification", "on track", 25 * 60),
    (20, "first notification", "past target", 10 * 60),
    (29, "first notification", "past target", 60),
    (30, "first notification", "late", 0),
    (45, "first notification", "late", -15 * 60),
])
def test_first_notification_clock(db, minutes, kind, state, left):
    declared(db, defined=DEFINED)
    row = queries.open_incidents(db, settings=SETTINGS, as_of=LATER).iloc[0].to_dict()
    value = queries.clock(row, DEFINED + timedelta(minutes=minutes))
    assert (value.kind, value.state, value.seconds_left) == (kind, state, left)


def test_status_update_clock_and_countdown_text(db):
    incident = declared(db, defined=DEFINED).incident_id
    notify(db, incident, 10)
    row = queries.open_incidents(db, settings=SETTINGS, as_of=LATER).iloc[0].to_dict()
    value = queries.clock(row, DEFINED + timedelta(minutes=57, seconds=30))
    assert (value.kind, value.state, value.seconds_left) == ("next status update", "on track", 12.5 * 60)
    assert queries.countdown_text(value) == "Next status update due in 12:30"
    late = queries.clock(row, DEFINED + timedelta(hours=2, minutes=15, seconds=5))
    assert queries.countdown_text(late) == "Next status update overdue by 1:05:05" and late.state == "late"
    move(db, incident, "resolved")
    assert queries.open_incidents(db, settings=SETTINGS, as_of=LATER).empty


def test_timeline_merges_all_tracks_in_time_order(db):
    incident = declared(db, defined=DEFINED).incident_id
    move(db, incident, "investigating")                   # at +5
    notify(db, incident, 12)
    incidents.complete_step(db, actor=SUPERVISOR, incident_id=incident, step="scope_assessed", owner="Pierre",
                            completed_at=DEFINED + timedelta(minutes=8), now=LATER)
    events = queries.timeline(db, incident_id=incident)
    assert events["event"].tolist() == [
        "Disruption started", "Disruption detected", "Impact defined: notification clock starts", "Declared",
        "Status: declared → investigating", "Scope assessed", "Customer notification sent"]
    assert events["track"].tolist() == ["impact", "impact", "impact", "lifecycle", "lifecycle", "investigation",
                                        "notification"]


def test_impacted_tickets_are_those_of_impacted_customers_during_the_incident(db):
    add_company(db, "Alpha"), add_company(db, "Beta"), add_company(db, "Gamma")
    add_ticket(db, "T-BEFORE", severity=2, opened=DEFINED - timedelta(hours=1), company="Alpha")
    add_ticket(db, "T-ALPHA", severity=2, opened=DEFINED, company="Alpha")
    add_ticket(db, "T-GAMMA", severity=2, opened=DEFINED, company="Gamma")
    add_ticket(db, "T-AFTER", severity=2, opened=DEFINED + timedelta(hours=3), company="Beta")
    named = declared(db, defined=DEFINED).incident_id      # Alpha and Beta
    everyone = declared(db, defined=DEFINED, company_ids=(), all_customers=True).incident_id
    for incident in (named, everyone):
        move(db, incident, "resolved", start=DEFINED + timedelta(hours=2))
    assert queries.impacted_tickets(db, incident_id=named, as_of=LATER)["reference"].tolist() == ["T-ALPHA"]
    assert queries.impacted_tickets(db, incident_id=everyone, as_of=LATER)["reference"].tolist() == \
        ["T-ALPHA", "T-GAMMA"]
    assert queries.impacted_company_ids(db, incident_id=everyone) == [1, 2, 3]


def test_history_filters(db):
    declared(db, defined=DEFINED)
    breach = declared(db, defined=DEFINED + timedelta(days=40), title="Customer portal: data exposed",
                      security_breach=True, severity=1).incident_id
    move(db, breach, "resolved", start=DEFINED + timedelta(days=40, minutes=10), now=LATER + timedelta(days=60))
    listing = lambda **kw: queries.list_incidents(db, queries.IncidentFilter(**kw), settings=SETTINGS,
                                                  as_of=LATER + timedelta(days=60))["reference"].tolist()
    assert listing() == ["INC-2026-0001", "INC-2026-0002"]  # the open one first
    assert listing(security_only=True) == listing(severities=(1,)) == listing(search="portal") == ["INC-2026-0002"]
    assert listing(statuses=("declared",)) == ["INC-2026-0001"]
    assert listing(start=DEFINED.date() + timedelta(days=1)) == ["INC-2026-0002"]
    assert listing(company_id=1) == ["INC-2026-0001", "INC-2026-0002"]
    assert listing(company_id=99) == []
