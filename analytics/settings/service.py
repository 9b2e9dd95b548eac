"""The administrator's writes to the rules: settings and SLA targets, role-checked and audited.

:func:`change_setting`, :func:`reset_setting` and :func:`change_sla_target` each check the
actor's role at the moment of writing (a page reached by URL or a replayed request cannot
write), validate the value (a refusal names the setting and the rule), and store the change
together with its audit row (before and after) in one transaction. The SLA engine computes on
read, so a changed target re-evaluates history the next time a figure is read.
"""
from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from analytics.access.rules import check_role_map
from analytics.audit import service as audit
from analytics.kernel.roles import ADMIN, Actor, require_role
from analytics.settings.queries import get_setting, in_force
from analytics.settings.rules import BY_NAME, SETTINGS, SettingError, check_value
from analytics.store.database import Database

TARGET_UNITS = ("minutes", "hours", "business_days")
MEASURES = ("response", "resolution")
NOTIFY_PAIR = ("incident.notify_target_minutes", "incident.notify_deadline_minutes")
TEXT_LISTS = ("escalation.chain", "rca.root_cause_categories", "lockout.trusted_zone")


@dataclass(frozen=True)
class Change:
    """One change as it was audited: what, and the values before and after."""

    entity: str
    entity_id: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


# -- reading -------------------------------------------------------------------------
def display_value(value: Any) -> str:
    """A setting value as an administrator reads and types it (JSON for lists and objects)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def settings_table(db: Database) -> pd.DataFrame:
    """Every setting: name, value in force, default, whether overridden, by whom and when, help."""
    stored = {name: (value, at, by) for name, value, at, by in
              db.rows("SELECT name, value, updated_at, updated_by FROM settings")}
    rows = []
    for s in SETTINGS:
        value, at, by = stored.get(s.name, (None, None, None))
        rows.append({"name": s.name, "value": display_value(s.default if value is None else in_force(s.name, value)),
                     "default": display_value(s.default), "allowed": s.range_text(), "overridden": value is not None,
                     "updated_at": at, "updated_by": by, "help": s.help})
    return pd.DataFrame(rows)


def sla_targets_table(db: Database) -> pd.DataFrame:
    """The SLA targets with their calendar's name, by severity and measure."""
    return db.query(
        "SELECT s.severity, s.measure, s.target_value, s.target_unit, s.calendar_id, c.name AS calendar_name "
        "FROM sla_targets s JOIN calendars c ON c.id = s.calendar_id ORDER BY s.severity, s.measure DESC")


def calendar_choices(db: Database) -> dict[int, str]:
    """Calendar id -> name, for the SLA target form."""
    return dict(db.rows("SELECT id, name FROM calendars ORDER BY id"))


