"""An RCA copy on request, sent by e-mail: the customer PDF of the published revision to the requester.

A customer's request is recorded on the RCA follow-up (``analytics.rca.tracking.record_request``).
:func:`queue_rca_copy` answers it: the customer document of the published revision is rendered
(no staff names, no internal notes: ``analytics.rca.document`` with ``audience="customer"``), then one
write transaction checks the request again (still undelivered, no copy already on its way, the same
revision published) and queues the message with the PDF (``notices.outbox``), audited. The outbox
worker delivers it; the accepted delivery records the request as delivered at the moment the mail
server accepted it, with that revision (:func:`record_copy_delivered`, called by the delivery in its
transaction), so the RCA figures (requests answered, median days to answer) measure the real send.
A request already marked delivered by hand keeps its time.
"""
from __future__ import annotations

from datetime import datetime

from analytics.audit import service as audit
from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import Actor, require_role
from analytics.kernel.times import utc_now
from analytics.notices.outbox import queue_with_files
from analytics.notices.rules import delivery_state_sql
from analytics.rca.rules import ACT_ROLES
from analytics.store.database import Database

ENTITY = "rca_request"
PURPOSE = "rca_copy"
BODY = ("Hello,\n\nAs requested by {requested_by}, please find attached the root-cause analysis of incident "
        "{reference} ({title}), revision {revision}, published on {published}.\n\nTechnical support")


def request_facts(db: Database, request_id: int) -> dict | None:
    """What answering a request needs: its incident, company, requester, delivery, and the published revision."""
    found = db.rows("""
        SELECT q.incident_id, q.company_id, c.name, q.requested_by, q.delivered_at, i.reference, i.title,
               p.revision, p.published_at
        FROM rca_requests q JOIN incidents i ON i.id = q.incident_id JOIN companies c ON c.id = q.company_id
        LEFT JOIN rca_published p ON p.incident_id = q.incident_id WHERE q.id = ?""", [request_id])
    if not found:
        return None
    keys = ("incident_id", "company_id", "company", "requested_by", "delivered_at", "reference", "title",
            "revision", "published_at")
    return dict(zip(keys, found[0]))


def copy_states(db: Database, *, incident_id: int) -> dict[int, str]:
    """Per request of the incident, the latest copy e-mailed from Vigie and its delivery in words."""
    return {int(request_id): state for request_id, state in db.rows(f"""
        SELECT DISTINCT ON (q.id) q.id, {delivery_state_sql("o")}
        FROM rca_requests q JOIN outbox o ON o.entity = '{ENTITY}' AND o.entity_id = CAST(q.id AS VARCHAR)
        WHERE q.incident_id = ? ORDER BY q.id, o.id DESC""", [incident_id])}


def company_addresses(db: Database, company_id: int) -> list[str]:
    """The company's contacts with an e-mail address, administrators first: the addresses proposed."""
    return [r[0] for r in db.rows("SELECT email FROM contacts WHERE company_id = ? AND coalesce(trim(email), '') <> '' "
                                  "ORDER BY is_admin DESC, name, email", [company_id])]


def queue_rca_copy(db: Database, *, actor: Actor, request_id: int, recipients: list[str], now: datetime | None = None,
                   render=None) -> int:
    """Queue the customer PDF of the published RCA to ``recipients`` for request ``request_id``; the outbox id.

    ``render(db, incident_id, revision) -> (file name, bytes)`` makes the PDF (default: the customer document).
    """
    require_role(actor, *ACT_ROLES, action="send an RCA to a customer")
    now = utc_now(now)
    facts = request_facts(db, request_id)
    if facts is None:
        raise RuleRefused(f"No RCA request #{request_id}.")
    _check(facts, request_id)
    filename, pdf = (render or _render)(db, facts["incident_id"], facts["revision"])
    return db.write(_queue, actor=actor, request_id=request_id, facts=facts, recipients=[r.strip() for r in recipients],
                    filename=filename, pdf=pdf, now=now)


def _check(facts: dict, request_id: int) -> None:
    if facts["revision"] is None:
        raise RuleRefused(f"The RCA of {facts['reference']} is not published yet: nothing can be sent.")
    if facts["delivered_at"] is not None:
        raise RuleRefused(f"Request #{request_id} was already delivered on {facts['delivered_at']:%d %b %Y}.")


def _render(db: Database, incident_id: int, revision: int) -> tuple[str, bytes]:
    from analytics.rca import export
    from analytics.rca.document import build_document

    doc = build_document(db, incident_id=incident_id, revision=revision, audience="customer")
    return export.file_name(doc, "pdf"), export.to_pdf(doc, export.document_charts(doc))


def _queue(cur, *, actor, request_id, facts, recipients, filename, pdf, now) -> int:
    row = cur.execute("SELECT q.delivered_at, p.revision FROM rca_requests q LEFT JOIN rca_published p "
                      "ON p.incident_id = q.incident_id WHERE q.id = ?", [request_id]).fetchone()
    _check({**facts, "delivered_at": row[0], "revision": row[1]}, request_id)
    if row[1] != facts["revision"]:
        raise RuleRefused(f"The RCA of {facts['reference']} was published again meanwhile: send it again.")
    on_its_way = cur.execute("SELECT count(*) FROM outbox WHERE entity = ? AND entity_id = ? AND status IN "
                             "('queued', 'sending')", [ENTITY, str(request_id)]).fetchone()[0]
    if on_its_way:
        raise RuleRefused(f"A copy for request #{request_id} is already queued: it is delivered by the outbox.")
    subject = f"[{facts['reference']}] Root-cause analysis: {facts['title']}"
    body = BODY.format(requested_by=facts["requested_by"], reference=facts["reference"], title=facts["title"],
                       revision=facts["revision"], published=f"{facts['published_at']:%d %b %Y}")
    message_id = queue_with_files(cur, actor=actor, batch=f"{PURPOSE}:{request_id}:{facts['revision']}",
                                  entity=ENTITY, entity_id=str(request_id), purpose=PURPOSE, recipients=recipients,
                                  subject=subject, body=body, files=[(filename, "application/pdf", pdf)], now=now)
    cur.execute("UPDATE outbox SET company_id = ? WHERE id = ?", [facts["company_id"], message_id])
    return message_id


def record_copy_delivered(cur, *, actor: Actor, message: dict, accepted_at: datetime) -> None:
    """In the delivery's transaction: the request answered at ``accepted_at`` with the revision sent (kept
    when it was already marked delivered by hand)."""
    request_id = int(message["entity_id"])
    revision = int(str(message["batch"]).rsplit(":", 1)[1])
    row = cur.execute("SELECT q.delivered_at, i.reference FROM rca_requests q JOIN incidents i ON i.id = q.incident_id "
                      "WHERE q.id = ?", [request_id]).fetchone()
    if row is None or row[0] is not None:
        return
    cur.execute("UPDATE rca_requests SET delivered_at = ?, delivered_revision = ? WHERE id = ?",
                [accepted_at, revision, request_id])
    audit.record(cur, actor=actor, action="rca.deliver", entity="rca", entity_id=row[1],
                 after={"request": request_id, "delivered_at": accepted_at, "revision": revision,
                        "message_id": int(message["id"])})
