"""The RCA as a document: what goes into the version sent to a customer, and what stays internal.

:func:`build_document` reads one revision and keeps, for the **customer** audience, only the
customer-facing parts: overview, impact figures (how many customers, never their names),
the timeline lines marked customer-visible (time and event, never who or the internal note),
the root causes, contributing factors, measures taken and the planned actions (description,
due date, status; never the owner). Names of staff (participants, owners, authors,
commander) and internal notes are left out by construction, not hidden at rendering. The
**internal** audience gets everything. A customer document exists only for a published
revision; it shows the action items as frozen at publication.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from analytics.kernel.errors import RuleRefused
from analytics.rca.queries import read_content
from analytics.rca.rules import ACTION_STATUS_LABELS
from analytics.store.database import Database

AUDIENCES = ("customer", "internal")


@dataclass(frozen=True)
class RcaDocument:
    """Everything a rendering of the RCA may show, already cut to its audience."""

    audience: str
    reference: str
    title: str
    severity: int
    platforms: tuple[str, ...]
    revision: int
    status: str
    published_at: datetime | None
    started_at: datetime
    resolved_at: datetime | None
    timezone: str
    overview: str
    customers_affected: int | None
    impact_minutes: int | None
    tickets: int | None
    timeline: pd.DataFrame                     # occurred_at, event (+ who, internal_note when internal)
    root_causes: tuple[dict, ...]              # category, platform, description
    contributing_factors: str
    measures_taken: str
    actions: tuple[dict, ...]                  # description, due_date, status (+ owner when internal)
    internal: dict = field(default_factory=dict)  # participants, went_well, ... (internal audience only)


def _revision_to_show(cur, incident_id: int, revision: int | None, audience: str) -> tuple[int, int]:
    found = cur.execute("SELECT id FROM rca_reports WHERE incident_id = ?", [incident_id]).fetchone()
    if found is None:
        raise RuleRefused("This incident has no RCA yet.")
    report_id = found[0]
    if revision is None:
        query = ("SELECT max(revision) FROM rca_revisions WHERE report_id = ? AND status = 'published'"
                 if audience == "customer" else "SELECT max(revision) FROM rca_revisions WHERE report_id = ?")
        revision = cur.execute(query, [report_id]).fetchone()[0]
        if revision is None:
            raise RuleRefused("The RCA is not published yet: a customer version exists only once it is.")
    return report_id, revision


def build_document(db: Database, *, incident_id: int, revision: int | None = None, audience: str = "customer") -> RcaDocument:
    """The RCA document of ``revision`` (default: the latest published one for customers, the latest otherwise)."""
    if audience not in AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}")
    cur = db.cursor()
    try:
        incident = cur.execute("SELECT reference, title, severity, platforms, started_at, resolved_at, commander, "
                               "notification_lead, investigation_lead FROM incidents WHERE id = ?",
                               [incident_id]).fetchone()
        if incident is None:
            raise RuleRefused(f"No incident with id {incident_id}.")
        report_id, revision = _revision_to_show(cur, incident_id, revision, audience)
        exists = cur.execute("SELECT count(*) FROM rca_revisions WHERE report_id = ? AND revision = ?",
                             [report_id, revision]).fetchone()[0]
        if not exists:
            raise RuleRefused(f"The RCA has no revision {revision}.")
        meta, content = read_content(cur, report_id, revision)
        live = cur.execute("SELECT description, owner, due_date, status FROM rca_action_items "
                           "WHERE report_id = ? ORDER BY id", [report_id]).fetchall()
        customers = [r[0] for r in cur.execute(
            "SELECT c.name FROM incident_impacted_companies ic JOIN companies c ON c.id = ic.company_id "
            "WHERE ic.incident_id = ? ORDER BY c.name", [incident_id]).fetchall()]
    finally:
        cur.close()
    if audience == "customer" and meta["status"] != "published":
        raise RuleRefused(f"Revision {revision} is {meta['status'].replace('_', ' ')}: only a published revision "
                       "can be sent to a customer.")
    reference, title, severity, platforms, started_at, resolved_at, *leads = incident
    return RcaDocument(
        audience=audience, reference=reference, title=title, severity=int(severity), platforms=tuple(platforms),
        revision=revision, status=meta["status"], published_at=meta["published_at"], started_at=started_at,
        resolved_at=resolved_at, timezone=db.timezone, overview=content.overview,
        customers_affected=content.customers_affected, impact_minutes=content.impact_minutes,
        tickets=content.tickets, timeline=_timeline(content.timeline, audience),
        root_causes=tuple({"category": c.category, "platform": c.platform, "description": c.description}
                          for c in content.root_causes),
        contributing_factors=content.contributing_factors, measures_taken=content.measures_taken,
        actions=_actions(meta, live, audience),
        internal={} if audience == "customer" else {
            "participants": list(content.participants), "went_well": content.went_well,
            "went_badly": content.went_badly, "failure_causes": content.failure_causes,
            "internal_notes": content.internal_notes, "impacted_customers": customers,
            "commander": leads[0], "notification_lead": leads[1], "investigation_lead": leads[2],
            "prepared_by": meta["created_by"], "published_by": meta["published_by"],
            "revision_reason": meta["revision_reason"]})


def _timeline(entries, audience: str) -> pd.DataFrame:
    if audience == "customer":
        rows = [{"occurred_at": e.occurred_at, "event": e.event} for e in entries if e.customer_visible]
        return pd.DataFrame(rows, columns=["occurred_at", "event"])
    rows = [{"occurred_at": e.occurred_at, "event": e.event, "who": e.who, "internal_note": e.internal_note,
             "customer_visible": e.customer_visible} for e in entries]
    return pd.DataFrame(rows, columns=["occurred_at", "event", "who", "internal_note", "customer_visible"])


def _actions(meta: dict, live: list[tuple], audience: str) -> tuple[dict, ...]:
    """The snapshot taken at publication for a published revision; the live items for a draft."""
    if meta["status"] == "published" and meta["action_snapshot"]:
        items = json.loads(meta["action_snapshot"])
    else:
        items = [{"description": d, "owner": o, "due_date": due.isoformat() if due else None, "status": s}
                 for d, o, due, s in live]
    shown = []
    for item in items:
        if item["status"] == "cancelled" and audience == "customer":
            continue
        row = {"description": item["description"], "due_date": item["due_date"],
               "status": ACTION_STATUS_LABELS.get(item["status"], item["status"])}
        if audience == "internal":
            row["owner"] = item.get("owner") or ""
        shown.append(row)
    return tuple(shown)