# -- validation ----------------------------------------------------------------------
def parse_setting_input(name: str, text: str) -> Any:
    """Turn what an administrator typed into a value of the setting's type (JSON for lists/objects)."""
    if name not in BY_NAME:
        raise SettingError(f"Unknown setting {name!r}")
    default, text = BY_NAME[name].default, text.strip()
    if isinstance(default, bool):
        if text.lower() not in ("true", "false"):
            raise SettingError(f"{name} must be true or false")
        return text.lower() == "true"
    if isinstance(default, (int, float)):
        setting = BY_NAME[name]
        try:
            number = float(text)
        except ValueError:
            raise SettingError(f"{name} must be {setting.range_text()}, not {text[:40]!r}") from None
        return check_value(name, number)
    if isinstance(default, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        kind = "a list" if isinstance(default, list) else "an object"
        raise SettingError(f"{name} must be {kind} in JSON ({exc.msg} at character {exc.pos})") from None


def validate_setting(db: Database, name: str, value: Any) -> Any:
    """The value to store, or SettingError saying which rule it breaks."""
    value = check_value(name, value)  # type, and a number's range
    if name in NOTIFY_PAIR:
        target = value if name == NOTIFY_PAIR[0] else get_setting(db, NOTIFY_PAIR[0])
        deadline = value if name == NOTIFY_PAIR[1] else get_setting(db, NOTIFY_PAIR[1])
        if target > deadline:
            raise SettingError(f"{name}: the notification target ({target:g} min) cannot be after its deadline "
                               f"({deadline:g} min)")
    if name in TEXT_LISTS and (not value or not all(isinstance(v, str) and v.strip() for v in value)):
        raise SettingError(f"{name} must be a non-empty list of non-empty texts")
    if name == "lockout.trusted_zone":
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise SettingError(f"{name}: {cidr!r} is not an IP range such as 10.0.0.0/8") from None
    if name == "auth.role_map":
        try:
            check_role_map(value)
        except ValueError as exc:
            raise SettingError(f"{name}: {exc}") from None
    if name == "auth.roles_claim" and not value.strip():
        raise SettingError(f"{name} must name a claim, such as groups")
    if name == "imports.earliest_date":
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise SettingError(f"{name} must be a date such as 1990-01-01, not {value[:40]!r}") from None
        if not date(1900, 1, 1) <= day <= datetime.now(UTC).date():
            raise SettingError(f"{name} must be a date from 1900-01-01 to today")
        value = day.isoformat()
    if name == "support.phone_hours_calendar" and value not in calendar_choices(db).values():
        raise SettingError(f"{name} must name a calendar: {', '.join(calendar_choices(db).values())}")
    return value


# -- writing -------------------------------------------------------------------------
def change_setting(db: Database, *, actor: Actor | None, name: str, value: Any) -> Change:
    """Set one setting (admin only), audited with its values before and after; no-op when unchanged."""
    require_role(actor, ADMIN, action=f"change the setting {name}")
    value = validate_setting(db, name, value)

    def work(cur) -> Change:
        row = cur.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchone()
        current = json.loads(row[0]) if row else BY_NAME[name].default
        if current == value and type(current) is type(value):
            return Change("setting", name, current, value)
        before, after = put_setting(cur, name=name, value=value, actor=actor.label)
        audit.record(cur, actor=actor, action="change", entity="setting", entity_id=name, before=before, after=after)
        return Change("setting", name, before, after)

    return db.write(work)


def reset_setting(db: Database, *, actor: Actor | None, name: str) -> Change:
    """Drop the administrator's override so the default is in force again (admin only, audited)."""
    require_role(actor, ADMIN, action=f"reset the setting {name}")
    if name not in BY_NAME:
        raise SettingError(f"Unknown setting {name!r}")

    def work(cur) -> Change:
        row = cur.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchone()
        default = BY_NAME[name].default
        if row is None:
            return Change("setting", name, default, default)
        cur.execute("DELETE FROM settings WHERE name = ?", [name])
        before = json.loads(row[0])
        audit.record(cur, actor=actor, action="reset", entity="setting", entity_id=name, before=before, after=default)
        return Change("setting", name, before, default)

    return db.write(work)


def change_sla_target(db: Database, *, actor: Actor | None, severity: int, measure: str, target_value: float,
                      target_unit: str, calendar_id: int) -> Change:
    """Change one SLA target (admin only), audited; figures computed on read follow at once."""
    require_role(actor, ADMIN, action="change an SLA target")
    if measure not in MEASURES:
        raise SettingError(f"The measure must be one of {', '.join(MEASURES)}")
    if target_unit not in TARGET_UNITS:
        raise SettingError(f"The unit must be one of {', '.join(TARGET_UNITS)}")
    if not isinstance(target_value, (int, float)) or isinstance(target_value, bool) or not target_value > 0:
        raise SettingError("The target must be a number above 0")
    if int(calendar_id) not in calendar_choices(db):
        raise SettingError(f"There is no calendar with id {calendar_id}")
    entity_id = f"{int(severity)}/{measure}"

    def work(cur) -> Change:
        row = cur.execute("SELECT target_value, target_unit, calendar_id FROM sla_targets "
                          "WHERE severity = ? AND measure = ?", [int(severity), measure]).fetchone()
        if row is None:
            raise SettingError(f"There is no SLA target for severity {severity}, {measure}")
        before = {"target_value": row[0], "target_unit": row[1], "calendar_id": row[2]}
        after = {"target_value": float(target_value), "target_unit": target_unit, "calendar_id": int(calendar_id)}
        if before == after:
            return Change("sla_target", entity_id, before, after)
        cur.execute("UPDATE sla_targets SET target_value = ?, target_unit = ?, calendar_id = ? "
                    "WHERE severity = ? AND measure = ?",
                    [after["target_value"], target_unit, after["calendar_id"], int(severity), measure])
        audit.record(cur, actor=actor, action="change", entity="sla_target", entity_id=entity_id,
                     before=before, after=after)
        return Change("sla_target", entity_id, before, after)

    return db.write(work)


def put_setting(cur, *, name: str, value: Any, actor: str) -> tuple[Any, Any]:
    """Store an override inside the caller's transaction; returns (before, after)."""
    check_value(name, value)
    row = cur.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchone()
    before = json.loads(row[0]) if row else BY_NAME[name].default
    cur.execute(
        "INSERT INTO settings (name, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        [name, json.dumps(value), datetime.now(UTC), actor],
    )
    return before, value
