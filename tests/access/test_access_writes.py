"""Every write in analytics/ refuses, server side, each role that may not make it, and writes nothing then.

One row per write function: the roles that may call it and a call with valid arguments, in an
order in which each acts on what the allowed writes before it left; each test starts from a copy
of one built world and replays those first, so it passes alone and in any order. Each
wrong role (and nobody signed in) gets PermissionDenied naming the roles needed, with every table's
row count unchanged; then the first allowed role makes the change, audited under its name. A last test finds the write
functions of
analytics/ (first parameter ``db``, an ``actor: Actor`` parameter) and checks each is listed here
or checks the role itself.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

import pytest

import analytics
from analytics.domains import open_store
from analytics.escalations import service as escalations
from analytics.imports.service import import_tickets
from analytics.incidents import service as incidents
from analytics.kernel.roles import ROLES, Actor, PermissionDenied, anonymous_actor
from analytics.logins.service import import_logins
from analytics.rca import service as rca
from analytics.rca import tracking as rca_tracking
from analytics.settings import service as settings_service
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_company, add_ticket
from tests.incidents.factories import draft
from tests.rca.factories import SUPERVISOR, action_items, complete_review, resolved_incident, utc

START = utc(2026, 6, 1, 8, 0)
INCIDENT_ROLES = {"supervisor", "admin"}
ESCALATION_ROLES = {"manager", "supervisor", "admin"}
ADMIN_ONLY = {"admin"}


@dataclass
class World:
    """A database holding one of each thing a write acts on."""

    db: object
    resolved: int
    open_incident: int
    company: int
    escalation: str
    request: int
    tickets_csv: str
    logins_csv: str


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The world built once into a file; each test starts from its own copy (tests run alone or in any order)."""
    tmp_path = tmp_path_factory.mktemp("writes")
    db = open_store(tmp_path / "writes.duckdb")
    ensure_intervals(db)
    resolved = resolved_incident(db, started=START)
    opened = incidents.declare(db, actor=SUPERVISOR, draft=draft(db, defined=START + timedelta(days=1)),
                               token=uuid4().hex, now=START + timedelta(days=1, minutes=2)).incident_id
    rca.save_draft(db, actor=SUPERVISOR, incident_id=resolved, content=complete_review(started=START),
                   actions=action_items(due=date(2026, 7, 1)), now=START + timedelta(days=2))
    company = add_company(db, "Alpha")
    request = rca_tracking.record_request(db, actor=SUPERVISOR, incident_id=resolved, company_id=company,
                                          requested_by="Jean Client", now=START + timedelta(days=2))
    add_ticket(db, "CS-9", severity=2, opened=START, company="Alpha")
    escalation = escalations.raise_escalation(db, actor=SUPERVISOR, ticket_reference="CS-9", reason="Slow answers",
                                              reason_code="sla_breach", raised_by="Jean Client", owner="Desk",
                                              at=START + timedelta(hours=6)).reference
    tickets_csv = tmp_path / "tickets.csv"
    tickets_csv.write_text(
        "reference,company,contact_name,contact_email,contact_phone,user_id,channel,severity,category,platform,status,"
        "opened_at,first_response_at,resolved_at,closed_at,assignee,team,resolution_code,description\n"
        "IMP-1,Alpha,Jean,jean@alpha.example,,u1,phone,3,account,Messaging,open,2026-06-02T10:00:00+02:00,,,,,,,test\n")
    logins_csv = tmp_path / "logins.csv"
    logins_csv.write_text("occurred_at,user_id,company,ip,outcome,actor\n2026-06-02T10:00:00+02:00,u1,Alpha,10.0.0.1,failure,\n")
    ids = (resolved, opened, company, escalation, request, str(tickets_csv), str(logins_csv))
    db.close()
    return tmp_path / "writes.duckdb", ids


@pytest.fixture
def world(template, tmp_path):
    path, ids = template
    shutil.copy(path, tmp_path / "world.duckdb")
    db = open_store(tmp_path / "world.duckdb")
    yield World(db, *ids)
    db.close()


LATER = START + timedelta(days=3)

