"""Reading post-incident reviews: one incident's review and revisions, the prefill, the choices.

Bound-parameter SQL over the RCA tables of migration 050 and the incident tables of
migration 020. :func:`prefill` drafts a review from the incident's own records: the
timeline from its impact instants, status changes, customer notifications and
investigation steps; the participants from the people named on it; the impact from the
impacted customers, the disruption's duration and the tickets they raised meanwhile.
Functions taking ``cur`` also run inside a write transaction (``analytics.rca.service``).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.rca.rules import ActionItemInput, ReviewContent, RootCause, TimelineEntry, clean_text
from analytics.settings.queries import get_setting
from analytics.store.database import Database

CUSTOMER_STATUS_EVENTS = {  # status reached -> how the timeline tells it (customer-visible when resolved or before)
    "declared": "Major incident declared", "investigating": "Investigation started",
    "identified": "Cause identified", "monitoring": "Fix applied, service under monitoring",
    "resolved": "Service restored", "post_mortem": "Post-mortem started", "closed": "Incident closed",
}
INTERNAL_STATUSES = ("post_mortem", "closed")
STEP_EVENTS = {"scope_assessed": "Scope of the disruption assessed", "experts_gathered": "Experts gathered",
               "plan_established": "Resolution plan established", "plan_executed": "Resolution plan executed"}
REVISION_COLUMNS = ("status", "overview", "measures_taken", "contributing_factors", "customers_affected",
                    "impact_minutes", "tickets", "participants", "went_well", "went_badly", "failure_causes",
                    "internal_notes", "action_snapshot", "revision_reason", "edits", "created_at", "created_by",
                    "updated_at", "updated_by", "submitted_at", "submitted_by", "published_at", "published_by",
                    "superseded_at")


@dataclass(frozen=True)
class Review:
    """One incident's review as stored: the revision shown, its content and the report's action items."""

    incident: dict
    report_id: int | None
    revision: int | None
    meta: dict                      # status, edits, who/when of the revision (empty when none yet)
    content: ReviewContent
    actions: pd.DataFrame           # id, description, owner, due_date, status, completed_at, published_in
    revisions: pd.DataFrame         # revision, status, published_at, superseded_at, revision_reason


def categories(db: Database) -> list[str]:
    """The root-cause taxonomy in force (setting rca.root_cause_categories)."""
    return list(get_setting(db, "rca.root_cause_categories"))


def known_platforms(db: Database) -> list[str]:
    """Platforms a root cause may name: those of tickets, incidents and earlier root causes."""
    return [r[0] for r in db.rows(
        "SELECT DISTINCT platform FROM tickets WHERE platform IS NOT NULL "
        "UNION SELECT DISTINCT unnest(platforms) FROM incidents "
        "UNION SELECT DISTINCT platform FROM rca_root_causes ORDER BY 1")]


def incident_row(cur, incident_id: int) -> dict | None:
    """The incident's own columns, or None."""
    result = cur.execute("SELECT * FROM incidents WHERE id = ?", [incident_id])
    row = result.fetchone()
    return dict(zip([d[0] for d in result.description], row)) if row else None


def read_content(cur, report_id: int, revision: int) -> tuple[dict, ReviewContent]:
    """A stored revision: its metadata and its content."""
    result = cur.execute(f"SELECT {', '.join(REVISION_COLUMNS)} FROM rca_revisions "  # fixed column list
                         "WHERE report_id = ? AND revision = ?", [report_id, revision])
    meta = dict(zip(REVISION_COLUMNS, result.fetchone()))
    causes = cur.execute("SELECT category, platform, description FROM rca_root_causes "
                         "WHERE report_id = ? AND revision = ? ORDER BY position", [report_id, revision]).fetchall()
    lines = cur.execute("SELECT occurred_at, event, who, internal_note, customer_visible FROM rca_timeline "
                        "WHERE report_id = ? AND revision = ? ORDER BY position", [report_id, revision]).fetchall()
    content = ReviewContent(
        participants=tuple(meta["participants"] or ()), overview=meta["overview"],
        measures_taken=meta["measures_taken"], went_well=meta["went_well"], went_badly=meta["went_badly"],
        failure_causes=meta["failure_causes"], contributing_factors=meta["contributing_factors"],
        internal_notes=meta["internal_notes"], customers_affected=meta["customers_affected"],
        impact_minutes=meta["impact_minutes"], tickets=meta["tickets"],
        root_causes=tuple(RootCause(*c) for c in causes),
        timeline=tuple(TimelineEntry(t, e, w or "", n or "", bool(v)) for t, e, w, n, v in lines))
    return meta, content


