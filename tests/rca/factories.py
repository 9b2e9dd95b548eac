"""Factories for RCA tests: actors, a resolved incident built through the incidents service, a complete review."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from analytics.incidents import service as incidents
from analytics.kernel.roles import Actor
from analytics.rca.rules import ActionItemInput, ReviewContent, RootCause, TimelineEntry
from tests.factories import add_company, add_ticket

SUPERVISOR = Actor("Sam Supervisor", "sam@example.test", frozenset({"supervisor"}))
ADMIN = Actor("Ada Admin", "ada@example.test", frozenset({"admin"}))
MANAGER = Actor("Max Manager", "max@example.test", frozenset({"manager"}))
LEADER = Actor("Lee Leader", "lee@example.test", frozenset({"leadership"}))

STAFF = ("Claire Fontaine", "Julie Masson", "Pierre Gauthier")  # commander, notification lead, investigator
INTERNAL_NOTE = "Pager rota had a gap that night"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def resolved_incident(db, *, started: datetime, minutes: int = 90, platform: str = "Messaging",
                      customers: tuple[str, ...] = ("Alpha", "Beta"), tickets: int = 2, severity: int = 2,
                      final: str = "resolved") -> int:
    """An incident declared, notified, investigated and resolved ``minutes`` after ``started``; its id."""
    ids = tuple(add_company(db, name) for name in customers)
    defined = started + timedelta(minutes=10)
    draft = incidents.IncidentDraft(
        title=f"{platform}: outgoing messages delayed", severity=severity, security_breach=False,
        platforms=(platform,), company_ids=ids, all_customers=False, started_at=started,
        detected_at=started + timedelta(minutes=5), impact_defined_at=defined,
        description="Messages leave the platform with a delay of up to an hour.", commander=STAFF[0],
        notification_lead=STAFF[1], investigation_lead=STAFF[2])
    declared = incidents.declare(db, actor=SUPERVISOR, draft=draft, token=uuid4().hex,
                                 now=defined + timedelta(minutes=2))
    iid = declared.incident_id
    at = defined + timedelta(minutes=5)
    incidents.transition(db, actor=SUPERVISOR, incident_id=iid, to_status="investigating", at=at, now=at)
    incidents.notify(db, actor=SUPERVISOR, incident_id=iid, sent_at=defined + timedelta(minutes=15),
                     sent_by=STAFF[1], company_ids=ids, all_customers=False, message="We are on it.",
                     token=uuid4().hex, now=defined + timedelta(minutes=16))
    step_at = defined + timedelta(minutes=20)
    incidents.complete_step(db, actor=SUPERVISOR, incident_id=iid, step="scope_assessed", owner=STAFF[2],
                            completed_at=step_at, note=INTERNAL_NOTE, now=step_at)
    end = started + timedelta(minutes=minutes)
    incidents.transition(db, actor=SUPERVISOR, incident_id=iid, to_status="resolved", at=end, now=end)
    if final in ("post_mortem", "closed"):
        incidents.transition(db, actor=SUPERVISOR, incident_id=iid, to_status="post_mortem",
                             at=end + timedelta(days=1), now=end + timedelta(days=1))
    if final == "closed":
        incidents.transition(db, actor=SUPERVISOR, incident_id=iid, to_status="closed",
                             at=end + timedelta(days=2), now=end + timedelta(days=2))
    for k in range(tickets):
        add_ticket(db, f"T-{iid}-{k}", severity=3, opened=started + timedelta(minutes=1 + k), company=customers[0])
    return iid


def open_incident(db, *, started: datetime) -> int:
    """An incident still under investigation."""
    ids = (add_company(db, "Alpha"), add_company(db, "Beta"))
    draft = incidents.IncidentDraft(
        title="API: errors", severity=2, security_breach=False, platforms=("API",), company_ids=ids,
        all_customers=False, started_at=started, detected_at=started, impact_defined_at=started,
        description="Errors on the API.", commander="C", notification_lead="N", investigation_lead="I")
    return incidents.declare(db, actor=SUPERVISOR, draft=draft, token=uuid4().hex,
                             now=started + timedelta(minutes=1)).incident_id


def complete_review(*, started: datetime, category: str = "capacity", platform: str = "Messaging",
                    overview: str = "Outgoing messages were delayed by up to an hour.") -> ReviewContent:
    """A review that passes the completeness check."""
    return ReviewContent(
        participants=STAFF, overview=overview,
        measures_taken="Queue workers were added and the backlog drained.",
        went_well="Customers were notified within 15 minutes.",
        went_badly="The on-call engineer was reached late.",
        failure_causes="Monitoring did not alert on queue depth.",
        contributing_factors="A marketing campaign doubled the traffic.",
        internal_notes=INTERNAL_NOTE, customers_affected=2, impact_minutes=90, tickets=2,
        root_causes=(RootCause(category, platform, "The message queue ran out of workers."),),
        timeline=(TimelineEntry(started, "Disruption started", "", "", True),
                  TimelineEntry(started + timedelta(minutes=20), "Scope assessed", STAFF[2], INTERNAL_NOTE, True),
                  TimelineEntry(started + timedelta(minutes=90), "Service restored", STAFF[0], "", True)))


def action_items(*, due: date, owner: str = "Rachid Amrani") -> tuple[ActionItemInput, ...]:
    """Two planned actions with an owner and a due date."""
    return (ActionItemInput("Alert on queue depth above 10,000 messages", owner, due),
            ActionItemInput("Autoscale the queue workers", owner, due + timedelta(days=14)))
