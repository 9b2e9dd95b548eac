"""The optional satisfaction score (issue 18, item 6): the canonical column (1-5, empty: not surveyed), its
rejection in words, a file without the column, the Zendesk rating (good = 5, bad = 1, offered: no score),
the counts of the import report, and a row without a score keeping the stored one."""
from __future__ import annotations

import json

import pytest

from analytics.imports.columns import CANONICAL_COLUMNS
from analytics.imports.profiles import get_profile
from analytics.imports.service import import_file, import_tickets
from analytics.kernel.roles import system_actor
from tests.imports.source_exports import ZENDESK_HEADER, write_export, zendesk_row
from tests.imports.test_ticket_import import row, write_csv

ACTOR = system_actor("test")
REASON = "satisfaction must be a whole score from 1 to 5 (empty: not surveyed)"


def scores(db) -> dict:
    return dict(db.rows("SELECT reference, satisfaction FROM tickets ORDER BY reference"))


def test_canonical_scores_valid_empty_and_out_of_range(db, tmp_path):
    values = {"R-1": "5", "R-2": "", "R-3": "1", "R-4": " 4 ", "R-5": "4.0", "R-6": "0", "R-7": "6", "R-8": "great",
              "R-9": "3.5"}
    path = write_csv(tmp_path / "t.csv", [row(reference=ref, satisfaction=v) for ref, v in values.items()])
    report = import_tickets(db, path, actor=ACTOR)
    assert (report.read, report.inserted, report.rejected) == (9, 5, 4)
    assert report.reasons == {REASON: 4}
    assert scores(db) == {"R-1": 5, "R-2": None, "R-3": 1, "R-4": 4, "R-5": 4}
    reasons = [r[0] for r in db.rows("SELECT reason FROM import_rejections ORDER BY line")]
    assert reasons == [f"{REASON}, not '0'", f"{REASON}, not '6'", f"{REASON}, not 'great'", f"{REASON}, not '3.5'"]


def test_a_file_without_the_column_imports_without_a_warning(db, tmp_path):
    columns = [c for c in CANONICAL_COLUMNS if c != "satisfaction"]
    path = write_csv(tmp_path / "t.csv", [{c: v for c, v in row().items() if c in columns}], columns=columns)
    report = import_file(db, path, profile=get_profile("canonical"), actor=ACTOR)
    assert (report.inserted, report.rejected, report.warnings) == (1, 0, [])
    assert scores(db) == {"R-1": None}


def test_a_row_without_a_score_keeps_the_stored_one_and_a_new_score_updates(db, tmp_path):
    import_tickets(db, write_csv(tmp_path / "a.csv", [row(satisfaction="2")]), actor=ACTOR)
    again = import_tickets(db, write_csv(tmp_path / "b.csv", [row(satisfaction="")]), actor=ACTOR)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert scores(db) == {"R-1": 2}
    changed = import_tickets(db, write_csv(tmp_path / "c.csv", [row(satisfaction="5")]), actor=ACTOR)
    assert (changed.updated, changed.unchanged) == (1, 0)
    assert scores(db) == {"R-1": 5}


def zendesk(tmp_path, ratings: dict[int, str]):
    rows = []
    for ticket_id, rating in ratings.items():
        values = zendesk_row(ticket_id, status="Solved", priority="Normal", via="Web form",
                             created="2024-03-04 09:00:00 +0100", solved="2024-03-04 15:00:00 +0100", first_reply="20")
        values[ZENDESK_HEADER.index("Satisfaction Score")] = rating
        rows.append(values)
    return write_export(tmp_path / "zendesk.csv", [ZENDESK_HEADER, *rows])


def test_zendesk_rating_on_the_scale(db, tmp_path):
    path = zendesk(tmp_path, {3001: "Good", 3002: "bad", 3003: "Offered", 3004: "Not Offered", 3005: "unoffered",
                              3006: ""})
    report = import_file(db, path, profile=get_profile("zendesk"), actor=ACTOR)
    assert (report.read, report.inserted, report.rejected, report.warnings) == (6, 6, 0, [])
    assert scores(db) == {"3001": 5, "3002": 1, "3003": None, "3004": None, "3005": None, "3006": None}


def test_zendesk_unknown_rating_is_rejected_in_words(db, tmp_path):
    report = import_file(db, zendesk(tmp_path, {3001: "Good", 3002: "Great"}), profile=get_profile("zendesk"),
                         actor=ACTOR)
    assert (report.inserted, report.rejected, report.reasons) == (1, 1, {REASON: 1})


def test_zendesk_export_without_csat_has_no_warning(db, tmp_path):
    report = import_file(db, zendesk(tmp_path, {3001: "", 3002: ""}), profile=get_profile("zendesk"), actor=ACTOR)
    assert (report.inserted, report.warnings) == (2, [])


def test_a_pushed_canonical_event_carries_the_score(db):
    from analytics.api.intake import IntakeRefused, parse_event
    from analytics.api.intake_batch import apply_event
    base = {"reference": "WEB-1", "company": "Alpha", "channel": "portal", "severity": "2", "status": "resolved",
            "opened_at": "2026-11-16T09:30:00+01:00", "resolved_at": "2026-11-16T10:30:00+01:00"}

    def push(event_id, **ticket):
        body = json.dumps({"event_id": event_id, "ticket": {**base, **ticket}}).encode()
        _, row = parse_event("canonical", {}, body)
        return apply_event(db, source="canonical", event_id=event_id, row=row)

    assert push("e1", satisfaction=4).outcome == "inserted" and scores(db) == {"WEB-1": 4}
    assert push("e2", status="closed").outcome == "updated" and scores(db) == {"WEB-1": 4}   # no score: kept
    with pytest.raises(IntakeRefused, match=r"ticket refused: satisfaction must be a whole score from 1 to 5"):
        push("e3", satisfaction="9")
    assert scores(db) == {"WEB-1": 4}
