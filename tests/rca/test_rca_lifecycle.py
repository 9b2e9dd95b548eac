"""RCA lifecycle: draft -> in review -> published, frozen once published, revisions, roles, audit, transactions."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import time_machine

from analytics.audit.service import load_audit
from analytics.kernel.errors import RuleRefused, ValidationError
from analytics.kernel.roles import PermissionDenied
from analytics.rca import service as rca
from analytics.rca import tracking as rca_tracking
from analytics.rca.document import build_document
from analytics.rca.queries import load_review, prefill
from analytics.rca.rules import ActionItemInput, ReviewContent, RootCause
from tests.rca.factories import (
    ADMIN,
    LEADER,
    MANAGER,
    SUPERVISOR,
    action_items,
    complete_review,
    open_incident,
    resolved_incident,
)

# every test of this file on a frozen clock (ticking on from there): the services' default "now", the
# due dates and the incident's times are the same on any day the suite runs
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris: the same date in Tokyo and Los Angeles
TODAY = date(2026, 11, 16)  # NOW's date in Paris


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield
STARTED = NOW - timedelta(days=20)


@pytest.fixture
def incident(db):
    return resolved_incident(db, started=STARTED)


def publish_complete(db, incident_id: int, *, actor=SUPERVISOR) -> None:
    saved = rca.save_draft(db, actor=actor, incident_id=incident_id, content=complete_review(started=STARTED),
                           actions=action_items(due=TODAY + timedelta(days=30)))
    rca.submit_for_review(db, actor=actor, incident_id=incident_id, expected_edits=saved.edits)
    rca.publish(db, actor=actor, incident_id=incident_id)


def test_a_draft_may_be_partial_and_is_resumed_as_saved(db, incident):
    saved = rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=prefill(db, incident_id=incident))
    assert (saved.revision, saved.status, saved.edits) == (1, "draft", 1)
    review = load_review(db, incident_id=incident)
    assert review.meta["status"] == "draft"
    assert review.content.participants[:3] == ("Claire Fontaine", "Julie Masson", "Pierre Gauthier")
    assert review.content.impact_minutes == 90 and review.content.customers_affected == 2
    assert review.content.tickets == 2
    events = [e.event for e in review.content.timeline]
    assert events[:3] == ["Disruption started", "Disruption detected by support", "Impact on customers assessed"]
    assert "Customers notified in writing" in events and "Service restored" in events
    assert review.content.root_causes == (RootCause("", "Messaging", ""),)


def test_sending_for_review_lists_every_missing_field(db, incident):
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=ReviewContent(overview="Short overview."))
    with pytest.raises(ValidationError, match=re.escape(
            "Participants: List who took part in the analysis.; Measures taken: Say what was done to restore the "
            "service.; What went well: Say what went well in the handling.; What went badly: Say what went badly in "
            "the handling.; Causes of the failures: Explain why things failed.; Root causes: Give at least one root "
            "cause.; Timeline: Keep at least one timeline line visible to customers.; Action items: Plan at least "
            "one action against recurrence.; Customers affected: Enter the figure (0 when none).; Impact duration "
            "(minutes): Enter the figure (0 when none).; Support tickets: Enter the figure (0 when none).")) as caught:
        rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident)
    errors = caught.value.errors
    assert errors["participants"] == "List who took part in the analysis."
    assert errors["root_causes"] == "Give at least one root cause."
    assert errors["action_items"] == "Plan at least one action against recurrence."
    assert errors["tickets"] == "Enter the figure (0 when none)."
    assert "overview" not in errors
    assert load_review(db, incident_id=incident).meta["status"] == "draft"


def test_actions_need_owner_and_due_date_before_review(db, incident):
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=complete_review(started=STARTED),
                   actions=(ActionItemInput("Alert on queue depth"),))
    with pytest.raises(ValidationError, match=re.escape("Action items: Action 1: name its owner.") + "$") as caught:
        rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident)
    assert caught.value.errors == {"action_items": "Action 1: name its owner."}


def test_full_lifecycle_freezes_the_published_revision(db, incident):
    publish_complete(db, incident)
    review = load_review(db, incident_id=incident)
    assert review.meta["status"] == "published" and review.meta["published_by"] == "sam@example.test"
    changed = replace(complete_review(started=STARTED), overview="Rewritten after publication.")
    with pytest.raises(RuleRefused, match="published and frozen; start a new revision"):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=changed)
    with pytest.raises(RuleRefused, match="not a draft"):
        rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident)
    with pytest.raises(RuleRefused, match="Only a revision in review can be published"):
        rca.publish(db, actor=SUPERVISOR, incident_id=incident)
    assert load_review(db, incident_id=incident).content.overview == "Outgoing messages were delayed by up to an hour."


def test_in_review_is_read_only_until_sent_back(db, incident):
    saved = rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=complete_review(started=STARTED),
                           actions=action_items(due=TODAY))
    rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident, expected_edits=saved.edits)
    with pytest.raises(RuleRefused, match="is in review; send it back to draft"):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=complete_review(started=STARTED))
    back = rca.return_to_draft(db, actor=ADMIN, incident_id=incident, note="Timeline incomplete")
    assert back.status == "draft"
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident,
                   content=replace(complete_review(started=STARTED), overview="Better overview."),
                   actions=action_items(due=TODAY))
    assert load_review(db, incident_id=incident).content.overview == "Better overview."


def test_revision_keeps_the_published_one_readable_and_sent(db, incident):
    publish_complete(db, incident)
    with pytest.raises(ValidationError, match=re.escape(
            "Reason for the revision: Say why the published RCA is being revised.")):
        rca.revise(db, actor=SUPERVISOR, incident_id=incident, reason="  ")
    second = rca.revise(db, actor=SUPERVISOR, incident_id=incident, reason="New finding from the vendor")
    assert (second.revision, second.status) == (2, "draft")
    draft = load_review(db, incident_id=incident)
    assert draft.revision == 2 and draft.content == load_review(db, incident_id=incident, revision=1).content
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident,
                   content=replace(draft.content, overview="Revised overview."),
                   actions=tuple(ActionItemInput(r.description, r.owner, r.due_date, r.status, int(r.id))
                                 for r in draft.actions.itertuples()))
    assert build_document(db, incident_id=incident).overview == "Outgoing messages were delayed by up to an hour."
    assert build_document(db, incident_id=incident).revision == 1
    rca.submit_for_review(db, actor=SUPERVISOR, incident_id=incident)
    rca.publish(db, actor=ADMIN, incident_id=incident)
    revisions = load_review(db, incident_id=incident).revisions.set_index("revision")
    assert revisions.loc[1, "status"] == "published" and pd.notna(revisions.loc[1, "superseded_at"])
    assert revisions.loc[2, "status"] == "published" and pd.isna(revisions.loc[2, "superseded_at"])
    assert build_document(db, incident_id=incident).overview == "Revised overview."
    old = build_document(db, incident_id=incident, revision=1)
    assert old.overview == "Outgoing messages were delayed by up to an hour." and old.revision == 1


def test_published_action_plan_is_a_snapshot_while_progress_is_tracked(db, incident):
    publish_complete(db, incident)
    item_id = int(load_review(db, incident_id=incident).actions["id"].iloc[0])
    rca_tracking.update_action_item(db, actor=SUPERVISOR, item_id=item_id, status="done")
    review = load_review(db, incident_id=incident)
    assert review.actions.set_index("id").loc[item_id, "status"] == "done"
    assert pd.notna(review.actions.set_index("id").loc[item_id, "completed_at"])
    assert [a["status"] for a in build_document(db, incident_id=incident).actions] == ["open", "open"]


def test_a_published_action_cannot_be_removed_only_cancelled(db, incident):
    publish_complete(db, incident)
    rca.revise(db, actor=SUPERVISOR, incident_id=incident, reason="Plan change")
    review = load_review(db, incident_id=incident)
    first, second = list(review.actions.itertuples())
    keep = (ActionItemInput(first.description, first.owner, first.due_date, first.status, int(first.id)),)
    with pytest.raises(ValidationError, match="set its status to cancelled"):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=review.content, actions=keep)
    cancelled = keep + (ActionItemInput(second.description, second.owner, second.due_date, "cancelled",
                                        int(second.id)),)
    rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=review.content, actions=cancelled)
    assert load_review(db, incident_id=incident).actions["status"].tolist() == ["open", "cancelled"]


def test_a_stale_form_cannot_overwrite_a_newer_save(db, incident):
    first = rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=ReviewContent(overview="A"))
    rca.save_draft(db, actor=ADMIN, incident_id=incident, content=ReviewContent(overview="B"),
                   expected_edits=first.edits)
    with pytest.raises(RuleRefused, match="Someone else saved this review"):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=ReviewContent(overview="C"),
                       expected_edits=first.edits)
    assert load_review(db, incident_id=incident).content.overview == "B"


@pytest.mark.parametrize("actor, refusal", [
    (MANAGER, "Only a supervisor or admin may save a post-incident review; you are signed in as max@example.test "
              "with roles: manager."),
    (LEADER, "Only a supervisor or admin may save a post-incident review; you are signed in as lee@example.test "
             "with roles: leadership."),
    (None, "You must be signed in to save a post-incident review.")])
def test_only_supervisors_and_admins_write(db, incident, actor, refusal):
    with pytest.raises(PermissionDenied, match=f"^{re.escape(refusal)}$"):
        rca.save_draft(db, actor=actor, incident_id=incident, content=ReviewContent(overview="x"))
    assert db.scalar("SELECT count(*) FROM rca_reports") == 0
    assert load_audit(db, entity="rca").empty


def test_a_review_waits_for_the_resolution(db):
    incident_id = open_incident(db, started=NOW - timedelta(hours=2))
    with pytest.raises(RuleRefused, match="the post-incident review starts once the incident is resolved"):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id, content=ReviewContent(overview="x"))


def test_every_write_is_audited_and_a_refused_one_leaves_nothing(db, incident):
    publish_complete(db, incident)
    rca.revise(db, actor=ADMIN, incident_id=incident, reason="Typo")
    actions = load_audit(db, entity="rca")["action"].tolist()[::-1]
    assert actions == ["rca.save_draft", "rca.in_review", "rca.published", "rca.revise"]
    audit_rows = len(load_audit(db))
    # an unknown category is refused before anything is written
    with pytest.raises(ValidationError, match=re.escape(
            "Root causes: Root cause 1: 'gremlins' is not in the taxonomy (software defect, change/deployment, "
            "capacity, third-party software, customer infrastructure, network, security, human error, unknown).")):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident,
                       content=ReviewContent(root_causes=(RootCause("gremlins", "Messaging", "?"),)))
    # refused inside the transaction: rolled back with its audit row
    with pytest.raises(RuleRefused, match=re.escape("Some action items no longer exist; reload the page.")):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident, content=ReviewContent(),
                       actions=(ActionItemInput("ghost", item_id=999),))
    assert len(load_audit(db)) == audit_rows
    assert load_review(db, incident_id=incident).content.overview == "Outgoing messages were delayed by up to an hour."


def test_the_taxonomy_is_a_setting(db, incident):
    from analytics.settings.service import put_setting

    with db.transaction() as cur:
        put_setting(cur, name="rca.root_cause_categories", value=["gremlins", "unknown"], actor="admin")
    saved = rca.save_draft(db, actor=SUPERVISOR, incident_id=incident,
                           content=ReviewContent(root_causes=(RootCause("gremlins", "Messaging", "They did it."),)))
    assert saved.status == "draft"
    with pytest.raises(ValidationError, match="'capacity' is not in the taxonomy"):
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident,
                       content=ReviewContent(root_causes=(RootCause("capacity", "Messaging", "x"),)))