def read_actions(cur, report_id: int) -> tuple[ActionItemInput, ...]:
    """The report's action items as the service validates them."""
    rows = cur.execute("SELECT description, coalesce(owner, ''), due_date, status, id FROM rca_action_items "
                       "WHERE report_id = ? ORDER BY id", [report_id]).fetchall()
    return tuple(ActionItemInput(*row) for row in rows)


def latest_revision(cur, incident_id: int) -> tuple[int, int, str] | None:
    """(report id, latest revision, its status) of an incident's RCA, or None."""
    return cur.execute("SELECT report_id, revision, status FROM rca_current WHERE incident_id = ?",
                       [incident_id]).fetchone()


def load_review(db: Database, *, incident_id: int, revision: int | None = None) -> Review | None:
    """The incident's review at ``revision`` (default the latest), or None for an unknown incident."""
    cur = db.cursor()
    try:
        incident = incident_row(cur, incident_id)
        if incident is None:
            return None
        latest = latest_revision(cur, incident_id)
        if latest is None:
            return Review(incident, None, None, {}, ReviewContent(), _no_actions(), _no_revisions())
        report_id = latest[0]
        shown = revision or latest[1]
        meta, content = read_content(cur, report_id, shown)
        actions = cur.execute("SELECT id, description, owner, due_date, status, completed_at, published_in "
                              "FROM rca_action_items WHERE report_id = ? ORDER BY id", [report_id]).df()
        revisions = cur.execute("SELECT revision, status, published_at, superseded_at, revision_reason "
                                "FROM rca_revisions WHERE report_id = ? ORDER BY revision", [report_id]).df()
        return Review(incident, report_id, shown, meta, content, actions, revisions)
    finally:
        cur.close()


def _no_actions() -> pd.DataFrame:
    return pd.DataFrame(columns=["id", "description", "owner", "due_date", "status", "completed_at", "published_in"])


def _no_revisions() -> pd.DataFrame:
    return pd.DataFrame(columns=["revision", "status", "published_at", "superseded_at", "revision_reason"])


EVENTS_SQL = """
    SELECT incident_id, occurred_at, event, who, note, customer_visible FROM (
        SELECT id AS incident_id, started_at AS occurred_at, 'Disruption started' AS event, NULL AS who,
               NULL AS note, true AS customer_visible, 0 AS rank FROM incidents WHERE list_contains($ids, id)
        UNION ALL SELECT id, detected_at, 'Disruption detected by support', NULL, NULL, true, 1
        FROM incidents WHERE list_contains($ids, id)
        UNION ALL SELECT id, impact_defined_at, 'Impact on customers assessed', NULL, NULL, true, 2
        FROM incidents WHERE list_contains($ids, id)
        UNION ALL SELECT t.incident_id, t.occurred_at, s.event, t.actor, t.note,
                         NOT list_contains($internal, t.to_status), 3
        FROM incident_transitions t JOIN (SELECT unnest($statuses) AS status, unnest($labels) AS event) s
             ON s.status = t.to_status WHERE list_contains($ids, t.incident_id)
        UNION ALL SELECT incident_id, sent_at, CASE kind WHEN 'notification' THEN 'Customers notified in writing'
                                                        ELSE 'Status report sent to customers' END,
                         sent_by, NULL, true, 4
        FROM incident_notifications WHERE list_contains($ids, incident_id)
        UNION ALL SELECT incident_id, completed_at, s.event, owner, note, true, 5
        FROM incident_steps JOIN (SELECT unnest($steps) AS step, unnest($step_labels) AS event) s USING (step)
        WHERE list_contains($ids, incident_id))
    ORDER BY incident_id, occurred_at, rank"""

IMPACT_SQL = """
    WITH impacted AS (
        SELECT incident_id, company_id FROM incident_companies WHERE list_contains($ids, incident_id)
        UNION SELECT i.id, c.id FROM incidents i CROSS JOIN companies c
        WHERE i.all_customers AND list_contains($ids, i.id))
    SELECT i.id AS incident_id,
           (SELECT count(*) FROM impacted x WHERE x.incident_id = i.id) AS customers_affected,
           date_diff('minute', i.started_at, i.resolved_at) AS impact_minutes,
           (SELECT count(*) FROM tickets t JOIN impacted x ON x.company_id = t.company_id AND x.incident_id = i.id
            WHERE t.opened_at >= i.started_at AND t.opened_at <= i.resolved_at) AS tickets
    FROM incidents i WHERE list_contains($ids, i.id) ORDER BY i.id"""