# (name, roles allowed, call(world, actor)[, prepare(world)]), in an order in which each allowed call succeeds
WRITES = [
    ("incidents.service.declare", INCIDENT_ROLES, lambda w, a: incidents.declare(
        w.db, actor=a, draft=draft(w.db, defined=LATER), token=uuid4().hex, now=LATER + timedelta(minutes=2))),
    ("incidents.service.transition", INCIDENT_ROLES, lambda w, a: incidents.transition(
        w.db, actor=a, incident_id=w.open_incident, to_status="investigating", at=LATER, now=LATER)),
    ("incidents.service.notify", INCIDENT_ROLES, lambda w, a: incidents.notify(
        w.db, actor=a, incident_id=w.open_incident, sent_at=LATER, sent_by="Julie", company_ids=(w.company,),
        all_customers=False, message="We are on it.", token=uuid4().hex, now=LATER)),
    ("incidents.service.record_update", INCIDENT_ROLES, lambda w, a: incidents.record_update(
        w.db, actor=a, incident_id=w.open_incident, sent_at=LATER, sent_by="Julie", company_ids=(w.company,),
        all_customers=False, message="Still on it.", token=uuid4().hex, now=LATER)),
    ("incidents.service.complete_step", INCIDENT_ROLES, lambda w, a: incidents.complete_step(
        w.db, actor=a, incident_id=w.open_incident, step="scope_assessed", owner="Pierre", completed_at=LATER,
        now=LATER)),
    ("escalations.service.raise_escalation", ESCALATION_ROLES, lambda w, a: escalations.raise_escalation(
        w.db, actor=a, ticket_reference="CS-9", reason="Still slow", reason_code="sla_breach",
        raised_by="Jean Client", owner="Desk", at=LATER)),
    ("escalations.service.acknowledge", ESCALATION_ROLES, lambda w, a: escalations.acknowledge(
        w.db, actor=a, reference=w.escalation, at=LATER)),
    ("escalations.service.escalate_further", ESCALATION_ROLES, lambda w, a: escalations.escalate_further(
        w.db, actor=a, reference=w.escalation, note="No answer", at=LATER)),
    ("escalations.service.resolve", ESCALATION_ROLES, lambda w, a: escalations.resolve(
        w.db, actor=a, reference=w.escalation, resolution="Answered", at=LATER)),
    ("rca.service.save_draft", INCIDENT_ROLES, lambda w, a: rca.save_draft(
        w.db, actor=a, incident_id=w.resolved, content=complete_review(started=START),
        actions=action_items(due=date(2026, 7, 1)), now=LATER)),
    ("rca.tracking.update_action_item", INCIDENT_ROLES, lambda w, a: rca_tracking.update_action_item(
        w.db, actor=a, item_id=w.db.scalar("SELECT max(id) FROM rca_action_items"), status="in_progress", now=LATER)),
    ("rca.service.submit_for_review", INCIDENT_ROLES, lambda w, a: rca.submit_for_review(
        w.db, actor=a, incident_id=w.resolved, now=LATER)),
    ("rca.service.return_to_draft", INCIDENT_ROLES, lambda w, a: rca.return_to_draft(
        w.db, actor=a, incident_id=w.resolved, note="more", now=LATER)),
    ("rca.service.publish", INCIDENT_ROLES, lambda w, a: rca.publish(w.db, actor=a, incident_id=w.resolved, now=LATER),
     lambda w: rca.submit_for_review(w.db, actor=SUPERVISOR, incident_id=w.resolved, now=LATER)),
    ("rca.tracking.record_request", INCIDENT_ROLES, lambda w, a: rca_tracking.record_request(
        w.db, actor=a, incident_id=w.resolved, company_id=w.company, requested_by="Jean Client", now=LATER)),
    ("rca.tracking.mark_delivered", INCIDENT_ROLES, lambda w, a: rca_tracking.mark_delivered(
        w.db, actor=a, request_id=w.request, now=LATER)),
    ("rca.service.revise", INCIDENT_ROLES, lambda w, a: rca.revise(
        w.db, actor=a, incident_id=w.resolved, reason="New facts", now=LATER)),
    ("settings.service.change_setting", ADMIN_ONLY, lambda w, a: settings_service.change_setting(
        w.db, actor=a, name="rca.overdue_days", value=12)),
    ("settings.service.reset_setting", ADMIN_ONLY, lambda w, a: settings_service.reset_setting(
        w.db, actor=a, name="rca.overdue_days")),
    ("settings.service.change_sla_target", ADMIN_ONLY, lambda w, a: settings_service.change_sla_target(
        w.db, actor=a, severity=2, measure="response", target_value=2, target_unit="hours", calendar_id=1)),
    ("imports.service.import_tickets", ADMIN_ONLY, lambda w, a: import_tickets(w.db, w.tickets_csv, actor=a)),
    ("logins.service.import_logins", ADMIN_ONLY, lambda w, a: import_logins(w.db, w.logins_csv, actor=a)),
]


