"""Shared fixtures: a fresh migrated database per test, and one small demo database per session."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analytics.domains import build_demo, open_store
from analytics.sla.calendars import ensure_intervals
from tests.store.pg_support import backend_target

DEMO_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    """An empty, migrated database with the default calendars and targets.

    A DuckDB file; a fresh PostgreSQL database with ``VIGIE_TEST_BACKEND=postgres``.
    """
    database = open_store(backend_target(tmp_path / "test.duckdb"))
    ensure_intervals(database)
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory):
    """A small deterministic demo database file (3,000 tickets ending DEMO_NOW)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    database = open_store(path)
    build_demo(database, tickets=3000, seed=11, now=DEMO_NOW, companies=12)
    database.close()
    return path
