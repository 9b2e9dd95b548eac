"""Calendars edited as data: an Italian calendar with its holidays measures a ticket on Italian
working days, every change is checked in words, audited, and starts a new version of the rules
whose figures equal the on-read engine's."""
from __future__ import annotations

from datetime import date, time

import pytest

from analytics.settings.service import change_sla_target
from analytics.sla import versions
from analytics.sla.calendar_edits import CalendarError, CalendarSpec, change_closure, parse_hours, save_calendar
from analytics.sla.calendars import load_calendars
from analytics.sla.measures import ON_READ, measures_of
from tests.factories import add_ticket, paris
from tests.sla.test_sla_ledger import assert_ledger_equals_engine

ADMIN = __import__("analytics.kernel.roles", fromlist=["system_actor"]).system_actor("admin-test")
WEEK = {d: [(time(9), time(18))] for d in range(5)}
AS_OF = paris(2025, 1, 15, 12, 0)


def milan() -> CalendarSpec:
    return CalendarSpec(name="Business hours (Milan)", timezone="Europe/Rome", hours_per_day=9, holiday_country="it",
                        hours=dict(WEEK))


def deadline(db, reference: str, version=None):
    frame = measures_of(db, as_of=AS_OF, version=version)
    ticket = db.scalar("SELECT id FROM tickets WHERE reference = ?", [reference])
    row = frame[(frame["ticket_id"] == ticket) & (frame["measure"] == "resolution")].iloc[0]
    return row["deadline"].to_pydatetime()


def test_an_italian_calendar_measures_on_italian_working_days(db):
    # opened on Christmas Eve at 17:00: 3 business days of 9 hours (27 h) for a severity 4 resolution
    add_ticket(db, "IT-1", severity=4, opened=paris(2024, 12, 24, 17, 0))
    # in France only the 25th is a holiday: 1 h on the 24th, 9 h on the 26th and 27th, 8 h on Monday 30th
    assert deadline(db, "IT-1") == paris(2024, 12, 30, 17, 0)
    before = versions.in_force(db).version
    milan_id = save_calendar(db, actor=ADMIN, calendar_id=None, spec=milan())
    change_sla_target(db, actor=ADMIN, severity=4, measure="resolution", target_value=3, target_unit="business_days",
                      calendar_id=milan_id)
    # in Italy the 26th (Santo Stefano) is closed too: the deadline moves to Tuesday 31st at 17:00 (Rome = Paris)
    assert deadline(db, "IT-1") == paris(2024, 12, 31, 17, 0)
    assert deadline(db, "IT-1", version=ON_READ) == paris(2024, 12, 31, 17, 0)
    assert versions.in_force(db).version > before
    assert_ledger_equals_engine(db, as_of=AS_OF)
    stored = next(c for c in load_calendars(db) if c.id == milan_id)
    assert (stored.timezone, stored.holiday_country, stored.hours[0]) == ("Europe/Rome", "IT", [(time(9), time(18))])
    assert db.rows("SELECT action, entity, entity_id FROM audit_log WHERE entity = 'calendar'") == [
        ("create", "calendar", str(milan_id))]


def test_a_closure_and_changed_hours_move_the_deadline_and_are_audited(db):
    add_ticket(db, "IT-2", severity=4, opened=paris(2025, 1, 6, 9, 0))        # Epiphany: closed in Italy
    milan_id = save_calendar(db, actor=ADMIN, calendar_id=None, spec=milan())
    change_sla_target(db, actor=ADMIN, severity=4, measure="resolution", target_value=3, target_unit="business_days",
                      calendar_id=milan_id)
    assert deadline(db, "IT-2") == paris(2025, 1, 9, 18, 0)                   # 7, 8, 9 January
    change_closure(db, actor=ADMIN, calendar_id=milan_id, day=date(2025, 1, 8), name="Inventory day")
    assert deadline(db, "IT-2") == paris(2025, 1, 10, 18, 0)
    spec = milan()
    spec.hours = {d: [(time(9), time(13)), (time(14), time(19))] for d in range(5)}   # same 9 hours, later
    save_calendar(db, actor=ADMIN, calendar_id=milan_id, spec=spec)
    assert deadline(db, "IT-2") == paris(2025, 1, 10, 19, 0)
    change_closure(db, actor=ADMIN, calendar_id=milan_id, day=date(2025, 1, 8), remove=True)
    assert deadline(db, "IT-2") == paris(2025, 1, 9, 19, 0)
    assert_ledger_equals_engine(db, as_of=AS_OF)
    assert [r[0] for r in db.rows("SELECT entity FROM audit_log WHERE entity LIKE 'calendar%' ORDER BY id")] == [
        "calendar", "calendar_closure", "calendar", "calendar_closure"]


@pytest.mark.parametrize("change,message", [
    (lambda s: setattr(s, "timezone", "Europe/Milano"), "'Europe/Milano' is not a known time zone"),
    (lambda s: setattr(s, "holiday_country", "XX"), "'XX' is not a holiday country the holidays package knows"),
    (lambda s: setattr(s, "holiday_subdiv", "ZZ"), "'ZZ' is not a subdivision of IT"),
    (lambda s: setattr(s, "hours_per_day", 25), "A business day lasts more than 0 and at most 24 hours"),
    (lambda s: setattr(s, "hours", {0: [(time(18), time(9))]}), "Monday: 18:00 must come before 09:00"),
    (lambda s: setattr(s, "hours", {2: [(time(9), time(13)), (time(12), time(18))]}),
     "Wednesday: the spans overlap at 12:00"),
    (lambda s: setattr(s, "hours", {}), "needs opening hours on at least one day"),
    (lambda s: setattr(s, "name", "24/7"), "There is already a calendar named '24/7'"),
])
def test_a_calendar_that_cannot_measure_time_is_refused_in_words(db, change, message):
    spec = milan()
    change(spec)
    with pytest.raises(CalendarError, match=message.replace("(", r"\(")):
        save_calendar(db, actor=ADMIN, calendar_id=None, spec=spec)
    assert db.scalar("SELECT count(*) FROM calendars") == 2


def test_hours_are_typed_as_spans():
    assert parse_hours("09:00-12:00, 13:30-18:00", 0) == [(time(9), time(12)), (time(13, 30), time(18))]
    assert parse_hours("  ", 5) == []
    assert parse_hours("00:00-24:00", 6) == [(time(0), time(23, 59, 59))]
    with pytest.raises(CalendarError, match="Tuesday: '9h-18h' is not a span like 09:00-18:00"):
        parse_hours("9h-18h", 1)
    with pytest.raises(CalendarError, match="Friday: '09:00-25:00' is not a time of day"):
        parse_hours("09:00-25:00", 4)
