"""Reading settings: the value in force (the administrator's override, else the default).

A stored override that the rules refuse today (written before a range existed, or by hand in
the database) is not used: the default is in force, and a warning is logged, so no page breaks
on it.
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from analytics.settings.rules import BY_NAME, SETTINGS, SettingError, check_value
from analytics.store.database import Database

log = logging.getLogger(__name__)
DEFAULT_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


def earliest_accepted(db: Database) -> datetime:
    """The earliest plausible ticket time: the setting ``imports.earliest_date``, at midnight UTC."""
    return datetime.fromisoformat(get_setting(db, "imports.earliest_date")).replace(tzinfo=UTC)


def get_setting(db: Database, name: str) -> Any:
    """The value in force: the administrator's override, else the default."""
    if name not in BY_NAME:
        raise SettingError(f"Unknown setting {name!r}")
    stored = db.scalar("SELECT value FROM settings WHERE name = ?", [name])
    return BY_NAME[name].default if stored is None else in_force(name, stored)


def all_settings(db: Database) -> dict[str, Any]:
    """Every setting with the value in force."""
    stored = dict(db.rows("SELECT name, value FROM settings"))
    return {s.name: in_force(s.name, stored[s.name]) if s.name in stored else s.default for s in SETTINGS}


def in_force(name: str, stored: str) -> Any:
    """The stored override of ``name`` (JSON), or its default when the rules refuse it."""
    try:
        return check_value(name, json.loads(stored))
    except (SettingError, ValueError) as exc:
        log.warning("setting %s: the stored value is refused (%s); its default is in force", name, exc)
        return BY_NAME[name].default
