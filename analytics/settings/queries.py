"""Reading settings: the value in force (the administrator's override, else the default)."""
from __future__ import annotations

import json
from typing import Any

from analytics.settings.rules import BY_NAME, SETTINGS, SettingError
from analytics.store.database import Database


def get_setting(db: Database, name: str) -> Any:
    """The value in force: the administrator's override, else the default."""
    if name not in BY_NAME:
        raise SettingError(f"Unknown setting {name!r}")
    stored = db.scalar("SELECT value FROM settings WHERE name = ?", [name])
    return BY_NAME[name].default if stored is None else json.loads(stored)


def all_settings(db: Database) -> dict[str, Any]:
    """Every setting with the value in force."""
    stored = dict(db.rows("SELECT name, value FROM settings"))
    return {s.name: json.loads(stored[s.name]) if s.name in stored else s.default for s in SETTINGS}
