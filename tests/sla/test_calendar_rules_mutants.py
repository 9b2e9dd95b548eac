"""Calendar rules at their exact bounds, written to kill the mutants mutmut left alive in
``analytics/sla/calendar_edits.py`` and ``analytics/sla/calendars.py`` (README "Tests",
scripts/mutation.py): each limit of a span accepted at the bound and refused one past it, in words."""
from __future__ import annotations

import re
from datetime import time

import pytest

from analytics.sla.calendar_edits import CalendarError, hours_text, parse_hours


@pytest.mark.parametrize("text, spans", [
    (None, []),
    ("", []),
    (" , ,", []),
    ("23:00-24:00", [(time(23), time(23, 59, 59))]),
    ("00:59-23:59", [(time(0, 59), time(23, 59))]),
    ("9:05-18:07", [(time(9, 5), time(18, 7))]),
    ("08:30-12:00,13:00-17:45", [(time(8, 30), time(12)), (time(13), time(17, 45))]),
])
def test_spans_at_their_bounds_are_read(text, spans):
    assert parse_hours(text, 0) == spans


@pytest.mark.parametrize("text", ["24:00-24:00", "23:60-23:59", "09:00-23:60", "09:00-24:01", "09:00-24:30",
                                  "09:00-25:00", "25:00-26:00"])
def test_times_past_their_bounds_are_refused_in_words(text):
    with pytest.raises(CalendarError, match=f"^Thursday: {text!r} is not a time of day$"):
        parse_hours(text, 3)


def test_a_day_that_ends_at_midnight_reads_back_as_24_00():
    assert hours_text(parse_hours("09:00-12:00, 13:00-24:00", 0)) == "09:00-12:00, 13:00-24:00"
    assert hours_text([]) == ""


def test_working_intervals_of_a_week_with_a_closure_a_holiday_and_a_dst_change():
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from analytics.sla.calendars import Calendar, working_intervals

    paris = ZoneInfo("Europe/Paris")
    cal = Calendar(7, "Paris", "Europe/Paris", 8, holiday_country="FR",
                   hours={0: [(time(9), time(12)), (time(13), time(18))], 5: [(time(10), time(10))],
                          6: [(time(9), time(11))]},
                   closures={date(2026, 3, 30), date(2026, 4, 20)})
    # Sunday 29 March 2026: clocks go forward; Monday 30 March closed; Easter Monday 6 April a public holiday
    frame = working_intervals(cal, date(2026, 3, 29), date(2026, 4, 13))
    assert list(frame.columns) == ["calendar_id", "start_s", "end_s", "seconds", "cum_start"]
    spans = [(datetime.fromtimestamp(a, paris), b - a) for a, b in zip(frame["start_s"], frame["end_s"])]
    assert spans == [(datetime(2026, 3, 29, 9, tzinfo=paris), 7200), (datetime(2026, 4, 5, 9, tzinfo=paris), 7200),
                     (datetime(2026, 4, 12, 9, tzinfo=paris), 7200), (datetime(2026, 4, 13, 9, tzinfo=paris), 10800),
                     (datetime(2026, 4, 13, 13, tzinfo=paris), 18000)]
    assert frame["seconds"].tolist() == [7200, 7200, 7200, 10800, 18000]
    assert frame["cum_start"].tolist() == [0, 7200, 14400, 21600, 32400]
    assert frame["calendar_id"].tolist() == [7] * 5
    assert frame.index.tolist() == [0, 1, 2, 3, 4]


