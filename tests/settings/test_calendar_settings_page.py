"""Calendars on the Settings page (AppTest): an admin adds an Italian calendar, closes a day, and a
calendar that cannot measure time is refused in words with nothing written."""
from __future__ import annotations

import json
from datetime import date

from tests.factories import as_shown
from tests.settings.test_settings_page import app_db, button, read, settings_page  # noqa: F401  (fixture)


def test_an_admin_adds_an_italian_calendar_and_closes_a_day(app_db):  # noqa: F811
    at = settings_page()
    listed = next(d for d in at.dataframe if "hours" in d.value.columns)
    labels = {name: c["label"] for name, c in json.loads(listed.proto.columns).items() if name != "_index"}
    assert labels == {"name": "Calendar", "timezone": "Time zone", "hours_per_day": "Business day (h)",
                      "hours": "Opening hours", "holidays": "Public holidays of", "closures": "Closures"}
    listed = listed.value
    assert list(listed["name"]) == ["24/7", "Business hours (Paris)"]
    assert list(listed["hours"]) == ["open 24/7", "Mon 09:00-18:00; Tue 09:00-18:00; Wed 09:00-18:00; "
                                                          "Thu 09:00-18:00; Fri 09:00-18:00"]
    at.text_input(key="settings_calendar_0_name").set_value("Business hours (Milan)")
    at.text_input(key="settings_calendar_0_zone").set_value("Europe/Rome")
    at.text_input(key="settings_calendar_0_country").set_value("it")
    at.text_input(key="settings_calendar_0_4").set_value("09:00-13:00, 14:00-17:00")   # a shorter Friday
    button(at, "Save calendar").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success[0].value == "Calendar Business hours (Milan) saved (#3); the SLA figures are recomputed for it."
    assert read(app_db, "SELECT name, timezone, holiday_country FROM calendars WHERE id = 3") == [
        ("Business hours (Milan)", "Europe/Rome", "IT")]
    assert read(app_db, "SELECT count(*), min(start_time), max(end_time) FROM calendar_hours WHERE calendar_id = 3 "
                        "AND weekday = 4") == [(2, __import__("datetime").time(9), __import__("datetime").time(17))]
    at.selectbox(key="settings_calendar").set_value(3).run()
    at.date_input(key="settings_closure_day_3").set_value(date(2026, 8, 14))
    at.text_input(key="settings_closure_name_3").set_value("Ferragosto bridge")
    button(at, "Save closure").click().run()
    assert not at.exception
    assert at.success[0].value == "Business hours (Milan): 2026-08-14 closed."
    assert read(app_db, "SELECT day, name FROM calendar_closures WHERE calendar_id = 3") == [
        (date(2026, 8, 14), "Ferragosto bridge")]
    assert read(app_db, "SELECT entity FROM audit_log WHERE actor = 'ada@example.com' ORDER BY id") == [
        ("calendar",), ("calendar_closure",)]


def test_a_calendar_that_cannot_measure_time_is_refused_in_words(app_db):  # noqa: F811
    at = settings_page()
    at.text_input(key="settings_calendar_0_name").set_value("Somewhere")
    at.text_input(key="settings_calendar_0_zone").set_value("Europe/Milano")
    button(at, "Save calendar").click().run()
    assert [as_shown(e.value) for e in at.error] == ["'Europe/Milano' is not a known time zone (e.g. Europe/Rome)"]
    at.text_input(key="settings_calendar_0_zone").set_value("Europe/Rome")
    at.text_input(key="settings_calendar_0_1").set_value("9h-18h")
    button(at, "Save calendar").click().run()
    assert [as_shown(e.value) for e in at.error] == ["Tuesday: '9h-18h' is not a span like 09:00-18:00"]
    assert read(app_db, "SELECT count(*) FROM calendars") == [(2,)]