def events_params(incident_ids: list[int]) -> dict:
    """The bound parameters of EVENTS_SQL for these incidents."""
    return {"ids": [int(i) for i in incident_ids], "statuses": list(CUSTOMER_STATUS_EVENTS),
            "labels": list(CUSTOMER_STATUS_EVENTS.values()), "internal": list(INTERNAL_STATUSES),
            "steps": list(STEP_EVENTS), "step_labels": list(STEP_EVENTS.values())}


def incident_events(db: Database, *, incident_id: int) -> pd.DataFrame:
    """The incident's recorded events, oldest first: occurred_at, event, who, note, customer_visible."""
    return db.query(EVENTS_SQL, events_params([incident_id])).drop(columns="incident_id")


def impact_figures(db: Database, *, incident_id: int) -> dict:
    """Impacted customers, disruption minutes (start to resolution) and their tickets opened meanwhile."""
    row = db.rows(IMPACT_SQL, {"ids": [incident_id]})
    if not row:
        return {}
    _, customers, minutes, tickets = row[0]
    return {"customers_affected": int(customers), "impact_minutes": None if minutes is None else int(minutes),
            "tickets": int(tickets)}


def prefill(db: Database, *, incident_id: int) -> ReviewContent:
    """A first draft of the review from the incident's own records (nothing is saved)."""
    cur = db.cursor()
    try:
        incident = incident_row(cur, incident_id)
    finally:
        cur.close()
    if incident is None:
        return ReviewContent()
    events = incident_events(db, incident_id=incident_id)
    timeline = tuple(TimelineEntry(row.occurred_at.to_pydatetime(), row.event, clean_text(row.who),
                                   clean_text(row.note), bool(row.customer_visible)) for row in events.itertuples())
    names = [incident["commander"], incident["notification_lead"], incident["investigation_lead"],
             *[clean_text(row.who) for row in events.itertuples()]]
    platform = incident["platforms"][0] if incident["platforms"] else ""
    return ReviewContent(participants=tuple(dict.fromkeys(n for n in names if n)),
                         overview=incident["description"], timeline=timeline,
                         root_causes=(RootCause("", platform, ""),), **impact_figures(db, incident_id=incident_id))


def reviewable_incidents(db: Database) -> pd.DataFrame:
    """Resolved incidents (newest first) with the status of their RCA ('none' when not started)."""
    return db.query("""
        SELECT i.id, i.reference, i.title, i.severity, i.status AS incident_status, i.resolved_at,
               coalesce(c.status, 'none') AS rca_status, c.revision
        FROM incidents i LEFT JOIN rca_current c ON c.incident_id = i.id
        WHERE i.resolved_at IS NOT NULL AND list_contains($statuses, i.status)
        ORDER BY i.resolved_at DESC""", {"statuses": ["resolved", "post_mortem", "closed"]})


def reference_of(db: Database, incident_id: int) -> str | None:
    """The incident's reference (INC-YYYY-NNNN)."""
    return db.scalar("SELECT reference FROM incidents WHERE id = ?", [incident_id])


def incident_id_of(db: Database, reference: str) -> int | None:
    """The id of the incident with this reference."""
    return db.scalar("SELECT id FROM incidents WHERE reference = ?", [(reference or "").strip().upper()])


def impacted_companies(db: Database, *, incident_id: int) -> dict[str, int]:
    """Name -> id of the companies the incident impacted (who may ask for its RCA)."""
    return dict(db.rows("SELECT c.name, c.id FROM incident_impacted_companies ic JOIN companies c ON c.id = ic.company_id "
                        "WHERE ic.incident_id = ? ORDER BY c.name", [incident_id]))


def customer_requests(db: Database, *, incident_id: int) -> pd.DataFrame:
    """Customers' requests for the incident's RCA, oldest first, with their delivery."""
    return db.query("SELECT q.id, c.name AS company, q.requested_by, q.requested_at, q.delivered_at, "
                    "q.delivered_revision FROM rca_requests q JOIN companies c ON c.id = q.company_id "
                    "WHERE q.incident_id = ? ORDER BY q.requested_at, q.id", [incident_id])
