"""The incident service: declaration, references, idempotency, roles, lifecycle, notifications, steps."""
from __future__ import annotations

import json
import re
import threading
from dataclasses import replace
from datetime import timedelta

import pytest

from analytics.incidents import service as incidents
from analytics.incidents.rules import TRANSITIONS, validate_draft
from analytics.kernel.errors import ValidationError
from analytics.kernel.roles import PermissionDenied
from tests.incidents.factories import ADMIN, LEADER, MANAGER, SUPERVISOR, declared, draft, utc

DEFINED = utc(2026, 3, 10, 9, 0)


def count(db, table: str) -> int:
    return db.table_count(table)


def test_declare_writes_incident_companies_transition_and_audit_in_one_go(db):
    result = declared(db, defined=DEFINED)
    assert result.created and result.reference == "INC-2026-0001"
    row = db.query("SELECT * FROM incidents").iloc[0]
    assert row["status"] == "declared" and row["severity"] == 2 and list(row["platforms"]) == ["Messaging"]
    assert row["declared_at"] == DEFINED + timedelta(minutes=2) and row["declared_by"] == SUPERVISOR.label
    assert db.rows("SELECT to_status, actor FROM incident_transitions") == [("declared", SUPERVISOR.label)]
    assert count(db, "incident_companies") == 2
    audit = db.query("SELECT * FROM audit_log WHERE entity = 'incident'")
    assert audit["action"].tolist() == ["incident.declare"] and audit["entity_id"].tolist() == ["INC-2026-0001"]
    assert json.loads(audit["after"].iloc[0])["title"] == "Messaging: outgoing messages delayed"


def test_references_count_per_year_in_the_deployment_time_zone(db):
    assert declared(db, defined=utc(2025, 12, 31, 20, 0)).reference == "INC-2025-0001"
    # 23:30 UTC on 31 December is already 2026 in Paris.
    assert declared(db, defined=utc(2025, 12, 31, 23, 0), declared_at=utc(2025, 12, 31, 23, 30)).reference \
        == "INC-2026-0001"
    assert declared(db, defined=utc(2026, 1, 2, 8, 0)).reference == "INC-2026-0002"


def test_same_token_declares_once(db):
    form = draft(db, defined=DEFINED)
    first = incidents.declare(db, actor=SUPERVISOR, draft=form, token="form-1", now=DEFINED)
    again = incidents.declare(db, actor=SUPERVISOR, draft=form, token="form-1", now=DEFINED + timedelta(seconds=1))
    assert (again.incident_id, again.reference, again.created) == (first.incident_id, first.reference, False)
    assert count(db, "incidents") == 1 and count(db, "audit_log") == 1


def refusal(actor, action: str) -> str:
    """The exact refusal, as a pattern, for MANAGER, LEADER or nobody signed in."""
    if actor is None:
        return f"^{re.escape(f'You must be signed in to {action}.')}$"
    signed_in = {MANAGER: "max@example.test with roles: manager", LEADER: "lee@example.test with roles: leadership"}
    return f"^{re.escape(f'Only a supervisor or admin may {action}; you are signed in as {signed_in[actor]}.')}$"


@pytest.mark.parametrize("actor", [MANAGER, LEADER, None])
def test_only_supervisors_and_admins_write(db, actor):
    with pytest.raises(PermissionDenied, match=refusal(actor, "declare an incident")):
        declared(db, defined=DEFINED, actor=actor)
    assert count(db, "incidents") == 0 and count(db, "audit_log") == 0
    incident = declared(db, defined=DEFINED, actor=ADMIN)
    for action, call in (
            ("change the status of an incident",
             lambda: incidents.transition(db, actor=actor, incident_id=incident.incident_id, to_status="investigating")),
            ("record a customer notification",
             lambda: incidents.notify(db, actor=actor, incident_id=incident.incident_id, sent_at=DEFINED,
                                      sent_by="x", company_ids=(), all_customers=True, message="m", token="t")),
            ("record an investigation step",
             lambda: incidents.complete_step(db, actor=actor, incident_id=incident.incident_id,
                                             step="scope_assessed", owner="x"))):
        with pytest.raises(PermissionDenied, match=refusal(actor, action)):
            call()
    assert count(db, "incident_transitions") == 1 and count(db, "incident_notifications") == 0


def test_invalid_draft_is_refused_with_every_message_and_nothing_written(db):
    bad = draft(db, defined=DEFINED, title="", platforms=(), commander=" ")
    with pytest.raises(ValidationError, match=re.escape(
            "Title: Give the incident a title.; Impacted platforms / services: Pick at least one impacted platform "
            "or service.; Incident commander: Name the incident commander.")) as caught:
        incidents.declare(db, actor=SUPERVISOR, draft=bad, token="t", now=DEFINED)
    assert set(caught.value.errors) == {"title", "platforms", "commander"}
    assert count(db, "incidents") == 0


