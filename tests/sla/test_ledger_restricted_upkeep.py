"""The ledger's upkeep after an import reads only the imported tickets, with pause statuses set, and still
gives exactly the on-read engine's figures: for the tickets written (their status events included) and for
the others, whose rows it must leave as they were."""
from __future__ import annotations

import json

from analytics.api.intake import parse_event
from analytics.api.intake_batch import apply_events
from analytics.settings.service import put_setting
from analytics.sla.calendars import ensure_intervals
from tests.factories import paris
from tests.sla.test_sla_ledger import assert_ledger_equals_engine, some_tickets, status_event


def pushed(event_id: str, **ticket) -> tuple[str, str, dict]:
    body = json.dumps({"event_id": event_id, "ticket": ticket}).encode()
    return ("canonical", *parse_event("canonical", {}, body))


def test_an_import_of_some_tickets_with_pause_statuses_keeps_every_ticket_equal_to_the_engine(db):
    ensure_intervals(db)
    some_tickets(db)
    status_event(db, "L-01", paris(2026, 6, 1, 12, 0), "Awaiting customer")   # paused, and not in the import
    status_event(db, "L-01", paris(2026, 6, 2, 11, 0), "In progress")
    status_event(db, "L-06", paris(2026, 6, 3, 10, 0), "Awaiting customer")   # paused, and resolved later by the import
    status_event(db, "L-06", paris(2026, 6, 3, 15, 0), "In progress")
    db.write(lambda cur: put_setting(cur, name="sla.pause_statuses", value=["Awaiting customer"], actor="t"))
    before = db.query("SELECT ticket_id, measure, paused_s, deadline FROM sla_ledger l JOIN tickets t ON t.id = l.ticket_id "
                      "WHERE t.reference = 'L-01' AND version = (SELECT max(version) FROM sla_versions) ORDER BY ALL")
    assert before["paused_s"].fillna(0).max() > 0   # the pause counted for the ticket left out of the import
    results = apply_events(db, [
        pushed("e1", reference="L-03", company="Beta", channel="portal", severity="4", status="Awaiting customer",
               team="Service desk", opened_at="2026-06-01T22:00:00+02:00"),
        pushed("e3", reference="L-06", company="Alpha", channel="phone", severity="3", status="resolved",
               team="Service desk", opened_at="2026-06-03T04:00:00+02:00", resolved_at="2026-06-04T12:00:00+02:00"),
        pushed("e2", reference="N-1", company="Alpha", channel="email", severity="2", status="resolved",
               team="Service desk", opened_at="2026-06-03T09:00:00+02:00",
               first_response_at="2026-06-03T09:30:00+02:00", resolved_at="2026-06-03T15:00:00+02:00"),
    ])
    assert [r.outcome for r in results] == ["updated", "updated", "inserted"]
    assert db.rows("SELECT e.from_value, e.to_value FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                   "WHERE t.reference = 'L-03' AND e.kind = 'status'") == [("resolved", "awaiting customer")]   # reopened
    after = db.query("SELECT ticket_id, measure, paused_s, deadline FROM sla_ledger l JOIN tickets t ON t.id = l.ticket_id "
                     "WHERE t.reference = 'L-01' AND version = (SELECT max(version) FROM sla_versions) ORDER BY ALL")
    assert after.equals(before)
    assert db.scalar("SELECT paused_s FROM sla_ledger l JOIN tickets t ON t.id = l.ticket_id WHERE t.reference = 'L-06' "
                     "AND l.measure = 'resolution' AND version = (SELECT max(version) FROM sla_versions)") == 5 * 3600
    assert db.scalar("SELECT count(*) FROM sla_ledger WHERE version = (SELECT max(version) FROM sla_versions)") == \
        2 * db.scalar("SELECT count(*) FROM tickets")
    assert_ledger_equals_engine(db)
    assert_ledger_equals_engine(db, as_of=paris(2026, 12, 31, 12, 0))
