"""The audit log: who changed what, when, with the values before and after.

:func:`record` is called by every write function inside the same transaction as
the change, so a change and its audit row commit or roll back together. The app
offers no way to edit or delete audit rows.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from analytics.kernel.sql import identifier
from analytics.store.database import Database

FILTER_COLUMNS = ("entity", "actor", "action")


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def to_json(value: Any) -> str | None:
    """JSON text of a value (dates as ISO 8601), or None."""
    return None if value is None else json.dumps(value, default=_json_default, sort_keys=True)


def record(cur, *, actor, action: str, entity: str, entity_id: Any,
           before: Any = None, after: Any = None) -> None:
    """Write one audit row inside the caller's transaction."""
    cur.execute(
        "INSERT INTO audit_log (occurred_at, actor, action, entity, entity_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [datetime.now(UTC), actor.label, action, entity,
         None if entity_id is None else str(entity_id), to_json(before), to_json(after)],
    )


def record_many(cur, *, actor, action: str, entity: str, rows: list[tuple[Any, Any]]) -> None:
    """Write one audit row per ``(entity_id, after)`` in one statement, inside the caller's transaction."""
    if not rows:
        return
    at = datetime.now(UTC)
    values, params = [], []
    for entity_id, after in rows:
        values.append("(?, ?, ?, ?, ?, NULL, ?)")
        params += [at, actor.label, action, entity, None if entity_id is None else str(entity_id), to_json(after)]
    cur.execute("INSERT INTO audit_log (occurred_at, actor, action, entity, entity_id, before, after) VALUES "
                + ", ".join(values), params)


def load_audit(db: Database, *, entity: str | None = None, actor: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               limit: int = 5000, action: str | None = None) -> pd.DataFrame:
    """Audit rows, newest first, filtered by entity, actor, action and time ([since, until))."""
    return db.query(
        "SELECT id, occurred_at, actor, action, entity, entity_id, before, after FROM audit_log "
        "WHERE (? IS NULL OR entity = ?) AND (? IS NULL OR actor = ?) AND (? IS NULL OR action = ?) "
        "AND (? IS NULL OR occurred_at >= ?) AND (? IS NULL OR occurred_at < ?) ORDER BY occurred_at DESC, id DESC LIMIT ?",
        [entity, entity, actor, actor, action, action, since, since, until, until, limit],
    )


def audit_choices(db: Database) -> dict[str, list[str]]:
    """The distinct entities, actors and actions in the log (for the audit page's filters)."""
    return {column: [r[0] for r in db.rows(f"SELECT DISTINCT {identifier(column, FILTER_COLUMNS)} FROM audit_log "
                                           "ORDER BY 1")]
            for column in FILTER_COLUMNS}