@pytest.mark.parametrize("changes, field, message", [
    ({"title": "   "}, "title", "Give the incident a title."),
    ({"title": "Down"}, "title", "The title needs at least 5 characters."),
    ({"title": "x" * 121}, "title", "The title may have at most 120 characters (it has 121)."),
    ({"severity": None}, "severity", "Choose a severity."),
    ({"severity": 9}, "severity", "Severity 9 is not defined."),
    ({"platforms": ()}, "platforms", "Pick at least one impacted platform or service."),
    ({"company_ids": ()}, "customers", "Pick the impacted customers, or tick 'All customers'."),
    ({"company_ids": (1,)}, "customers", "A major incident impacts several customers: pick at least two, "
                                         "tick 'All customers', or flag a security breach."),
    ({"started_at": None}, "started_at", "Say when the disruption started."),
    ({"detected_at": None}, "detected_at", "Say when the disruption was detected."),
    ({"impact_defined_at": None}, "impact_defined_at", "Say when the impact was defined."),
    ({"started_at": DEFINED + timedelta(hours=1)}, "started_at", "Started at cannot be in the future."),
    ({"detected_at": DEFINED - timedelta(hours=1)}, "detected_at",
     "Detection cannot come before the start of the disruption."),
    ({"impact_defined_at": DEFINED - timedelta(minutes=15)}, "impact_defined_at",
     "The impact cannot be defined before the disruption was detected."),
    ({"impact_defined_at": DEFINED + timedelta(minutes=1)}, "impact_defined_at",
     "Impact defined at cannot be in the future."),
    ({"description": ""}, "description", "Describe the incident: what customers see and what is affected."),
    ({"description": "d" * 5001}, "description", "The description may have at most 5000 characters."),
    ({"commander": ""}, "commander", "Name the incident commander."),
    ({"notification_lead": ""}, "notification_lead", "Name who leads the customer notifications."),
    ({"investigation_lead": ""}, "investigation_lead", "Name who leads the investigation and resolution."),
])
def test_each_field_has_its_message(db, changes, field, message):
    errors = validate_draft(draft(db, defined=DEFINED, **changes).normalized("Europe/Paris"), now=DEFINED,
                            severities={1, 2, 3, 4})
    assert errors == {field: message}


@pytest.mark.parametrize("changes", [{"company_ids": (1,), "security_breach": True},
                                     {"company_ids": (), "all_customers": True}])
def test_a_breach_may_impact_one_customer_and_all_customers_needs_no_pick(db, changes):
    assert validate_draft(draft(db, defined=DEFINED, **changes).normalized("Europe/Paris"), now=DEFINED,
                          severities={1, 2, 3, 4}) == {}


def test_naive_times_are_read_in_the_deployment_time_zone(db):
    naive = draft(db, defined=DEFINED)
    naive = replace(naive, started_at=naive.started_at.replace(tzinfo=None), detected_at=None)
    assert naive.normalized("Europe/Paris").started_at == utc(2026, 3, 10, 7, 40)  # 08:40 Paris = 07:40 UTC


def test_twenty_concurrent_declarations_get_twenty_references(db):
    forms = [draft(db, defined=DEFINED, title=f"Concurrent incident {k:02d}") for k in range(20)]
    results, failures = [], []
    barrier = threading.Barrier(20)

    def declare_one(k: int) -> None:
        barrier.wait()
        try:
            results.append(incidents.declare(db, actor=SUPERVISOR, draft=forms[k], token=f"token-{k}",
                                              now=DEFINED + timedelta(minutes=5)))
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            failures.append(exc)

    threads = [threading.Thread(target=declare_one, args=(k,)) for k in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({r.reference for r in results}) == 20 and all(r.created for r in results)
    assert sorted(db.scalar("SELECT list(reference) FROM incidents")) == [f"INC-2026-{n:04d}" for n in range(1, 21)]
    assert db.scalar("SELECT count(DISTINCT title) FROM incidents") == 20
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'incident.declare'") == 20
    assert count(db, "incident_transitions") == 20 and count(db, "incident_companies") == 40


def test_transition_table_allows_only_sensible_moves():
    assert "closed" not in {s for source, targets in TRANSITIONS.items() if source != "post_mortem" for s in targets}
    assert TRANSITIONS["resolved"] == ("investigating", "post_mortem")
    assert TRANSITIONS["closed"] == ()
