"""Factories for incident tests: actors, a valid draft, and a declared incident at exact times."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from analytics.incidents import service as incidents
from analytics.kernel.roles import Actor
from tests.factories import add_company

SUPERVISOR = Actor("Sam Supervisor", "sam@example.test", frozenset({"supervisor"}))
ADMIN = Actor("Ada Admin", "ada@example.test", frozenset({"admin"}))
MANAGER = Actor("Max Manager", "max@example.test", frozenset({"manager"}))
LEADER = Actor("Lee Leader", "lee@example.test", frozenset({"leadership"}))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def draft(db, *, defined: datetime, **changes) -> incidents.IncidentDraft:
    """A valid draft: two customers, started 20 min and detected 10 min before the impact was defined."""
    ids = (add_company(db, "Alpha"), add_company(db, "Beta"))
    base = incidents.IncidentDraft(
        title="Messaging: outgoing messages delayed", severity=2, security_breach=False, platforms=("Messaging",),
        company_ids=ids, all_customers=False, started_at=defined - timedelta(minutes=20),
        detected_at=defined - timedelta(minutes=10), impact_defined_at=defined,
        description="Messages leave the platform with a delay of up to an hour.", commander="Claire",
        notification_lead="Julie", investigation_lead="Pierre")
    return replace(base, **changes)


def declared(db, *, defined: datetime, declared_at: datetime | None = None, actor: Actor = SUPERVISOR,
             **changes) -> incidents.Declared:
    """Declare an incident whose impact was defined at ``defined`` (declared 2 minutes later)."""
    return incidents.declare(db, actor=actor, draft=draft(db, defined=defined, **changes), token=uuid4().hex,
                             now=declared_at or defined + timedelta(minutes=2))
