"""The review's rules with their exact messages and bounds, written to kill the mutants mutmut left
alive in ``analytics/rca/rules.py`` (README "Tests", scripts/mutation.py): what an empty review sent for
review lacks, word for word; the limits at, and one past, their bound; table-editor cells cleaned."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from analytics.rca.rules import (
    NAME_MAX,
    TEXT_MAX,
    ActionItemInput,
    ReviewContent,
    clean_date,
    normalized_actions,
    validate_review,
)
from tests.rca.factories import complete_review

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
ACTIONS = (ActionItemInput("Alert on queue depth", "Rachid", date(2026, 12, 1)),)


def check(content: ReviewContent, actions=ACTIONS, *, complete: bool = False) -> dict[str, str]:
    return validate_review(content, actions, categories=["capacity"], platforms=["Messaging"], now=NOW,
                           complete=complete)


def test_an_empty_review_sent_for_review_lists_everything_it_lacks():
    assert check(ReviewContent(), (), complete=True) == {
        "participants": "List who took part in the analysis.",
        "overview": "Write the overview of the incident.",
        "measures_taken": "Say what was done to restore the service.",
        "went_well": "Say what went well in the handling.",
        "went_badly": "Say what went badly in the handling.",
        "failure_causes": "Explain why things failed.",
        "root_causes": "Give at least one root cause.",
        "timeline": "Keep at least one timeline line visible to customers.",
        "action_items": "Plan at least one action against recurrence.",
        "customers_affected": "Enter the figure (0 when none).",
        "impact_minutes": "Enter the figure (0 when none).",
        "tickets": "Enter the figure (0 when none).",
    }


def test_a_complete_review_with_only_cancelled_actions_still_lacks_a_plan():
    content = complete_review(started=datetime(2026, 11, 18, 9, tzinfo=UTC))
    assert check(content, (), complete=True) == {"action_items": "Plan at least one action against recurrence."}
    cancelled = (ActionItemInput("Dropped idea", "Rachid", date(2026, 12, 1), status="cancelled"),)
    assert check(content, cancelled, complete=True) == {"action_items": "Plan at least one action against recurrence."}
    assert check(content, complete=True) == {}


@pytest.mark.parametrize("name", ["overview", "measures_taken", "went_well", "went_badly", "failure_causes",
                                  "contributing_factors", "internal_notes"])
def test_each_text_may_have_exactly_text_max_characters(name):
    assert check(replace(ReviewContent(), **{name: "x" * TEXT_MAX})) == {}
    assert check(replace(ReviewContent(), **{name: "x" * (TEXT_MAX + 1)})) == {
        name: f"At most {TEXT_MAX:,} characters (it has {TEXT_MAX + 1:,})."}


def test_a_participant_name_may_have_exactly_name_max_characters():
    assert check(ReviewContent(participants=("x" * NAME_MAX,))) == {}
    assert check(ReviewContent(participants=("Ann", "x" * (NAME_MAX + 1)))) == {
        "participants": f"A participant's name may have at most {NAME_MAX} characters."}


@pytest.mark.parametrize("value, refused", [(0, False), (1, False), (-1, True), (True, True), ("3", True), (2.5, True)])
def test_figures_are_whole_numbers_of_at_least_zero(value, refused):
    for name in ("customers_affected", "impact_minutes", "tickets"):
        errors = check(replace(ReviewContent(), **{name: value}))
        assert errors == ({name: "Enter a whole number of at least 0."} if refused else {})


@pytest.mark.parametrize("cell, expected", [
    (None, None), (pd.NaT, None), (np.nan, None),
    (pd.Timestamp("2026-12-01 00:00"), date(2026, 12, 1)),
    (datetime(2026, 12, 2, 23, 30), date(2026, 12, 2)),
    (date(2026, 12, 3), date(2026, 12, 3)),
])
def test_clean_date_reads_every_kind_of_cell(cell, expected):
    assert clean_date(cell) == expected
    assert type(clean_date(cell)) is type(expected)


def test_action_rows_are_cleaned_and_blank_rows_dropped():
    rows = (ActionItemInput("  Alert on queue depth ", " Rachid ", pd.Timestamp("2026-12-01"), " ", 7.0),
            ActionItemInput("", "", None, "open", None),                       # blank: dropped
            ActionItemInput(np.nan, None, pd.NaT, None, np.nan),               # blank as pandas gives it
            ActionItemInput("", "Owner only"),
            ActionItemInput("", "", date(2026, 12, 5)),
            ActionItemInput("", "", None, "open", 9),
            ActionItemInput("Done already", "", None, "done", None))
    assert normalized_actions(rows) == (
        ActionItemInput("Alert on queue depth", "Rachid", date(2026, 12, 1), "open", 7),
        ActionItemInput("", "Owner only", None, "open", None),
        ActionItemInput("", "", date(2026, 12, 5), "open", None),
        ActionItemInput("", "", None, "open", 9),
        ActionItemInput("Done already", "", None, "done", None),
    )
    assert type(normalized_actions(rows)[0].item_id) is int


def test_the_limits_of_causes_actions_and_timeline_lines_are_inclusive():
    from analytics.rca.rules import EVENT_MAX, RootCause, TimelineEntry

    assert check(ReviewContent(root_causes=(RootCause("capacity", "Messaging", "x" * TEXT_MAX),))) == {}
    assert check(ReviewContent(root_causes=(RootCause("capacity", "Messaging", "x" * (TEXT_MAX + 1)),))) == {
        "root_causes": f"Root cause 1: at most {TEXT_MAX:,} characters."}
    assert check(ReviewContent(), (ActionItemInput("Act", "x" * NAME_MAX),)) == {}
    assert check(ReviewContent(), (ActionItemInput("Act", "x" * (NAME_MAX + 1)),)) == {
        "action_items": f"Action 1: the owner's name may have at most {NAME_MAX} characters."}
    assert check(ReviewContent(timeline=(TimelineEntry(NOW, "x" * EVENT_MAX),))) == {}
    assert check(ReviewContent(timeline=(TimelineEntry(NOW, "x" * (EVENT_MAX + 1)),))) == {
        "timeline": f"Line 1: the event may have at most {EVENT_MAX} characters."}
    assert check(ReviewContent(timeline=(TimelineEntry(NOW.replace(microsecond=1), "Later"),))) == {
        "timeline": "Line 1: an event cannot be in the future."}


def test_normalizing_reads_the_cells_a_table_editor_gives():
    from analytics.rca.rules import RootCause, TimelineEntry

    early, late = datetime(2026, 11, 18, 9, tzinfo=UTC), datetime(2026, 11, 18, 10, tzinfo=UTC)
    content = ReviewContent(
        customers_affected=3.0, impact_minutes=np.int64(90), tickets=2.0,
        root_causes=(RootCause("", "Messaging", ""), RootCause("capacity", "", ""), RootCause("", "", "Why"),
                     RootCause(np.nan, None, " ")),
        timeline=(TimelineEntry(None, "Undated"), TimelineEntry(late, "Second", customer_visible=np.nan),
                  TimelineEntry(early, "First", customer_visible=None), TimelineEntry(None, "", "", " "))
    ).normalized("Europe/Paris")
    assert (content.customers_affected, content.impact_minutes, content.tickets) == (3, 90, 2)
    assert [type(v) for v in (content.customers_affected, content.impact_minutes, content.tickets)] == [int] * 3
    assert content.root_causes == (RootCause("", "Messaging", ""), RootCause("capacity", "", ""), RootCause("", "", "Why"))
    assert content.timeline == (TimelineEntry(early, "First", customer_visible=False),
                                TimelineEntry(late, "Second", customer_visible=False),
                                TimelineEntry(None, "Undated", customer_visible=True))
    assert check(content) == {"timeline": "Line 3: give the time of the event."}


def test_missing_and_clean_text_know_every_empty_cell():
    from analytics.rca.rules import clean_text, missing

    assert [missing(v) for v in (None, pd.NaT, pd.NA, np.nan, "", "x", 0, False, date(2026, 1, 1))] == [
        True, True, True, True, False, False, False, False, False]
    assert [clean_text(v) for v in (None, pd.NA, np.nan, " x ", 5, 2.5)] == ["", "", "", "x", "5", "2.5"]
