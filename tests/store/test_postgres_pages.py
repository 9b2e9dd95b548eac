"""The dashboard on the shared PostgreSQL store (AppTest). The SLA and incident page tests also
run on PostgreSQL in full with ``VIGIE_TEST_BACKEND=postgres`` (scripts/test.sh does)."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.domains import open_store
from tests.store.pg_support import fresh_database_url

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_shared_store_says_how_to_fill_it_and_builds_no_demo(monkeypatch):
    store = fresh_database_url()
    monkeypatch.setenv("VIGIE_DB", store)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warning = " ".join(w.value for w in at.warning)
    assert "holds no tickets yet" in warning and "python -m analytics copy" in warning
    db = open_store(store)
    assert db.scalar("SELECT count(*) FROM tickets") == 0 and db.scalar("SELECT count(*) FROM companies") == 0
    db.close()
