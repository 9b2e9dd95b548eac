"""Composing customer notices for an incident and queueing them in the outbox (migration 070).

:func:`compose` fills a template (``notices.template_*`` settings) with the incident's facts
and lists, per impacted company, the addresses of its administrators: the preview a page
shows. :func:`queue_incident_notice` writes one outbox message per company (its own
administrators only: no customer sees another's addresses) in one transaction with its audit
row; the same form ``token`` twice queues once. Sending is the delivery run's
(``analytics.notices.delivery``): nothing here talks to a server.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.audit import service as audit
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, require_role
from analytics.kernel.times import utc_now
from analytics.notices import queries
from analytics.notices.rules import (
    ACT_ROLES,
    ADMIN_ROLES,
    PURPOSES,
    TEMPLATE_SETTINGS,
    html_body,
    one_line,
    render,
    valid_address,
    validate_message,
)
from analytics.settings.queries import get_setting
from analytics.store.database import Database

FIELD_LABELS = {"subject": "Subject", "body": "Text", "recipients": "Recipients", "purpose": "Kind of notice"}
CLOSED_STATUSES = ("post_mortem", "closed")


@dataclass(frozen=True)
class Draft:
    """A notice ready for preview: subject and text (``{customer}`` still to fill), recipients per company."""

    incident_id: int
    reference: str
    purpose: str
    subject: str
    body: str
    recipients: dict[int, tuple[str, ...]]   # company id -> its administrators' addresses
    company_names: dict[int, str]


@dataclass(frozen=True)
class Queued:
    """What a queueing did: the outbox ids, and whether this call wrote them."""

    message_ids: tuple[int, ...]
    created: bool


def _values(db: Database, incident: dict, now: datetime) -> dict[str, str]:
    tz = ZoneInfo(db.timezone)
    interval = int(get_setting(db, "incident.status_update_minutes"))
    next_update = (now + timedelta(minutes=interval)).astimezone(tz)
    return {"reference": incident["reference"], "title": one_line(incident["title"]),
            "severity": str(incident["severity"]), "impact": incident["description"],
            "status": incident["status"].replace("_", "-"),
            "next_update": f"{next_update:%d %b %Y %H:%M} ({db.timezone})",
            "customer": "{customer}"}


def compose(db: Database, *, incident_id: int, purpose: str, now: datetime | None = None) -> Draft:
    """The notice ``purpose`` for an incident, from its template, with every impacted company's recipients."""
    if purpose not in PURPOSES:
        raise RuleRefused(f"Unknown kind of notice {purpose!r}.")
    now = utc_now(now)
    incident = queries.incident_facts(db, incident_id=incident_id)
    if incident is None:
        raise RuleRefused(f"No incident with id {incident_id}.")
    template = get_setting(db, TEMPLATE_SETTINGS[purpose])
    values = _values(db, incident, now)
    contacts = queries.recipients(db, incident_id=incident_id)
    return Draft(incident_id=incident_id, reference=incident["reference"], purpose=purpose,
                 subject=one_line(render(str(template.get("subject", "")), values)),
                 body=render(str(template.get("body", "")), values),
                 recipients={cid: tuple(c["addresses"]) for cid, c in contacts.items()},
                 company_names={cid: c["name"] for cid, c in contacts.items()})


def queue_incident_notice(db: Database, *, actor: Actor, incident_id: int, purpose: str, subject: str, body: str,
                          company_ids: tuple[int, ...], token: str, now: datetime | None = None) -> Queued:
    """Queue one message per company (``{customer}`` filled with its name) to its administrators."""
    require_role(actor, *ACT_ROLES, action="send a customer notice")
    if not token:
        raise RuleRefused("The form has no idempotency token; reload the page.")
    if purpose not in PURPOSES:
        raise ValidationError({"purpose": f"Unknown kind of notice {purpose!r}."}, FIELD_LABELS)
    if not company_ids:
        raise ValidationError({"recipients": "Pick at least one impacted customer."}, FIELD_LABELS)
    return db.write(_queue, actor=actor, incident_id=incident_id, purpose=purpose, subject=one_line(subject),
                    body=(body or "").strip(), company_ids=tuple(sorted(set(company_ids))), token=token,
                    now=utc_now(now))


