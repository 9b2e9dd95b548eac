"""Factories for the notice tests: customer administrators with addresses, an incident to notify about."""
from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

from analytics.notices import service as notices
from tests.factories import add_company
from tests.incidents.factories import SUPERVISOR, declared

ALPHA_ADMINS = ("ana@alpha.example", "bob@alpha.example")
BETA_ADMINS = ("cleo@beta.example",)


def add_contact(db, company: str, email: str | None, *, admin: bool = True, name: str = "Contact") -> None:
    company_id = add_company(db, company)
    with db.transaction() as cur:
        cur.execute("INSERT INTO contacts (company_id, name, email, is_admin) VALUES (?, ?, ?, ?)",
                    [company_id, name, email, admin])


def incident_with_admins(db, *, defined: datetime, **changes):
    """An incident impacting Alpha (two administrators, one other contact) and Beta (one administrator)."""
    incident = declared(db, defined=defined, **changes)
    for email in ALPHA_ADMINS:
        add_contact(db, "Alpha", email)
    add_contact(db, "Alpha", "user@alpha.example", admin=False)
    add_contact(db, "Beta", BETA_ADMINS[0])
    return incident


def queue_first_notice(db, incident_id: int, *, now: datetime, purpose: str = "notification", token: str | None = None):
    draft = notices.compose(db, incident_id=incident_id, purpose=purpose, now=now)
    return draft, notices.queue_incident_notice(
        db, actor=SUPERVISOR, incident_id=incident_id, purpose=purpose, subject=draft.subject, body=draft.body,
        company_ids=tuple(draft.recipients), token=token or uuid4().hex, now=now)


def later(now: datetime, minutes: float):
    """A clock fixed ``minutes`` after ``now``."""
    return lambda: now + timedelta(minutes=minutes)
