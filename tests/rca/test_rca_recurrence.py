"""Recurrence detection, table-driven: the same category on the same platform again within 90 days."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.rca import service as rca
from analytics.rca.rules import ReviewContent, RootCause
from analytics.rca.stats import RcaFilter, rca_list, recurrences
from tests.factories import paris
from tests.rca.factories import SUPERVISOR, resolved_incident

BASE = paris(2025, 1, 6, 11, 0)  # 90 local days later crosses the switch to summer time
AS_OF = datetime(2025, 12, 31, tzinfo=UTC)

CASES = [  # (name, incidents as (local day offset, [(category, platform), ...]), expected (later, earlier, category))
    ("same cause 30 days later", [(0, [("capacity", "API")]), (30, [("capacity", "API")])], {(1, 0, "capacity")}),
    ("exactly 90 calendar days", [(0, [("network", "API")]), (90, [("network", "API")])], {(1, 0, "network")}),
    ("91 days is too late", [(0, [("network", "API")]), (91, [("network", "API")])], set()),
    ("same category, other platform", [(0, [("capacity", "API")]), (10, [("capacity", "Messaging")])], set()),
    ("same platform, other category", [(0, [("capacity", "API")]), (10, [("network", "API")])], set()),
    ("a chain links each to the one before", [(0, [("capacity", "API")]), (50, [("capacity", "API")]),
                                              (100, [("capacity", "API")])], {(1, 0, "capacity"), (2, 1, "capacity")}),
    ("only the matching cause of several", [(0, [("capacity", "API"), ("network", "API")]),
                                            (10, [("network", "API")])], {(1, 0, "network")}),
    ("two causes of one incident never match each other", [(0, [("capacity", "API"), ("capacity", "API")])], set()),
    ("order is by start, not by declaration", [(40, [("capacity", "API")]), (0, [("capacity", "API")])],
     {(0, 1, "capacity")}),
    ("an RCA without category is ignored", [(0, [("", "API")]), (5, [("", "API")])], set()),
]


@pytest.mark.parametrize("name,incidents,expected", CASES, ids=[c[0] for c in CASES])
def test_recurrence(db, name, incidents, expected):
    references = []
    for offset, causes in incidents:
        started = BASE + timedelta(days=offset)  # same local wall-clock time, whatever the DST offset
        incident_id = resolved_incident(db, started=started, tickets=0, platform=causes[0][1])
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id,
                       content=ReviewContent(root_causes=tuple(RootCause(c, p, "cause") for c, p in causes)))
        references.append(db.scalar("SELECT reference FROM incidents WHERE id = ?", [incident_id]))
    found = recurrences(db, RcaFilter(), as_of=AS_OF)
    assert {(references.index(r.reference), references.index(r.previous_reference), r.category)
            for r in found.itertuples()} == expected
    flagged = rca_list(db, RcaFilter(), as_of=AS_OF).set_index("reference")["recurrence"]
    assert {references.index(ref) for ref, flag in flagged.items() if flag} == {later for later, _, _ in expected}


def test_recurrence_window_is_a_setting(db):
    from analytics.settings.service import put_setting

    for offset in (0, 20):
        incident_id = resolved_incident(db, started=BASE + timedelta(days=offset), tickets=0, platform="API")
        rca.save_draft(db, actor=SUPERVISOR, incident_id=incident_id,
                       content=ReviewContent(root_causes=(RootCause("capacity", "API", "x"),)))
    assert len(recurrences(db, RcaFilter(), as_of=AS_OF)) == 1
    with db.transaction() as cur:
        put_setting(cur, name="rca.recurrence_days", value=14, actor="admin")
    assert recurrences(db, RcaFilter(), as_of=AS_OF).empty
