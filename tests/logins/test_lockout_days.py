"""Local days computed by integer arithmetic agree with DuckDB's own time-zone conversion."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from analytics.logins.days import local_day_sql, offset_changes

START, END = datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)


@pytest.mark.parametrize("tz,changes", [
    ("Europe/Paris", 4), ("America/St_Johns", 4), ("Australia/Lord_Howe", 4),  # 30-minute DST
    ("Asia/Kathmandu", 0), ("UTC", 0), ("America/Sao_Paulo", 0),
])
def test_local_day_matches_the_time_zone_conversion(db, tz, changes):
    first, found = offset_changes(tz, START, END)
    assert len(found) == changes
    day, params = local_day_sql("occurred_at", tz, START, END)
    mismatches = db.scalar(
        f"SELECT count(*) FILTER (WHERE {day} <> timezone($zone, occurred_at)::DATE) FROM ("
        "SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' + INTERVAL (i * 7) MINUTE AS occurred_at "
        "FROM range(0, 150000) t(i))",
        {**params, "zone": tz})
    assert mismatches == 0


def test_paris_changes_are_at_01_00_utc():
    first, changes = offset_changes("Europe/Paris", START, END)
    assert first == 3600 * 10**6
    assert [datetime.fromtimestamp(t / 10**6, UTC).strftime("%Y-%m-%d %H:%M") for t, _ in changes] == [
        "2025-03-30 01:00", "2025-10-26 01:00", "2026-03-29 01:00", "2026-10-25 01:00"]
    assert [o // 10**6 for _, o in changes] == [7200, 3600, 7200, 3600]


def test_identifiers_only():
    with pytest.raises(ValueError, match=re.escape(
            "'ts; DROP TABLE x' is not an allowed name here (allowed: e.occurred_at, occurred_at)")):
        local_day_sql("ts; DROP TABLE x", "UTC", START, END)
