"""The review's validation (table-driven, no database) and the form's table round trip."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from analytics.rca.form import (
    actions_frame,
    actions_from_frame,
    participants_from_text,
    timeline_frame,
    timeline_from_frame,
)
from analytics.rca.rules import ActionItemInput, ReviewContent, RootCause, TimelineEntry, validate_review
from tests.rca.factories import complete_review

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
STARTED = NOW - timedelta(days=3)
CATEGORIES = ["capacity", "network", "unknown"]
PLATFORMS = ["Messaging", "API"]
ACTIONS = (ActionItemInput("Alert on queue depth", "Rachid", date(2026, 12, 1)),)


def check(content: ReviewContent, actions=ACTIONS, *, complete: bool) -> dict[str, str]:
    return validate_review(content.normalized("Europe/Paris"), actions, categories=CATEGORIES, platforms=PLATFORMS,
                           now=NOW, complete=complete)


CASES = [  # (name, change to a complete review, complete?, expected errors)
    ("complete review", {}, True, {}),
    ("category outside the taxonomy", {"root_causes": (RootCause("gremlins", "API", "x"),)}, False,
     {"root_causes": "Root cause 1: 'gremlins' is not in the taxonomy (capacity, network, unknown)."}),
    ("unknown platform", {"root_causes": (RootCause("network", "Mainframe", "x"),)}, False,
     {"root_causes": "Root cause 1: 'Mainframe' is not a known platform."}),
    ("draft root cause without category", {"root_causes": (RootCause("", "API", ""),)}, False, {}),
    ("same, sent for review", {"root_causes": (RootCause("", "API", "x"),)}, True,
     {"root_causes": "Root cause 1: choose a category."}),
    ("event in the future", {"timeline": (TimelineEntry(NOW + timedelta(hours=1), "Later"),)}, False,
     {"timeline": "Line 1: an event cannot be in the future."}),
    ("event without time", {"timeline": (TimelineEntry(None, "Something"),)}, False,
     {"timeline": "Line 1: give the time of the event."}),
    ("nothing visible to customers", {"timeline": (TimelineEntry(STARTED, "Started", customer_visible=False),)},
     True, {"timeline": "Keep at least one timeline line visible to customers."}),
    ("negative tickets", {"tickets": -1}, False, {"tickets": "Enter a whole number of at least 0."}),
    ("missing impact in review", {"impact_minutes": None}, True, {"impact_minutes": "Enter the figure (0 when none)."}),
    ("missing impact in a draft", {"impact_minutes": None}, False, {}),
    ("overlong overview", {"overview": "x" * 10_001}, False, {"overview": "At most 10,000 characters (it has 10,001)."}),
    ("no participants in review", {"participants": ()}, True, {"participants": "List who took part in the analysis."}),
]


@pytest.mark.parametrize("name,change,complete,expected", CASES, ids=[c[0] for c in CASES])
def test_validation(name, change, complete, expected):
    assert check(replace(complete_review(started=STARTED), **change), complete=complete) == expected


@pytest.mark.parametrize("actions,complete,expected", [
    ((), False, {}),
    ((), True, {"action_items": "Plan at least one action against recurrence."}),
    ((ActionItemInput("x", "Rachid", date(2026, 12, 1), "cancelled"),), True,
     {"action_items": "Plan at least one action against recurrence."}),
    ((ActionItemInput("", "Rachid", date(2026, 12, 1)),), False, {"action_items": "Action 1: describe the action."}),
    ((ActionItemInput("x", "", None),), False, {}),
    ((ActionItemInput("x", "Rachid", None),), True, {"action_items": "Action 1: give a due date."}),
    ((ActionItemInput("x", "Rachid", date(2026, 12, 1), "someday"),), False,
     {"action_items": "Action 1: status must be one of open, in progress, done, cancelled."}),
])
def test_action_item_rules(actions, complete, expected):
    assert check(complete_review(started=STARTED), actions, complete=complete) == expected


def test_normalisation_reads_what_a_table_editor_returns():
    content = ReviewContent(participants=(" Ana ", "", "Ana", np.nan), overview="  text  ", tickets=3.0,
                            customers_affected=np.int64(2), impact_minutes=float("nan"),
                            root_causes=(RootCause(None, None, None), RootCause("network", "API", " link ")),
                            timeline=(TimelineEntry(datetime(2026, 11, 17, 14, 0), "Started", np.nan, None, np.True_),
                                      TimelineEntry(None, "", "", "", False)))
    clean = content.normalized("Europe/Paris")
    assert clean.participants == ("Ana",) and clean.overview == "text"
    assert (clean.tickets, clean.customers_affected, clean.impact_minutes) == (3, 2, None)
    assert clean.root_causes == (RootCause("network", "API", "link"),)
    assert clean.timeline == (TimelineEntry(datetime(2026, 11, 17, 13, 0, tzinfo=UTC), "Started", "", "",
                                            True),)


def test_timeline_round_trip_in_local_time():
    entries = (TimelineEntry(datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "Started", "Ana", "note", True),)
    frame = timeline_frame(entries, "Europe/Paris")
    assert frame["occurred_at"].iloc[0] == pd.Timestamp("2026-07-01 12:00")  # CEST wall clock
    back = ReviewContent(timeline=timeline_from_frame(frame)).normalized("Europe/Paris").timeline
    assert back == entries


def test_action_frame_round_trip_keeps_ids_and_adds_new_rows():
    stored = pd.DataFrame({"id": [7], "description": ["Alert"], "owner": ["Ana"], "due_date": [date(2026, 12, 1)],
                           "status": ["open"], "completed_at": [None], "published_in": [None]})
    frame = actions_frame(stored)
    frame.loc[len(frame)] = [pd.NA, "Autoscale", "Bo", date(2026, 12, 15), "open"]
    assert actions_from_frame(frame) == (ActionItemInput("Alert", "Ana", date(2026, 12, 1), "open", 7),
                                         ActionItemInput("Autoscale", "Bo", date(2026, 12, 15), "open", None))


def test_participants_one_per_line_or_comma_separated():
    assert participants_from_text("Ana\n\nBo, Cy \n") == ("Ana", "Bo", "Cy")