def _queue(cur, *, actor, incident_id, purpose, subject, body, company_ids, token, now) -> Queued:
    known = [int(r[0]) for r in cur.execute("SELECT id FROM outbox WHERE batch = ? ORDER BY id", [token]).fetchall()]
    if known:
        return Queued(tuple(known), False)
    row = cur.execute("SELECT reference, status FROM incidents WHERE id = ?", [incident_id]).fetchone()
    if row is None:
        raise RuleRefused(f"No incident with id {incident_id}.")
    reference, status = row
    if status in CLOSED_STATUSES:
        raise RuleRefused(f"{reference} is in {status.replace('_', '-')}: customer communications are over.")
    contacts = queries.recipients(cur, incident_id=incident_id)
    outside = [cid for cid in company_ids if cid not in contacts]
    if outside:
        raise ValidationError({"recipients": "Some of the chosen customers are not impacted by this incident."},
                              FIELD_LABELS)
    rows = []
    for cid in company_ids:
        text = render(body, {"customer": contacts[cid]["name"]})
        errors = validate_message(subject=subject, body=text, recipients=list(contacts[cid]["addresses"]))
        if errors:
            if "recipients" in errors:
                errors["recipients"] = f"{contacts[cid]['name']}: {errors['recipients']}"
            raise ValidationError(errors, FIELD_LABELS)
        rows.append([token, str(incident_id), purpose, cid, list(contacts[cid]["addresses"]),
                     render(subject, {"customer": one_line(contacts[cid]["name"])}), text, html_body(text),
                     now, actor.label, now])
    ids = []
    for values in rows:
        ids.append(int(cur.execute(
            "INSERT INTO outbox (batch, entity, entity_id, purpose, company_id, recipients, subject, body_text, "
            "body_html, status, next_attempt_at, queued_by, queued_at) "
            "VALUES (?, 'incident', ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id", values).fetchone()[0]))
    audit.record(cur, actor=actor, action="notice.queue", entity="incident", entity_id=reference,
                 after={"purpose": purpose, "subject": subject, "company_ids": list(company_ids),
                        "message_ids": ids})
    return Queued(tuple(ids), True)


TEST_SUBJECT = "Vigie: test message"
TEST_BODY = ("This is a test message sent from Vigie's Settings page by {who} to check the mail provider.\n\n"
             "Customer notices of major incidents leave Vigie through the same provider.")


def queue_test_message(db: Database, *, actor: Actor, to: str, token: str, now: datetime | None = None) -> int:
    """Queue a test message to one address (admins); its outbox id (the same for the same token)."""
    require_role(actor, *ADMIN_ROLES, action="send a test message")
    to = (to or "").strip()
    if not valid_address(to):
        raise ValidationError({"recipients": "Give one plain e-mail address (name@domain)."}, FIELD_LABELS)
    return db.write(_queue_test, actor=actor, to=to, token=token, now=utc_now(now))


def _queue_test(cur, *, actor, to, token, now) -> int:
    known = cur.execute("SELECT id FROM outbox WHERE batch = ?", [token]).fetchone()
    if known:
        return int(known[0])
    body = TEST_BODY.replace("{who}", actor.label)
    new_id = int(cur.execute(
        "INSERT INTO outbox (batch, entity, entity_id, purpose, recipients, subject, body_text, body_html, status, "
        "next_attempt_at, queued_by, queued_at) VALUES (?, 'settings', 'smtp', 'test', ?, ?, ?, ?, 'queued', ?, ?, ?) "
        "RETURNING id", [token, [to], TEST_SUBJECT, body, html_body(body), now, actor.label, now]).fetchone()[0])
    audit.record(cur, actor=actor, action="notice.queue", entity="settings", entity_id="smtp",
                 after={"purpose": "test", "to": to, "message_id": new_id})
    return new_id
