"""Escalation rules (DOMAIN.md section 3), table-driven: chain order, acknowledge/escalate/resolve
states, the unacknowledged flag, validation, roles, audit rows and concurrent references."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import time_machine

from analytics.audit.service import load_audit
from analytics.escalations import rules
from analytics.escalations import service as svc
from analytics.escalations.stats import open_escalations
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, PermissionDenied
from analytics.settings.service import put_setting
from tests.factories import add_company, add_ticket, paris

CHAIN = ["Customer support", "Support supervisor", "Senior manager", "Director", "Senior director"]
MANAGER = Actor("Mia Manager", "mia@example.test", frozenset({"manager"}))
T0 = paris(2026, 6, 1, 9, 0)


def state(level=1, acknowledged=False, resolved=False) -> rules.EscalationState:
    return rules.EscalationState(
        id=1, reference="ESC-2026-0001", level=level, level_since=T0, owner="o",
        acknowledged_at=T0 if acknowledged else None, acknowledged_by="ann" if acknowledged else None,
        resolved_at=T0 if resolved else None, resolved_by="rob" if resolved else None)


# (action, state, expected error fragment or None)
RULES = [
    ("acknowledge", state(1), None),
    ("acknowledge", state(3, acknowledged=True), "already acknowledged at level 3 (Senior manager)"),
    ("acknowledge", state(2, resolved=True), "a resolved escalation cannot be acknowledged"),
    ("escalate", state(1), None),
    ("escalate", state(1, acknowledged=True), None),
    ("escalate", state(4), None),
    ("escalate", state(5), "cannot be escalated beyond the senior director"),
    ("escalate", state(2, resolved=True), "cannot be escalated further"),
    ("resolve", state(1), None),
    ("resolve", state(5, acknowledged=True), None),
    ("resolve", state(1, acknowledged=True, resolved=True), "cannot be resolved again"),
]


@pytest.mark.parametrize("action,current,error", RULES, ids=[f"{r[0]}-{i}" for i, r in enumerate(RULES)])
def test_check_action(action, current, error):
    if error is None:
        rules.check_action(action, current, CHAIN)
    else:
        with pytest.raises(RuleRefused, match=re.escape(error)):
            rules.check_action(action, current, CHAIN)


def raise_one(db, at=T0, **kwargs) -> str:
    add_ticket(db, "CS-1", severity=2, opened=at - timedelta(hours=5), company="Acme")
    values = dict(ticket_reference="CS-1", reason="No answer for five hours", reason_code="sla_breach",
                  raised_by="Jean Client", owner="Desk")
    values.update(kwargs)
    return svc.raise_escalation(db, actor=MANAGER, at=at, **values).reference


def test_chain_is_called_in_order_one_level_at_a_time(db):
    ref = raise_one(db)
    levels, owners = [1], []
    for step in range(1, 5):
        after = svc.escalate_further(db, actor=MANAGER, reference=ref, at=T0 + timedelta(hours=step))
        levels.append(after.level)
        owners.append(after.owner)
    assert levels == [1, 2, 3, 4, 5]
    assert owners == CHAIN[1:]  # no contact configured: the level itself owns it
    with pytest.raises(RuleRefused, match="beyond the senior director"):
        svc.escalate_further(db, actor=MANAGER, reference=ref, at=T0 + timedelta(hours=6))
    events = db.rows("SELECT kind, from_level, to_level FROM escalation_events ORDER BY occurred_at, id")
    assert events == [("raised", None, 1)] + [("escalated", n, n + 1) for n in range(1, 5)]


def test_escalating_clears_the_acknowledgement_and_uses_the_level_contact(db):
    with db.transaction() as cur:
        put_setting(cur, name="escalation.contacts", actor="t",
                    value={"Support supervisor": {"name": "Sam Supervisor", "phone": "+33 1 00 00 00 00"}})
    ref = raise_one(db)
    acked = svc.acknowledge(db, actor=MANAGER, reference=ref, at=T0 + timedelta(minutes=30))
    assert acked.acknowledged_by == "mia@example.test"
    moved = svc.escalate_further(db, actor=MANAGER, reference=ref, note="no fix", at=T0 + timedelta(hours=2))
    assert (moved.level, moved.owner, moved.acknowledged_at) == (2, "Sam Supervisor", None)
    assert moved.level_since == T0 + timedelta(hours=2)
    again = svc.acknowledge(db, actor=MANAGER, reference=ref, at=T0 + timedelta(hours=3))
    assert again.acknowledged_at == T0 + timedelta(hours=3)


# (case, steps before the checked action, action, expected message or None)
STATE_CASES = [
    ("acknowledge an open one", [], "acknowledge", None),
    ("acknowledge twice", ["acknowledge"], "acknowledge", "already acknowledged"),
    ("acknowledge a resolved one", ["resolve"], "acknowledge", "cannot be acknowledged"),
    ("resolve without acknowledgement", [], "resolve", None),
    ("resolve twice", ["resolve"], "resolve", "cannot be resolved again"),
    ("escalate a resolved one", ["acknowledge", "resolve"], "escalate", "cannot be escalated further"),
    ("acknowledge again after escalating", ["acknowledge", "escalate"], "acknowledge", None),
]


def perform(db, action, ref, at):
    if action == "acknowledge":
        return svc.acknowledge(db, actor=MANAGER, reference=ref, at=at)
    if action == "escalate":
        return svc.escalate_further(db, actor=MANAGER, reference=ref, at=at)
    return svc.resolve(db, actor=MANAGER, reference=ref, resolution="Call-back done", at=at)


@pytest.mark.parametrize("case,steps,action,message", STATE_CASES, ids=[c[0] for c in STATE_CASES])
def test_states_in_the_database(db, case, steps, action, message):
    ref = raise_one(db)
    for n, step in enumerate(steps, start=1):
        perform(db, step, ref, T0 + timedelta(hours=n))
    audit_before = len(load_audit(db, entity="escalation"))
    at = T0 + timedelta(hours=len(steps) + 1)
    if message is None:
        perform(db, action, ref, at)
        assert len(load_audit(db, entity="escalation")) == audit_before + 1
    else:
        with pytest.raises(RuleRefused, match=message):
            perform(db, action, ref, at)
        assert len(load_audit(db, entity="escalation")) == audit_before  # nothing written


def test_an_action_cannot_predate_the_current_level(db):
    ref = raise_one(db)
    with pytest.raises(ValidationError, match=re.escape(
            "at: The time cannot be before ESC-2026-0001 reached its current level (01 Jun 2026 09:00).") + "$"):
        svc.acknowledge(db, actor=MANAGER, reference=ref, at=T0 - timedelta(minutes=1))


# (case, minutes at level unacknowledged / steps, ack_hours setting, flagged?, next level)
NOW = T0 + timedelta(days=2)
FLAG_CASES = [
    ("3 h 59 unacknowledged", [("raise", 239)], 4, False, "Support supervisor"),
    ("4 h 01 unacknowledged", [("raise", 241)], 4, True, "Support supervisor"),
    ("acknowledged late is no longer flagged", [("raise", 600), ("acknowledge", 300)], 4, False, "Support supervisor"),
    ("escalated an hour ago: the clock restarts", [("raise", 600), ("escalate", 60)], 4, False, "Senior manager"),
    ("unacknowledged 5 h at level 2", [("raise", 900), ("acknowledge", 880), ("escalate", 300)], 4, True,
     "Senior manager"),
    ("5 h with an 8 h threshold", [("raise", 300)], 8, False, "Support supervisor"),
    ("a fractional threshold: 1.5 h", [("raise", 91)], 1.5, True, "Support supervisor"),
]


@pytest.mark.parametrize("case,steps,ack_hours,flagged,next_level", FLAG_CASES, ids=[c[0] for c in FLAG_CASES])
def test_unacknowledged_flag(db, case, steps, ack_hours, flagged, next_level):
    with db.transaction() as cur:
        put_setting(cur, name="escalation.ack_hours", value=ack_hours, actor="t")
    (_, raised_minutes_ago), *later = steps
    ref = raise_one(db, at=NOW - timedelta(minutes=raised_minutes_ago))
    for action, minutes_ago in later:
        perform(db, action, ref, NOW - timedelta(minutes=minutes_ago))
    row = open_escalations(db, now=NOW).iloc[0]
    assert bool(row["flagged"]) is flagged
    assert row["next_level"] == next_level


def test_top_level_flag_has_no_next_level_and_resolved_ones_leave_the_list(db):
    ref = raise_one(db, at=NOW - timedelta(hours=30))
    for n in range(4):
        svc.escalate_further(db, actor=MANAGER, reference=ref, at=NOW - timedelta(hours=20 - n))
    row = open_escalations(db, now=NOW).iloc[0]
    assert (row["level_name"], bool(row["flagged"])) == ("Senior director", True)
    assert row["next_level"] is None or row["next_level"] != row["next_level"]  # NULL / NaN
    svc.resolve(db, actor=MANAGER, reference=ref, resolution="Director called the customer", at=NOW)
    assert open_escalations(db, now=NOW).empty


# (case, form values, field, message fragment)
INVALID = [
    ("no ticket and no company", {"ticket_reference": None}, "ticket_reference", "or pick the company"),
    ("unknown ticket", {"ticket_reference": "CS-404"}, "ticket_reference", "No ticket with reference"),
    ("ticket of another company", {"company": "Other"}, "company", "belongs to Acme"),
    ("short reason", {"reason": "late"}, "reason", "at least 10 characters"),
    ("long reason", {"reason": "x" * 2001}, "reason", "under 2000 characters"),
    ("unknown reason code", {"reason_code": "angry"}, "reason_code", "Choose a reason code"),
    ("nobody raised it", {"raised_by": "  "}, "raised_by", "Give who raised it"),
    ("no owner", {"owner": ""}, "owner", "Give the owner"),
    ("unknown incident", {"incident": "INC-2026-9999"}, "incident", "No incident"),
]


@pytest.mark.parametrize("case,values,field,message", INVALID, ids=[c[0] for c in INVALID])
def test_validation_messages(db, case, values, field, message):
    add_ticket(db, "CS-1", severity=2, opened=T0, company="Acme")
    other = add_company(db, "Other")
    form = dict(ticket_reference="CS-1", reason="Nobody called back", reason_code="quality",
                raised_by="Jean Client", owner="Desk")
    form.update(values)
    if form.pop("company", None) == "Other":
        form["company_id"] = other
    with pytest.raises(ValidationError, match=re.escape(f"{field}: ") + ".*" + re.escape(message)) as info:
        svc.raise_escalation(db, actor=MANAGER, at=T0 + timedelta(hours=1), **form)
    assert message in info.value.errors[field]
    assert db.scalar("SELECT count(*) FROM escalations") == 0


@time_machine.travel(T0 + timedelta(hours=1), tick=False)  # the clock frozen: "now" is exactly 10:00 Paris
def test_future_time_is_refused(db):
    assert raise_one(db, at=T0 + timedelta(hours=1, minutes=5)) == "ESC-2026-0001"  # 5 minutes ahead: clock skew
    with pytest.raises(ValidationError, match=re.escape("at: The time cannot be in the future.") + "$"):
        svc.raise_escalation(db, actor=MANAGER, ticket_reference="CS-1", reason="No answer for five hours",
                             reason_code="sla_breach", raised_by="Jean Client", owner="Desk",
                             at=T0 + timedelta(hours=1, minutes=5, seconds=1))


def test_company_only_escalation_and_resubmitted_form(db):
    company = add_company(db, "Acme")
    first = svc.raise_escalation(db, actor=MANAGER, company_id=company, reason="Account review never held",
                                 reason_code="commitment_not_kept", raised_by="Jean", owner="Desk",
                                 submission_key="form-1", at=T0)
    again = svc.raise_escalation(db, actor=MANAGER, company_id=company, reason="Account review never held",
                                 reason_code="commitment_not_kept", raised_by="Jean", owner="Desk",
                                 submission_key="form-1", at=T0)
    assert (first.reference, first.created) == ("ESC-2026-0001", True)
    assert (again.reference, again.created) == ("ESC-2026-0001", False)
    assert db.scalar("SELECT count(*) FROM escalations") == 1


ROLE_CASES = [Actor("Lea", roles=frozenset({"leadership"})), Actor("Nobody"), None]


@pytest.mark.parametrize("actor", ROLE_CASES, ids=["leadership", "no role", "not signed in"])
@pytest.mark.parametrize("action", ["raise", "acknowledge", "escalate", "resolve"])
def test_wrong_roles_are_refused(db, actor, action):
    ref = raise_one(db)
    before = (db.scalar("SELECT count(*) FROM escalation_events"), db.scalar("SELECT count(*) FROM audit_log"))
    calls = {
        "raise": lambda: svc.raise_escalation(db, actor=actor, ticket_reference="CS-1", reason="Second complaint",
                                              reason_code="other", raised_by="Jean", owner="Desk", at=T0),
        "acknowledge": lambda: svc.acknowledge(db, actor=actor, reference=ref, at=T0),
        "escalate": lambda: svc.escalate_further(db, actor=actor, reference=ref, at=T0),
        "resolve": lambda: svc.resolve(db, actor=actor, reference=ref, resolution="done", at=T0),
    }
    words = {"raise": "raise an escalation", "acknowledge": "acknowledge an escalation",
             "escalate": "escalate an escalation further", "resolve": "resolve an escalation"}[action]
    refusal = (f"You must be signed in to {words}." if actor is None else
               f"Only a manager or supervisor or admin may {words}; you are signed in as {actor.name} with roles: "
               f"{', '.join(sorted(actor.roles)) or 'none'}.")
    with pytest.raises(PermissionDenied, match=f"^{re.escape(refusal)}$"):
        calls[action]()
    assert (db.scalar("SELECT count(*) FROM escalation_events"), db.scalar("SELECT count(*) FROM audit_log")) == before


@pytest.mark.parametrize("role", ["manager", "supervisor", "admin"])
def test_action_roles_may_act(db, role):
    actor = Actor("A", roles=frozenset({role}))
    ref = raise_one(db)
    assert svc.acknowledge(db, actor=actor, reference=ref, at=T0 + timedelta(minutes=5)).acknowledged_by == "A"


def test_one_audit_row_per_action_in_the_same_transaction(db):
    ref = raise_one(db)
    svc.acknowledge(db, actor=MANAGER, reference=ref, at=T0 + timedelta(hours=1))
    svc.escalate_further(db, actor=MANAGER, reference=ref, note="still broken", at=T0 + timedelta(hours=2))
    svc.resolve(db, actor=MANAGER, reference=ref, resolution="Patched", at=T0 + timedelta(hours=3))
    rows = load_audit(db, entity="escalation").sort_values("id")
    assert list(rows["action"]) == ["escalation.raise", "escalation.acknowledge", "escalation.escalate",
                                    "escalation.resolve"]
    assert set(rows["actor"]) == {"mia@example.test"} and set(rows["entity_id"]) == {ref}
    escalate = rows[rows["action"] == "escalation.escalate"].iloc[0]
    assert '"level": 1' in escalate["before"] and '"level": 2' in escalate["after"]
    assert '"note": "still broken"' in escalate["after"]


def test_twenty_concurrent_raises_get_twenty_distinct_references(db):
    company = add_company(db, "Acme")
    results, errors = [], []
    barrier = threading.Barrier(20)

    def worker(n):
        barrier.wait()
        try:
            results.append(svc.raise_escalation(db, actor=MANAGER, company_id=company, reason=f"Complaint {n:02d} x",
                                                reason_code="other", raised_by=f"Contact {n}", owner="Desk",
                                                at=T0).reference)
        except Exception as exc:  # collected so that the assertion shows it
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [f"ESC-2026-{n:04d}" for n in range(1, 21)]
    assert db.scalar("SELECT count(DISTINCT reference) FROM escalations") == 20
    assert db.scalar("SELECT count(*) FROM escalation_events WHERE kind = 'raised'") == 20
    assert len(load_audit(db, entity="escalation")) == 20


@time_machine.travel(T0, tick=False)  # the services' default "now" and the figures' "now" are the same instant
def test_an_escalation_may_refer_to_an_incident(db):
    from analytics.incidents.rules import IncidentDraft
    from analytics.incidents.service import declare

    acme = add_company(db, "Acme")
    started = T0 - timedelta(hours=3)
    incident = declare(db, actor=Actor("Sue", roles=frozenset({"supervisor"})), token="t-1", draft=IncidentDraft(
        title="Messaging down", severity=1, security_breach=False, platforms=("Messaging",), company_ids=(),
        all_customers=True, started_at=started, detected_at=started, impact_defined_at=started,
        description="Messaging platform unavailable", commander="C", notification_lead="N",
        investigation_lead="I"))
    for given in (incident.reference.lower(), incident.incident_id):
        svc.raise_escalation(db, actor=MANAGER, company_id=acme, incident=given,
                             reason="Not informed during the outage",
                             reason_code="commitment_not_kept", raised_by="Jean", owner="Desk")
    frame = open_escalations(db, now=T0)
    assert list(frame["incident"]) == [incident.reference, incident.reference] == ["INC-2026-0001"] * 2
    with pytest.raises(ValidationError, match=re.escape(f"incident: No incident {incident.incident_id + 1!r}.")) as info:
        svc.raise_escalation(db, actor=MANAGER, company_id=acme, incident=incident.incident_id + 1,
                             reason="Not informed during the outage", reason_code="other", raised_by="J", owner="D")
    assert info.value.errors == {"incident": f"No incident {incident.incident_id + 1!r}."}
