"""Calendar rules at their exact bounds, written to kill the mutants mutmut left alive in
``analytics/sla/calendar_edits.py`` and ``analytics/sla/calendars.py`` (README "Tests",
scripts/mutation.py): each limit of a span accepted at the bound and refused one past it, in words."""
from __future__ import annotations

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
