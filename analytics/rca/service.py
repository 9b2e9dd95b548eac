"""Post-incident reviews and RCA reports: the service owning every write to the tables of migration 050.

A resolved incident gets one RCA report whose content lives in revisions. A revision goes
draft -> in review -> published; editing is possible only in draft (a review sent back
from review returns to draft), and a published revision is frozen: :func:`revise` starts
revision n + 1 as a draft copy while the published one stays readable (and is what
customers receive) until the new one is published. Action items belong to the report so
their progress is tracked after publication; a revision keeps the snapshot it was published
with. Every function takes keyword-only, typed arguments, checks the actor's role at the
moment of writing, runs one transaction and records an audit row in it. Validation is in
``analytics.rca.rules``; reads in ``analytics.rca.queries``.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from analytics.audit import service as audit
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import Actor, require_role
from analytics.kernel.sql import assignments
from analytics.kernel.times import utc_now
from analytics.rca.queries import categories, incident_row, known_platforms, latest_revision, read_actions, read_content
from analytics.rca.rules import (
    ACT_ROLES,
    FIELD_LABELS,
    REVIEWABLE_INCIDENT_STATUSES,
    STATUS_LABELS,
    ActionItemInput,
    ReviewContent,
    normalized_actions,
    validate_review,
)
from analytics.store.database import Database

__all__ = ["Saved", "save_draft", "submit_for_review", "return_to_draft", "publish", "revise"]

STATUS_COLUMNS = ("status", "submitted_at", "submitted_by", "published_at", "published_by", "action_snapshot")


@dataclass(frozen=True)
class Saved:
    """Where a write left the RCA: its report, revision, status and edit counter."""

    report_id: int
    revision: int
    status: str
    edits: int



def _reviewable(cur, incident_id: int) -> dict:
    incident = incident_row(cur, incident_id)
    if incident is None:
        raise RuleRefused(f"No incident with id {incident_id}.")
    if incident["status"] not in REVIEWABLE_INCIDENT_STATUSES or incident["resolved_at"] is None:
        raise RuleRefused(f"{incident['reference']} is {incident['status'].replace('_', '-')}: the post-incident "
                       "review starts once the incident is resolved.")
    return incident


def _current(cur, incident: dict) -> tuple[int, int, str]:
    found = latest_revision(cur, incident["id"])
    if found is None:
        raise RuleRefused(f"{incident['reference']} has no RCA yet: save a draft first.")
    return found


def _check_edits(cur, report_id: int, revision: int, expected: int | None) -> int:
    edits = cur.execute("SELECT edits FROM rca_revisions WHERE report_id = ? AND revision = ?",
                        [report_id, revision]).fetchone()[0]
    if expected is not None and edits != expected:
        raise RuleRefused("Someone else saved this review since you opened it; reload the page to see their "
                       "changes (yours are still in the form).")
    return edits


def save_draft(db: Database, *, actor: Actor, incident_id: int, content: ReviewContent,
               actions: tuple[ActionItemInput, ...] = (), expected_edits: int | None = None,
               now: datetime | None = None) -> Saved:
    """Save the review of a resolved incident as a draft (creating the RCA on first save)."""
    require_role(actor, *ACT_ROLES, action="save a post-incident review")
    now = utc_now(now)
    content, actions = content.normalized(db.timezone), normalized_actions(tuple(actions))
    errors = validate_review(content, actions, categories=categories(db), platforms=known_platforms(db),
                             now=now, complete=False)
    if errors:
        raise ValidationError(errors, FIELD_LABELS)
    return db.write(_save, actor=actor, incident_id=incident_id, content=content, actions=actions,
                    expected=expected_edits, now=now)


def _save(cur, *, actor, incident_id, content, actions, expected, now) -> Saved:
    incident = _reviewable(cur, incident_id)
    found = latest_revision(cur, incident_id)
    if found is None:
        report_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM rca_reports").fetchone()[0]
        cur.execute("INSERT INTO rca_reports VALUES (?, ?, ?, ?)", [report_id, incident_id, now, actor.label])
        revision, edits, before = 1, 0, None
        _insert_revision(cur, report_id, 1, actor=actor, now=now, reason=None)
    else:
        report_id, revision, status = found
        if status != "draft":
            raise RuleRefused(_not_editable(incident["reference"], revision, status))
        edits = _check_edits(cur, report_id, revision, expected)
        before = {"revision": revision, "edits": edits}
    _write_content(cur, report_id, revision, content, actor=actor, now=now)
    _sync_actions(cur, report_id, actions, actor=actor, now=now)
    audit.record(cur, actor=actor, action="rca.save_draft", entity="rca", entity_id=incident["reference"],
                 before=before, after={"revision": revision, **asdict(content),
                                       "action_items": [asdict(a) for a in actions]})
    return Saved(report_id, revision, "draft", edits + 1)


def _not_editable(reference: str, revision: int, status: str) -> str:
    if status == "published":
        return (f"Revision {revision} of the RCA of {reference} is published and frozen; start a new revision "
                "to change it.")
    return f"Revision {revision} of the RCA of {reference} is in review; send it back to draft to edit it."


def _insert_revision(cur, report_id: int, revision: int, *, actor, now, reason) -> None:
    cur.execute("INSERT INTO rca_revisions (report_id, revision, status, overview, measures_taken, "
                "contributing_factors, participants, went_well, went_badly, failure_causes, internal_notes, "
                "revision_reason, edits, created_at, created_by, updated_at, updated_by) "
                "VALUES (?, ?, 'draft', '', '', '', [], '', '', '', '', ?, 0, ?, ?, ?, ?)",
                [report_id, revision, reason, now, actor.label, now, actor.label])


def _write_content(cur, report_id: int, revision: int, content: ReviewContent, *, actor, now) -> None:
    cur.execute("UPDATE rca_revisions SET overview = ?, measures_taken = ?, contributing_factors = ?, "
                "customers_affected = ?, impact_minutes = ?, tickets = ?, participants = ?, went_well = ?, "
                "went_badly = ?, failure_causes = ?, internal_notes = ?, edits = edits + 1, updated_at = ?, "
                "updated_by = ? WHERE report_id = ? AND revision = ?",
                [content.overview, content.measures_taken, content.contributing_factors, content.customers_affected,
                 content.impact_minutes, content.tickets, list(content.participants), content.went_well,
                 content.went_badly, content.failure_causes, content.internal_notes, now, actor.label,
                 report_id, revision])
    cur.execute("DELETE FROM rca_root_causes WHERE report_id = ? AND revision = ?", [report_id, revision])
    cur.execute("DELETE FROM rca_timeline WHERE report_id = ? AND revision = ?", [report_id, revision])
    if content.root_causes:
        cur.executemany("INSERT INTO rca_root_causes VALUES (?, ?, ?, ?, ?, ?)",
                        [[report_id, revision, k, c.category, c.platform, c.description]
                         for k, c in enumerate(content.root_causes, start=1)])
    if content.timeline:
        cur.executemany("INSERT INTO rca_timeline VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [[report_id, revision, k, e.occurred_at, e.event, e.who or None, e.internal_note or None,
                          e.customer_visible] for k, e in enumerate(content.timeline, start=1)])


def _sync_actions(cur, report_id: int, actions: tuple[ActionItemInput, ...], *, actor, now) -> None:
    stored = {row[0]: row[1:] for row in cur.execute(
        "SELECT id, published_in, status, completed_at FROM rca_action_items WHERE report_id = ?",
        [report_id]).fetchall()}
    kept = {a.item_id for a in actions if a.item_id is not None}
    unknown = kept - set(stored)
    if unknown:
        raise RuleRefused("Some action items no longer exist; reload the page.")
    for item_id, (published_in, _, _) in stored.items():
        if item_id not in kept:
            if published_in is not None:
                raise ValidationError({"action_items": f"Action #{item_id} is part of a published revision: "
                                                          "set its status to cancelled instead of removing it."}, FIELD_LABELS)
            cur.execute("DELETE FROM rca_action_items WHERE id = ?", [item_id])
    for item in actions:
        if item.item_id is None:
            cur.execute("INSERT INTO rca_action_items (report_id, description, owner, due_date, status, "
                        "completed_at, created_at, created_by, updated_at, updated_by) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [report_id, item.description, item.owner or None, item.due_date, item.status,
                         now if item.status in ("done", "cancelled") else None, now, actor.label, now, actor.label])
        else:
            _, old_status, completed_at = stored[item.item_id]
            _update_item(cur, item.item_id, item, old_status=old_status, completed_at=completed_at,
                         actor=actor, now=now)


def _update_item(cur, item_id, item: ActionItemInput, *, old_status, completed_at, actor, now) -> None:
    finished = item.status in ("done", "cancelled")
    if not finished:
        completed_at = None
    elif old_status != item.status or completed_at is None:
        completed_at = now
    cur.execute("UPDATE rca_action_items SET description = ?, owner = ?, due_date = ?, status = ?, "
                "completed_at = ?, updated_at = ?, updated_by = ? WHERE id = ?",
                [item.description, item.owner or None, item.due_date, item.status, completed_at, now,
                 actor.label, item_id])


def submit_for_review(db: Database, *, actor: Actor, incident_id: int, expected_edits: int | None = None,
                      now: datetime | None = None) -> Saved:
    """Send the draft for review; refused with one message per field while it is incomplete."""
    require_role(actor, *ACT_ROLES, action="send an RCA for review")
    now = utc_now(now)
    return db.write(_submit, actor=actor, incident_id=incident_id, expected=expected_edits, now=now,
                    cats=categories(db), platforms=known_platforms(db))


def _submit(cur, *, actor, incident_id, expected, now, cats, platforms) -> Saved:
    incident = _reviewable(cur, incident_id)
    report_id, revision, status = _current(cur, incident)
    if status != "draft":
        raise RuleRefused(f"Revision {revision} of the RCA of {incident['reference']} is {STATUS_LABELS[status]}, "
                       "not a draft.")
    edits = _check_edits(cur, report_id, revision, expected)
    _, content = read_content(cur, report_id, revision)
    errors = validate_review(content, read_actions(cur, report_id), categories=cats, platforms=platforms,
                             now=now, complete=True)
    if errors:
        raise ValidationError(errors, FIELD_LABELS)
    return _set_status(cur, incident, report_id, revision, edits, "in_review", actor=actor, now=now,
                       extra={"submitted_at": now, "submitted_by": actor.label}, before="draft")


def _set_status(cur, incident, report_id, revision, edits, status, *, actor, now, extra, before, note=None) -> Saved:
    columns = {"status": status, **extra}
    cur.execute(f"UPDATE rca_revisions SET {assignments(columns, STATUS_COLUMNS)}, edits = edits + 1, "
                "updated_at = ?, updated_by = ? "
                "WHERE report_id = ? AND revision = ?", [*columns.values(), now, actor.label, report_id, revision])
    audit.record(cur, actor=actor, action=f"rca.{status}", entity="rca", entity_id=incident["reference"],
                 before={"revision": revision, "status": before},
                 after={"revision": revision, **{k: v for k, v in columns.items() if k != "action_snapshot"},
                        "note": note})
    return Saved(report_id, revision, status, edits + 1)


def return_to_draft(db: Database, *, actor: Actor, incident_id: int, note: str = "", now: datetime | None = None) -> Saved:
    """Send a revision in review back to draft so it can be edited again."""
    require_role(actor, *ACT_ROLES, action="send an RCA back to draft")
    return db.write(_back_to_draft, actor=actor, incident_id=incident_id, note=(note or "").strip() or None,
                    now=utc_now(now))


def _back_to_draft(cur, *, actor, incident_id, note, now) -> Saved:
    incident = _reviewable(cur, incident_id)
    report_id, revision, status = _current(cur, incident)
    if status != "in_review":
        raise RuleRefused(f"Only a revision in review can go back to draft; revision {revision} is "
                       f"{STATUS_LABELS[status]}.")
    edits = _check_edits(cur, report_id, revision, None)
    return _set_status(cur, incident, report_id, revision, edits, "draft", actor=actor, now=now,
                       extra={"submitted_at": None, "submitted_by": None}, before="in_review", note=note)


def publish(db: Database, *, actor: Actor, incident_id: int, now: datetime | None = None) -> Saved:
    """Publish the revision in review: it is frozen from now on and supersedes the previous publication."""
    require_role(actor, *ACT_ROLES, action="publish an RCA")
    return db.write(_publish, actor=actor, incident_id=incident_id, now=utc_now(now))


def _publish(cur, *, actor, incident_id, now) -> Saved:
    incident = _reviewable(cur, incident_id)
    report_id, revision, status = _current(cur, incident)
    if status != "in_review":
        raise RuleRefused(f"Only a revision in review can be published; revision {revision} is {STATUS_LABELS[status]}.")
    edits = _check_edits(cur, report_id, revision, None)
    items = cur.execute("SELECT id, description, owner, due_date, status FROM rca_action_items "
                        "WHERE report_id = ? ORDER BY id", [report_id]).fetchall()
    snapshot = json.dumps([{"id": i, "description": d, "owner": o, "due_date": due.isoformat() if due else None,
                            "status": s} for i, d, o, due, s in items])
    cur.execute("UPDATE rca_revisions SET superseded_at = ? WHERE report_id = ? AND status = 'published' "
                "AND superseded_at IS NULL", [now, report_id])
    cur.execute("UPDATE rca_action_items SET published_in = ? WHERE report_id = ? AND published_in IS NULL",
                [revision, report_id])
    return _set_status(cur, incident, report_id, revision, edits, "published", actor=actor, now=now,
                       extra={"published_at": now, "published_by": actor.label, "action_snapshot": snapshot},
                       before="in_review")


def revise(db: Database, *, actor: Actor, incident_id: int, reason: str, now: datetime | None = None) -> Saved:
    """Start revision n + 1 of a published RCA as a draft copy; the published one stays as it is."""
    require_role(actor, *ACT_ROLES, action="revise an RCA")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the published RCA is being revised."}, FIELD_LABELS)
    return db.write(_revise, actor=actor, incident_id=incident_id, reason=reason, now=utc_now(now))


def _revise(cur, *, actor, incident_id, reason, now) -> Saved:
    incident = _reviewable(cur, incident_id)
    report_id, revision, status = _current(cur, incident)
    if status != "published":
        raise RuleRefused(f"Revision {revision} is still {STATUS_LABELS[status]}: edit it instead of starting a new one.")
    _, content = read_content(cur, report_id, revision)
    new = revision + 1
    _insert_revision(cur, report_id, new, actor=actor, now=now, reason=reason)
    _write_content(cur, report_id, new, content, actor=actor, now=now)
    cur.execute("UPDATE rca_revisions SET edits = 0 WHERE report_id = ? AND revision = ?", [report_id, new])
    audit.record(cur, actor=actor, action="rca.revise", entity="rca", entity_id=incident["reference"],
                 before={"revision": revision, "status": "published"},
                 after={"revision": new, "status": "draft", "reason": reason})
    return Saved(report_id, new, "draft", 0)
