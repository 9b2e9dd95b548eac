"""Demo RCA reports for the demo incidents, registered in ``DEMO_EXTENSIONS`` after the incidents.

Reads the resolved incidents already inserted in the demo transaction (does nothing when
there are none) and gives most of them a published RCA a few days to two weeks after the
resolution (some past the ``rca.overdue_days`` mark), a couple a revised second revision;
the most recent ones are still in draft or in review, and a few have none (one overdue).
Root causes come from the default taxonomy, with two recurring hot spots (capacity on the EDI
Gateway, change/deployment on Messaging, each within 90 days). Action items have fictional
owners and due dates; some are done on time, some late, some overdue. Customers ask for some
RCAs and most requests are delivered. Deterministic for a given demo seed: draws come from this
extension's own stream, so other extensions' draws never move them.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from analytics.rca.queries import EVENTS_SQL, IMPACT_SQL, events_params

SEED_TAG = 50  # this extension's own random stream, derived from the demo seed
OWNERS = ["Rachid Amrani", "Lucie Perrin", "Hélène Vidal", "Bastien Morel", "Agathe Roussel"]
CATEGORY_WEIGHTS = {"software defect": 0.26, "change/deployment": 0.2, "capacity": 0.14, "third-party software": 0.1,
                    "network": 0.12, "customer infrastructure": 0.04, "security": 0.04, "human error": 0.06,
                    "unknown": 0.04}
HOT_SPOTS = [("capacity", "EDI Gateway", 3), ("change/deployment", "Messaging", 2)]
CAUSE_TEXT = {
    "software defect": "A defect in the release of the routing component dropped retries under load.",
    "change/deployment": "A configuration change deployed that morning disabled a connection pool.",
    "capacity": "Message volume exceeded the capacity of the processing workers.",
    "third-party software": "A third-party library failed after a certificate rotation.",
    "network": "A faulty link between the two data centres caused packet loss.",
    "customer infrastructure": "A customer's firewall change blocked the return flow.",
    "security": "A credential-stuffing attack saturated the authentication service.",
    "human error": "A maintenance command was run on the production cluster instead of staging.",
    "unknown": "The exact trigger could not be established; the analysis continues.",
}
ACTIONS = {
    "software defect": ["Add a regression test for retry handling", "Review the release checklist"],
    "change/deployment": ["Require a second reviewer for production configuration changes",
                          "Automate the rollback of configuration changes"],
    "capacity": ["Alert on queue depth before saturation", "Autoscale the processing workers",
                 "Review capacity planning with the platform team"],
    "third-party software": ["Monitor certificate expiry of third-party components"],
    "network": ["Add a redundant inter-site link", "Alert on packet loss between sites"],
    "customer infrastructure": ["Publish the network prerequisites in the customer guide"],
    "security": ["Rate-limit authentication attempts per address"],
    "human error": ["Restrict production access during maintenance windows"],
    "unknown": ["Add tracing to the affected flow"],
}


def _day(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _plan(incidents: pd.DataFrame, now: datetime) -> list[tuple[str, int]]:
    """(status, revisions) per incident, newest resolved first: draft, in review, none (overdue), published..."""
    plan = []
    for k, row in enumerate(incidents.itertuples()):
        age_days = (now - row.resolved_at).total_seconds() / 86400
        if k == 0 or age_days < 4:
            plan.append(("draft", 1))
        elif k == 1:
            plan.append(("in_review", 1))
        elif k in (2, 6):
            plan.append(("none", 0))
        elif k in (5, 11):
            plan.append(("published", 2))
        elif k == 8:
            plan.append(("draft", 2))  # a published RCA under revision
        else:
            plan.append(("published", 1))
    return plan


def _causes(incidents: pd.DataFrame, rng) -> list[tuple[str, str]]:
    cats, weights = list(CATEGORY_WEIGHTS), np.array(list(CATEGORY_WEIGHTS.values()))
    causes = [(str(rng.choice(cats, p=weights / weights.sum())), str(rng.choice(list(row.platforms))))
              for row in incidents.itertuples()]
    oldest_first = list(range(len(incidents)))[::-1]
    start = 3
    for category, platform, count in HOT_SPOTS:  # consecutive incidents on the platform: weeks apart
        picked = [k for k in oldest_first[start:] if platform in incidents.iloc[k]["platforms"]][:count]
        for k in picked:
            causes[k] = (category, platform)
        start += 8
    return causes


def generate_demo(cur, rng: np.random.Generator, *, companies: pd.DataFrame, now: datetime) -> None:
    """Add demo RCAs inside the demo transaction (after the incidents' generator)."""
    incidents = cur.execute("SELECT id, reference, platforms, resolved_at, commander, notification_lead, "
                            "investigation_lead FROM incidents WHERE resolved_at IS NOT NULL "
                            "AND status IN ('resolved', 'post_mortem', 'closed') ORDER BY resolved_at DESC").df()
    if incidents.empty:
        return
    rng = np.random.default_rng([rng.bit_generator.seed_seq.entropy, SEED_TAG])  # others' draws don't move ours
    incidents["resolved_at"] = [t.to_pydatetime() for t in incidents["resolved_at"]]
    causes = _causes(incidents, rng)
    rows: dict[str, list] = {"rca_reports": [], "rca_revisions": [], "rca_root_causes": [], "rca_timeline": [],
                             "rca_action_items": [], "rca_requests": []}
    ids = incidents["id"].astype(int).tolist()
    events = cur.execute(EVENTS_SQL, events_params(ids)).df()
    impacts = cur.execute(IMPACT_SQL, {"ids": ids}).df().set_index("incident_id")
    for k, ((status, revisions), row) in enumerate(zip(_plan(incidents, now), incidents.itertuples())):
        if status == "none":
            continue
        _report(rows, rng, row, report_id=k + 1, status=status, revisions=revisions, cause=causes[k], now=now,
                events=events[events["incident_id"] == row.id],
                impact={k: int(v) for k, v in impacts.loc[row.id].items()})
    _requests(cur, rows, rng, now, incidents)
    for table, items in rows.items():
        if items:
            cur.register("demo_rca_rows", pd.DataFrame(items))
            cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM demo_rca_rows")  # table names from this dict
            cur.unregister("demo_rca_rows")


def _publications(rng, first: datetime, revisions: int, status: str, now: datetime) -> list[tuple[str, datetime | None]]:
    """(status, published_at) per revision: earlier ones published weeks apart, the last as planned."""
    out, at = [], first
    for revision in range(1, revisions + 1):
        wanted = status if revision == revisions else "published"
        if wanted == "published" and at <= now:
            out.append(("published", at))
        else:
            out.append(("in_review" if wanted == "published" else wanted, None))
        at = at + timedelta(days=float(rng.uniform(20, 40)))
    return out


def _report(rows, rng, incident, *, report_id, status, revisions, cause, now, events, impact) -> None:
    resolved, author = incident.resolved_at, incident.commander
    rows["rca_reports"].append({"id": report_id, "incident_id": incident.id, "created_at": _day(resolved),
                                "created_by": author})
    category, platform = cause
    publications = _publications(rng, resolved + timedelta(days=float(rng.uniform(2, 15))), revisions, status, now)
    first_published = publications[0][1]
    actions = _actions(rows, rng, report_id, category, created=resolved + timedelta(days=1),
                       published=first_published, now=now)
    participants = list(dict.fromkeys([incident.commander, incident.notification_lead, incident.investigation_lead,
                                       *[w for w in events["who"].dropna() if "@" not in w]]))
    for revision, (rev_status, published) in enumerate(publications, start=1):
        following = publications[revision][1] if revision < len(publications) else None
        submitted = published - timedelta(hours=20) if published else (
            now - timedelta(hours=6) if rev_status == "in_review" else None)
        snapshot = json.dumps([{"description": a["description"], "owner": a["owner"], "due_date": a["due_date"],
                                "status": a["status"] if a["completed_at"] and a["completed_at"] <= published
                                else "open"} for a in actions]) if published else None
        rows["rca_revisions"].append({
            "report_id": report_id, "revision": revision, "status": rev_status,
            "overview": f"{incident.reference}: customers on {', '.join(incident.platforms)} saw the service "
                        f"disrupted for {impact['impact_minutes']} minutes. {CAUSE_TEXT[category]}",
            "measures_taken": "The team isolated the faulty component, restored the service and confirmed with "
                              "the impacted customers that their flows were processed.",
            "contributing_factors": "Traffic was above its usual level at the time.",
            **impact, "participants": participants,
            "went_well": "Customers were notified quickly and status reports kept to the hour.",
            "went_badly": "Experts were gathered late: the on-call list was out of date.",
            "failure_causes": "Monitoring did not alert before the customers saw the problem.",
            "internal_notes": "Demo internal note: staffing and tooling follow-up.",
            "action_snapshot": snapshot, "revision_reason": None if revision == 1 else "Action plan updated",
            "edits": 3, "created_at": _day(resolved + timedelta(days=1)), "created_by": author,
            "updated_at": _day(published or now), "updated_by": author,
            "submitted_at": submitted, "submitted_by": author if submitted else None,
            "published_at": published, "published_by": author if published else None,
            "superseded_at": following})
        rows["rca_root_causes"].append({"report_id": report_id, "revision": revision, "position": 1,
                                        "category": category, "platform": platform,
                                        "description": CAUSE_TEXT[category]})
        for position, event in enumerate(events.itertuples(), start=1):
            rows["rca_timeline"].append({
                "report_id": report_id, "revision": revision, "position": position, "occurred_at": event.occurred_at,
                "event": event.event, "who": event.who if isinstance(event.who, str) else None,
                "internal_note": event.note if isinstance(event.note, str) else None,
                "customer_visible": bool(event.customer_visible)})


def _actions(rows, rng, report_id, category, *, created, published, now) -> list[dict]:
    planned = []
    for description in ACTIONS[category][:int(rng.integers(1, len(ACTIONS[category]) + 1))]:
        due = (created + timedelta(days=float(rng.uniform(14, 75)))).date()
        draw = rng.random()
        if due < now.date():  # past due: mostly done (a third of them late), a few cancelled or overdue
            status = "done" if draw < 0.78 else ("cancelled" if draw < 0.85 else ("in_progress" if draw < 0.93
                                                                                 else "open"))
            done_at = datetime.combine(due, created.timetz()) + timedelta(days=float(rng.uniform(-14, 8)))
        else:
            status = "done" if draw < 0.25 else ("in_progress" if draw < 0.6 else "open")
            done_at = created + timedelta(days=float(rng.uniform(3, 12)))
        done_at = max(min(done_at, now - timedelta(hours=1)), created) if status in ("done", "cancelled") else None
        item = {"report_id": report_id, "description": description, "owner": OWNERS[int(rng.integers(len(OWNERS)))],
                "due_date": due, "status": status, "completed_at": done_at, "published_in": 1 if published else None,
                "created_at": created, "created_by": "demo", "updated_at": done_at or created, "updated_by": "demo"}
        rows["rca_action_items"].append(item)
        planned.append({**item, "due_date": due.isoformat()})
    return planned


def _requests(cur, rows, rng, now, incidents: pd.DataFrame) -> None:
    published: dict[int, datetime] = {}
    for r in rows["rca_revisions"]:
        if r["published_at"] is not None and r["report_id"] not in published:
            published[r["report_id"]] = r["published_at"]  # revisions come in order: the first publication
    impacted = cur.execute("SELECT incident_id, list(company_id ORDER BY company_id) FROM incident_impacted_companies "
                           "GROUP BY incident_id").fetchall()
    companies_of = {int(i): list(c) for i, c in impacted}
    contact_of = dict(cur.execute("SELECT company_id, arg_min(name, (NOT is_admin, id)) FROM contacts "
                                  "GROUP BY company_id").fetchall())
    resolved_of = dict(zip(incidents["id"].astype(int), incidents["resolved_at"]))
    for report in rows["rca_reports"]:
        report_id, incident_id = report["id"], int(report["incident_id"])
        if rng.random() > 0.4:
            continue
        companies = companies_of.get(incident_id, [])
        for company_id in rng.choice(companies, size=min(len(companies), int(rng.integers(1, 3))), replace=False):
            requested = resolved_of[incident_id] + timedelta(days=float(rng.uniform(0.5, 6)))
            if requested > now:
                continue
            ready = published.get(report_id)
            delivered = max(requested, ready) + timedelta(days=float(rng.uniform(0.1, 2))) if ready else None
            delivered = delivered if delivered and delivered <= now else None
            rows["rca_requests"].append({
                "incident_id": incident_id, "company_id": int(company_id),
                "requested_at": requested, "requested_by": contact_of.get(int(company_id), "Customer administrator"),
                "delivered_at": delivered, "delivered_revision": 1 if delivered else None,
                "recorded_by": "demo", "recorded_at": requested})