def fingerprint(db) -> dict[str, int]:
    """Row count of every table: a refused write leaves all of them as they were."""
    tables = [r[0] for r in db.rows("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                                    "AND table_schema = 'main' ORDER BY 1")]
    assert all(t.replace("_", "").isalnum() for t in tables)  # names from the catalogue, quoted below
    return dict(db.rows(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)))


def wrong_actors(allowed: set[str]) -> list[Actor | None]:
    others = [r for r in ROLES if r not in allowed]
    return ([Actor(name=r, email=f"{r}@example.com", roles=frozenset({r})) for r in others]
            + [Actor(name="several", roles=frozenset(others))] * bool(others) + [anonymous_actor(), None])


@pytest.mark.parametrize("write", WRITES, ids=[w[0] for w in WRITES])
def test_each_wrong_role_is_refused_and_nothing_is_written(world, write):
    for earlier in WRITES[:WRITES.index(write)]:  # the state this write acts on: the allowed writes before it
        _, earlier_allowed, earlier_call, *earlier_prepare = earlier
        for step in earlier_prepare:
            step(world)
        role = sorted(earlier_allowed)[0]
        earlier_call(world, Actor(name=role, email=f"{role}@example.com", roles=frozenset({role})))
    name, allowed, call, *prepare = write
    for step in prepare:
        step(world)
    before = fingerprint(world.db)
    last_audit_id = world.db.scalar("SELECT coalesce(max(id), 0) FROM audit_log")
    for actor in wrong_actors(allowed):
        with pytest.raises(PermissionDenied, match="^Only a " if actor is not None else "^You must be signed in") \
                as refused:
            call(world, actor)
        message = str(refused.value)
        if actor is not None:
            assert all(role in message for role in allowed), message
        assert fingerprint(world.db) == before, f"{name} wrote for {actor}"

    role = sorted(allowed)[0]
    call(world, Actor(name=role, email=f"{role}@example.com", roles=frozenset({role})))
    audited = world.db.rows("SELECT actor, entity, entity_id FROM audit_log WHERE id > ? ORDER BY id",
                            [last_audit_id])
    assert audited, f"{name} wrote no audit row"
    assert {row[0] for row in audited} == {f"{role}@example.com"}
    assert all(row[1] for row in audited)


def discovered_writes() -> list[tuple[str, object]]:
    """Functions of analytics/ taking ``db`` first and an ``actor`` typed as Actor."""
    found = []
    for module_info in pkgutil.walk_packages(analytics.__path__, prefix="analytics."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for fname, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or fname.startswith("_"):
                continue
            params = inspect.signature(fn).parameters
            actor = params.get("actor")
            if list(params)[:1] == ["db"] and actor is not None and "Actor" in str(actor.annotation):
                found.append((f"{module_info.name.removeprefix('analytics.')}.{fname}", fn))
    return found


def test_every_write_function_is_listed_here_or_checks_the_role_itself():
    listed = {w[0] for w in WRITES}
    found = discovered_writes()
    expected = {"incidents.service.declare", "settings.service.change_setting", "escalations.service.resolve"}
    assert expected <= {n for n, _ in found}
    unchecked = [name for name, fn in found if name not in listed and "require_role(" not in inspect.getsource(fn)]
    assert unchecked == [], f"write functions without a role check: {unchecked}"
