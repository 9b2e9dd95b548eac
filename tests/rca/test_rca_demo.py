"""The demo RCAs: most resolved incidents have one, in every state, with recurring causes and overdue actions."""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from analytics.domains import build_demo, demo_extensions, open_store
from analytics.rca import demo as rca_demo
from analytics.rca.document import build_document
from analytics.rca.export import to_markdown
from analytics.rca.stats import RcaFilter, headline, recurrences
from tests.conftest import DEMO_NOW

TABLES = ("rca_reports", "rca_revisions", "rca_root_causes", "rca_timeline", "rca_action_items", "rca_requests")


def test_registered_after_the_incidents():
    from analytics.incidents.domain import generate_demo as incidents_demo
    from analytics.rca.domain import generate_demo as rca_demo

    assert demo_extensions().index(rca_demo) > demo_extensions().index(incidents_demo)


def test_demo_rcas(demo_db_path):
    db = open_store(demo_db_path, read_only=True)
    try:
        resolved = db.scalar("SELECT count(*) FROM incidents WHERE resolved_at IS NOT NULL "
                             "AND status IN ('resolved', 'post_mortem', 'closed')")
        statuses = dict(db.rows("SELECT status, count(*) FROM rca_current GROUP BY status"))
        # exact: the demo is deterministic (seed 11, 3,000 tickets, 12 companies, ending DEMO_NOW; the same
        # figures from two builds, and from a build with the machine's clock moved to June 2027)
        assert (resolved, db.table_count("rca_reports")) == (28, 26)  # most resolved incidents have an RCA
        assert statuses == {"published": 23, "in_review": 1, "draft": 2}
        figures = headline(db, RcaFilter(), as_of=DEMO_NOW)
        assert figures == {"resolved_incidents": 28, "published": 24, "in_progress": 2, "overdue": 3,
                           "median_days_to_publish": 8.7, "recurring": 8, "actions": 34, "actions_done": 25,
                           "completion_pct": 73.5, "actions_overdue": 9, "actions_done_on_time": 19}
        spots = recurrences(db, RcaFilter(), as_of=DEMO_NOW)
        assert {("capacity", "EDI Gateway"), ("change/deployment", "Messaging")} <= set(
            zip(spots["category"], spots["platform"]))
        assert db.scalar("SELECT count(*) FROM rca_revisions WHERE superseded_at IS NOT NULL") == 2
        assert db.scalar("SELECT count(*) FROM rca_revisions WHERE status = 'published' AND action_snapshot IS NULL") == 0
        assert db.scalar("SELECT count(*) FROM rca_requests WHERE delivered_at IS NOT NULL") == 15
        assert db.scalar("SELECT count(*) FROM rca_requests q JOIN rca_published p USING (incident_id) "
                         "WHERE q.delivered_at < p.first_published_at") == 0
        incident_id = db.scalar("SELECT incident_id FROM rca_published ORDER BY incident_id LIMIT 1")
        owners = set(rca_demo.OWNERS)
        markdown = to_markdown(build_document(db, incident_id=incident_id, audience="customer"))
        assert "## 4. Root cause" in markdown and not [name for name in owners if name in markdown]
    finally:
        db.close()


def test_nothing_without_incidents(db):
    with db.transaction() as cur:
        rca_demo.generate_demo(cur, np.random.default_rng(1), companies=pd.DataFrame(columns=["id", "name", "weight"]),
                               now=datetime.now(UTC))
    assert sum(db.table_count(t) for t in TABLES) == 0


def test_deterministic(tmp_path):
    frames = []
    for name in ("one", "two"):
        db = open_store(tmp_path / f"{name}.duckdb")
        build_demo(db, tickets=400, seed=5, now=DEMO_NOW, companies=6)
        frames.append([db.query((f"SELECT * EXCLUDE (id) FROM {t}" if t in ("rca_action_items", "rca_requests")
                                 else f"SELECT * FROM {t}") + " ORDER BY ALL") for t in TABLES])  # fixed names
        db.close()
    for left, right in zip(*frames):
        pd.testing.assert_frame_equal(left, right)