def test_closed_days_are_the_closures_and_holidays_between_the_two_dates_inclusive():
    from datetime import date

    from analytics.sla.calendars import Calendar

    cal = Calendar(1, "Rome", "Europe/Rome", 9, holiday_country="IT",
                   closures={date(2025, 12, 31), date(2026, 1, 2), date(2026, 1, 3)})
    assert cal.closed_days(date(2026, 1, 1), date(2026, 1, 6)) == {
        date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 6)}
    assert Calendar(2, "Munich", "Europe/Berlin", 8, holiday_country="DE", holiday_subdiv="BY").closed_days(
        date(2026, 1, 6), date(2026, 1, 6)) == {date(2026, 1, 6)}          # Epiphany: Bavaria only
    assert Calendar(3, "Berlin", "Europe/Berlin", 8, holiday_country="DE").closed_days(
        date(2026, 1, 6), date(2026, 1, 6)) == set()
    assert Calendar(4, "Plain", "UTC", 8).closed_days(date(2026, 1, 1), date(2026, 1, 6)) == set()
    # closures on the first and the last day of the range count (no holiday falls on them to hide it)
    closures_only = Calendar(5, "Closures", "UTC", 8,
                             closures={date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 7)})
    assert closures_only.closed_days(date(2026, 3, 2), date(2026, 3, 6)) == {date(2026, 3, 2), date(2026, 3, 6)}


def test_a_round_the_clock_calendar_is_one_interval_from_1970_to_2100():
    from analytics.sla.calendars import ALWAYS_OPEN_END, ALWAYS_OPEN_START, Calendar, working_intervals

    frame = working_intervals(Calendar(5, "24/7", "UTC", 24, always_open=True))
    assert frame.to_dict("records") == [{"calendar_id": 5, "start_s": ALWAYS_OPEN_START.timestamp(),
                                         "end_s": ALWAYS_OPEN_END.timestamp(), "seconds": 4102444800.0,
                                         "cum_start": 0.0}]


def spec(**change):
    from analytics.sla.calendar_edits import CalendarSpec

    values = {"name": "Business hours (Milan)", "timezone": "Europe/Rome", "hours_per_day": 9, "holiday_country": "IT",
              "hours": {d: [(time(9), time(18))] for d in range(5)}}
    values.update(change)
    return CalendarSpec(**values)


@pytest.mark.parametrize("change, message", [
    ({"name": "  "}, "A calendar needs a name"),
    ({"timezone": "Europe/Milano"}, "'Europe/Milano' is not a known time zone (e.g. Europe/Rome)"),
    ({"hours_per_day": 0}, "A business day lasts more than 0 and at most 24 hours"),
    ({"hours_per_day": 24.01}, "A business day lasts more than 0 and at most 24 hours"),
    ({"holiday_country": "XX"}, "'XX' is not a holiday country the holidays package knows (ISO codes such as FR, IT, "
                                "DE, US)"),
    ({"holiday_subdiv": "ZZ"}, "'ZZ' is not a subdivision of IT (" + ", ".join(
        __import__("holidays").list_supported_countries()["IT"][:12]) + ")"),
    ({"holiday_country": "AW", "holiday_subdiv": "ZZ"}, "'ZZ' is not a subdivision of AW (it has none)"),
    ({"holiday_country": None, "holiday_subdiv": "BY"}, "A holiday subdivision needs its country"),
    ({"hours": {1: [(time(9), time(9))]}}, "Tuesday: 09:00 must come before 09:00"),
    ({"hours": {6: [(time(13), time(18)), (time(9), time(13, 1))]}}, "Sunday: the spans overlap at 13:00"),
    ({"hours": {0: []}}, "A calendar that is not open 24/7 needs opening hours on at least one day"),
])
def test_a_calendar_that_cannot_measure_time_is_refused_word_for_word(change, message):
    from analytics.sla.calendar_edits import check_spec

    with pytest.raises(CalendarError, match="^" + re.escape(message) + "$"):
        check_spec(spec(**change))


@pytest.mark.parametrize("change", [
    {"hours_per_day": 24}, {"hours_per_day": 0.5}, {"holiday_country": None}, {"holiday_subdiv": "MI"},
    {"hours": {2: [(time(9), time(13)), (time(13), time(18))]}},          # touching spans do not overlap
    {"always_open": True, "hours": {}},
])
def test_calendars_at_the_bounds_are_accepted(change):
    from analytics.sla.calendar_edits import check_spec

    check_spec(spec(**change))


def test_saving_and_closing_days_refuse_in_words_and_record_what_changed(db):
    import json
    from datetime import date

    from analytics.kernel.roles import system_actor
    from analytics.sla.calendar_edits import change_closure, save_calendar
    from analytics.sla.calendars import load_calendars

    admin = system_actor("admin-test")
    new = save_calendar(db, actor=admin, calendar_id=None, spec=spec(name="  Milan  ", holiday_country=" it ",
                                                                     holiday_subdiv=" mi "))
    assert new == 3
    milan = next(c for c in load_calendars(db) if c.id == new)
    assert (milan.name, milan.holiday_country, milan.holiday_subdiv, milan.hours_per_day) == ("Milan", "IT", "MI", 9)
    assert save_calendar(db, actor=admin, calendar_id=new, spec=spec(name="Milan", holiday_subdiv="MI")) == new
    rows = db.rows("SELECT action, entity, entity_id, before, after FROM audit_log ORDER BY id")
    assert [r[:3] for r in rows] == [("create", "calendar", "3")]              # unchanged: nothing written
    assert json.loads(rows[0][4]) == {"name": "Milan", "timezone": "Europe/Rome", "hours_per_day": 9.0,
                                      "holiday_country": "IT", "holiday_subdiv": "MI", "always_open": False,
                                      "hours": {d: "09:00-18:00" for d in
                                                ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")}}
    refusals = [
        (lambda: save_calendar(db, actor=admin, calendar_id=9, spec=spec()), "There is no calendar with id 9"),
        (lambda: save_calendar(db, actor=admin, calendar_id=new, spec=spec(name="24/7")),
         "There is already a calendar named '24/7'"),
        (lambda: change_closure(db, actor=admin, calendar_id=9, day=date(2026, 5, 4), name="x"),
         "There is no calendar with id 9"),
        (lambda: change_closure(db, actor=admin, calendar_id=new, day=date(2026, 5, 4), name=" "),
         "A closure needs a name (e.g. 'Company day')"),
        (lambda: change_closure(db, actor=admin, calendar_id=new, day=date(2026, 5, 4), remove=True),
         "2026-05-04 is not a closure of this calendar"),
    ]
    for attempt, message in refusals:
        with pytest.raises(CalendarError, match="^" + re.escape(message) + "$"):
            attempt()
    change_closure(db, actor=admin, calendar_id=new, day=date(2026, 5, 4), name=" Inventory ")
    with pytest.raises(CalendarError, match="^" + re.escape("2026-05-04 is already closed (Inventory)") + "$"):
        change_closure(db, actor=admin, calendar_id=new, day=date(2026, 5, 4), name="Again")
    change_closure(db, actor=admin, calendar_id=new, day=date(2026, 5, 4), remove=True)
    rows = db.rows("SELECT action, entity, entity_id, before, after FROM audit_log ORDER BY id")[1:]
    assert [(r[0], r[1], r[2], r[3] and json.loads(r[3]), r[4] and json.loads(r[4])) for r in rows] == [
        ("change", "calendar_closure", "3/2026-05-04", None, {"name": "Inventory"}),
        ("change", "calendar_closure", "3/2026-05-04", {"name": "Inventory"}, None)]
    assert db.rows("SELECT count(*) FROM calendar_closures") == [(0,)]


def test_only_an_admin_may_change_a_calendar_or_its_closures(db):
    from datetime import date

    from analytics.kernel.roles import Actor, PermissionDenied
    from analytics.sla.calendar_edits import change_closure, save_calendar

    manager = Actor("Mia", "mia@example.test", frozenset({"manager"}))
    refused = "Only a admin may change a calendar; you are signed in as "
    for attempt in (lambda actor: save_calendar(db, actor=actor, calendar_id=None, spec=spec()),
                    lambda actor: change_closure(db, actor=actor, calendar_id=1, day=date(2026, 5, 4), name="x")):
        with pytest.raises(PermissionDenied, match="^" + re.escape(refused)):
            attempt(manager)
        with pytest.raises(PermissionDenied, match="^" + re.escape("You must be signed in to change a calendar.") + "$"):
            attempt(None)
    assert db.rows("SELECT count(*) FROM calendars") == [(2,)]
    assert db.rows("SELECT count(*) FROM calendar_closures") == [(0,)]


def test_a_closure_given_no_name_is_refused(db):
    from datetime import date

    from analytics.kernel.roles import system_actor
    from analytics.sla.calendar_edits import change_closure

    with pytest.raises(CalendarError, match="^" + re.escape("A closure needs a name (e.g. 'Company day')") + "$"):
        change_closure(db, actor=system_actor("admin-test"), calendar_id=1, day=date(2026, 5, 4))
    assert db.rows("SELECT count(*) FROM calendar_closures") == [(0,)]


def test_rebuilding_the_intervals_returns_the_number_of_rows_written(db):
    from analytics.sla.calendars import load_calendars, rebuild_intervals

    written = db.write(rebuild_intervals, load_calendars(db))
    assert written == db.scalar("SELECT count(*) FROM calendar_intervals")
    assert written > 0


def test_rebuilding_the_intervals_lets_go_of_each_calendar_s_frame(db):
    """Each calendar's intervals are handed to the store as a registered frame; the rebuild unregisters it, so no
    copy of the intervals stays held by the cursor (and no later query can read a stale one)."""
    from analytics.sla.calendars import load_calendars, rebuild_intervals
    from analytics.store.errors import QueryFailed

    def rebuild_then_read_the_frame(cur, calendars):
        rebuild_intervals(cur, calendars)
        with pytest.raises(QueryFailed, match="new_intervals does not exist"):
            cur.execute("SELECT count(*) FROM new_intervals")
        return True

    assert db.write(rebuild_then_read_the_frame, load_calendars(db)) is True


def test_a_calendar_is_stored_and_audited_as_given_then_as_changed(db):
    """An always-open calendar without a holiday country is stored so (no country, open 24/7), its creation audited
    with what it is; a change is audited as a change, with what it was before and what it is after."""
    import json

    from analytics.kernel.roles import system_actor
    from analytics.sla.calendar_edits import CalendarSpec, save_calendar
    from analytics.sla.calendars import load_calendars

    admin = system_actor("admin-test")
    spec = CalendarSpec(name="Follow the sun", timezone="UTC", hours_per_day=24, holiday_country="  ",
                        always_open=True)
    calendar_id = save_calendar(db, actor=admin, calendar_id=None, spec=spec)
    stored = next(c for c in load_calendars(db) if c.id == calendar_id)
    assert (stored.always_open, stored.holiday_country, stored.holiday_subdiv) == (True, None, None)
    created = {"name": "Follow the sun", "timezone": "UTC", "hours_per_day": 24.0, "holiday_country": None,
               "holiday_subdiv": None, "always_open": True, "hours": {}}
    save_calendar(db, actor=admin, calendar_id=calendar_id,
                  spec=CalendarSpec(name="Follow the sun (UTC)", timezone="UTC", hours_per_day=24, always_open=True))
    rows = db.rows("SELECT action, entity_id, before, after FROM audit_log WHERE entity = 'calendar' ORDER BY id")
    assert [(action, entity_id) for action, entity_id, _, _ in rows] == [("create", str(calendar_id)),
                                                                        ("change", str(calendar_id))]
    assert rows[0][2] is None and json.loads(rows[0][3]) == created
    assert json.loads(rows[1][2]) == created
    assert json.loads(rows[1][3]) == {**created, "name": "Follow the sun (UTC)"}
