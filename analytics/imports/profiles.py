"""Source profiles: declarative TOML mapping files from an export's columns to Vigie's ticket fields.

A profile (``analytics/imports/shipped_profiles/*.toml``, or any file given with ``--mapping``)
says which columns identify the source (``[detect]``), how values are read
(``[read]``: tokens meaning "no value", timestamp formats, time zone, encoding),
which column feeds each field and how its values translate (``[fields]``), and, for an
event log with one row per update, how rows fold into one ticket and its events
(``[events]``). This module loads and checks profiles and recognises one from a
header; it never builds SQL (``analytics/imports/mapping.py`` does, from the checked
profile, with bound parameters only).
"""
from __future__ import annotations

import difflib
import tomllib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.imports.columns import CHANNELS

PROFILES_DIR = Path(__file__).resolve().parent / "shipped_profiles"
TEXT_FIELDS = ("reference", "company", "contact_name", "contact_email", "contact_phone", "user_id", "channel",
               "severity", "category", "platform", "status", "assignee", "team", "resolution_code", "description",
               "satisfaction", "contract")
TIMESTAMP_FIELDS = ("opened_at", "first_response_at", "resolved_at", "closed_at", "updated_at")
BOOLEAN_FIELDS = ("source_made_sla",)
NUMBER_FIELDS = ("sequence", "reopen_count", "reassignment_count", "waiting_minutes")
FIELDS = TEXT_FIELDS + TIMESTAMP_FIELDS + BOOLEAN_FIELDS + NUMBER_FIELDS
FIELD_KEYS = {"column", "join", "separator", "default", "map", "formats", "add_minutes"}
EVENT_KEYS = {"order", "new_statuses", "resolved_statuses", "closed_statuses", "waiting_statuses",
              "ignored_statuses"}
SECTION_KEYS = {"profile": {"name", "title", "vendor", "docs"}, "detect": {"columns"},
                "read": {"missing", "timestamp_formats", "timezone", "encoding"}}
BOOLEAN_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False,
                 "y": True, "n": False, "met": True, "breached": False}
BOOLEAN_WORDS_TEXT = tuple((k, "true" if v else "false") for k, v in BOOLEAN_WORDS.items())


class ProfileError(ValueError):
    """A mapping file that cannot be used; the message says what to fix."""


def nearest(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` for the closest known word, or ''."""
    close = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_keys(where: str, given, allowed) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        named = "; ".join(f"{k!r}{nearest(k, allowed)}" for k in unknown)
        raise ProfileError(f"{where}: unknown key(s) {named}; allowed: {', '.join(sorted(allowed))}")


@dataclass(frozen=True)
class FieldSpec:
    """Where one Vigie field comes from."""

    name: str
    column: str | None = None
    default: str | None = None
    fallbacks: tuple[str, ...] = ()               # further columns, read in order where the first is empty
    separator: str | None = None                  # set: the columns' values joined with it (``join``)
    value_map: tuple[tuple[str, str], ...] = ()   # lower-cased source value -> Vigie value
    formats: tuple[str, ...] | None = None
    add_minutes: str | None = None                # timestamps: minutes to add, from this column


@dataclass(frozen=True)
class EventRules:
    """How the rows of an event log fold into one ticket (all statuses lower-cased)."""

    order: tuple[str, ...]
    new_statuses: tuple[str, ...] = ()
    resolved_statuses: tuple[str, ...] = ()
    closed_statuses: tuple[str, ...] = ()
    waiting_statuses: tuple[str, ...] = ()
    ignored_statuses: tuple[str, ...] = ()        # bookkeeping updates: they never set the ticket's state


@dataclass(frozen=True)
class Profile:
    """A checked mapping: everything the import needs to read one kind of export."""

    name: str
    title: str
    vendor: str
    docs: str
    detect_columns: tuple[str, ...]
    missing: tuple[str, ...]
    timestamp_formats: tuple[str, ...]
    timezone: str | None
    strict_utf8: bool
    fields: tuple[FieldSpec, ...]
    events: EventRules | None
    text: str

    def field(self, name: str) -> FieldSpec | None:
        """The spec of a field, or None when the profile leaves it empty."""
        return next((f for f in self.fields if f.name == name), None)

    def columns_used(self) -> list[str]:
        """Every source column the profile reads."""
        used = []
        for spec in self.fields:
            for column in (spec.column, *spec.fallbacks, spec.add_minutes):
                if column and column not in used:
                    used.append(column)
        return used


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where} must be a list of texts")
    return tuple(value)


def _map_value(field: str, value: Any, key: str) -> str:
    if field == "severity":
        if isinstance(value, bool) or str(value) not in ("1", "2", "3", "4"):
            raise ProfileError(f"fields.severity.map: {key!r} must map to 1, 2, 3 or 4, not {value!r}")
    elif field == "channel":
        if value not in CHANNELS:
            raise ProfileError(f"fields.channel.map: {key!r} must map to one of {', '.join(CHANNELS)}, "
                               f"not {value!r}")
    elif field in BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            raise ProfileError(f"fields.{field}.map: {key!r} must map to true or false")
        return "true" if value else "false"
    elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ProfileError(f"fields.{field}.map: {key!r} must map to a text or a number")
    return str(value)


def _field(name: str, raw: Any) -> FieldSpec:
    if name not in FIELDS:
        raise ProfileError(f"fields.{name}: unknown field{nearest(name, FIELDS)}; known fields are {', '.join(FIELDS)}")
    if isinstance(raw, (str, list)):
        raw = {"column": raw}
    if not isinstance(raw, dict):
        raise ProfileError(f"fields.{name} must be a column name, a list of column names or a table")
    _unknown_keys(f"fields.{name}", raw, FIELD_KEYS)
    column, add = raw.get("column"), raw.get("add_minutes")
    fallbacks: tuple[str, ...] = ()
    separator = raw.get("separator")
    if "join" in raw:  # one value made of several columns, e.g. an activity and its lifecycle transition
        if column is not None or not isinstance(raw["join"], list) or len(raw["join"]) < 2:
            raise ProfileError(f"fields.{name}.join: a list of two or more column names, instead of column")
        column, separator = raw["join"], " / " if separator is None else separator
    if separator is not None and not isinstance(separator, str):
        raise ProfileError(f"fields.{name}.separator must be a text")
    if separator is not None and "join" not in raw:
        raise ProfileError(f"fields.{name}.separator only applies with join")
    if isinstance(column, list):  # the first of these columns that has a value
        if not column or not all(isinstance(c, str) and c.strip() for c in column):
            raise ProfileError(f"fields.{name}.column: a list must hold column names")
        column, fallbacks = column[0], tuple(column[1:])
    for key, value in (("column", column), ("add_minutes", add)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ProfileError(f"fields.{name}.{key} must be a column name")
    if add is not None and name not in TIMESTAMP_FIELDS:
        raise ProfileError(f"fields.{name}.add_minutes only applies to timestamps")
    default = raw.get("default")
    if default is not None:
        if isinstance(default, bool):
            default = "true" if default else "false"
        if not isinstance(default, (str, int, float)):
            raise ProfileError(f"fields.{name}.default must be a text or a number")
        default = str(default)
        if name == "channel" and default and default not in CHANNELS:
            raise ProfileError(f"fields.channel.default must be one of {', '.join(CHANNELS)}")
    if column is None and default is None:
        raise ProfileError(f"fields.{name} needs a column or a default")
    mapping = raw.get("map", {})
    if not isinstance(mapping, dict):
        raise ProfileError(f"fields.{name}.map must be a table of source value = Vigie value")
    pairs = tuple((str(k).strip().lower(), _map_value(name, v, k)) for k, v in mapping.items())
    if name in BOOLEAN_FIELDS and not pairs:
        pairs = tuple(BOOLEAN_WORDS_TEXT)
    formats = raw.get("formats")
    if formats is not None:
        if name not in TIMESTAMP_FIELDS:
            raise ProfileError(f"fields.{name}.formats only applies to timestamps")
        formats = _strings(formats, f"fields.{name}.formats")
    return FieldSpec(name=name, column=column, default=default, fallbacks=fallbacks, separator=separator,
                     value_map=pairs, formats=formats, add_minutes=add)



def _events(raw: Any, fields: dict[str, FieldSpec]) -> EventRules | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ProfileError("[events] must be a table")
    _unknown_keys("events", raw, EVENT_KEYS)
    order = _strings(raw.get("order", ["sequence", "updated_at"]), "events.order")
    for name in order:
        if name not in ("sequence", "updated_at"):
            raise ProfileError(f"events.order: {name!r} must be sequence or updated_at")
    order = tuple(n for n in order if n in fields)
    if not order:
        raise ProfileError("an event log needs fields.sequence or fields.updated_at to order its rows")
    lower = {k: tuple(s.strip().lower() for s in _strings(raw.get(k), f"events.{k}"))
             for k in EVENT_KEYS - {"order"}}
    return EventRules(order=order, **lower)


def parse_profile(text: str, *, origin: str = "mapping") -> Profile:
    """Check a TOML mapping text and return the profile; ProfileError says what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{origin}: not valid TOML ({exc})") from None
    sections = {"profile", "detect", "read", "fields", "events"}
    unknown = sorted(set(data) - sections)
    if unknown:
        named = ", ".join(f"[{k}]{nearest(k, sections)}" for k in unknown)
        raise ProfileError(f"{origin}: unknown section(s) {named}; allowed: {', '.join(sorted(sections))}")
    for section, allowed in SECTION_KEYS.items():
        if section in data:
            if not isinstance(data[section], dict):
                raise ProfileError(f"{origin}: [{section}] must be a table")
            _unknown_keys(f"{origin}: [{section}]", data[section], allowed)
    meta, read = data.get("profile", {}), data.get("read", {})
    fields_raw = data.get("fields")
    if not isinstance(fields_raw, dict) or not fields_raw:
        raise ProfileError(f"{origin}: a [fields] table is required")
    fields = {name: _field(name, raw) for name, raw in fields_raw.items()}
    for required in ("reference", "opened_at"):
        if required not in fields:
            raise ProfileError(f"{origin}: fields.{required} is required")
    timezone = read.get("timezone") or None
    if timezone is not None and timezone not in zoneinfo.available_timezones():
        raise ProfileError(f"{origin}: read.timezone {timezone!r} is not a known time zone")
    encoding = read.get("encoding", "auto")
    if encoding not in ("auto", "utf-8"):
        raise ProfileError(f"{origin}: read.encoding must be auto or utf-8")
    return Profile(
        name=str(meta.get("name", origin)), title=str(meta.get("title", meta.get("name", origin))),
        vendor=str(meta.get("vendor", "")), docs=str(meta.get("docs", "")),
        detect_columns=_strings(data.get("detect", {}).get("columns"), "detect.columns"),
        missing=tuple(s.strip().lower() for s in _strings(read.get("missing", []), "read.missing")),
        timestamp_formats=_strings(read.get("timestamp_formats", []), "read.timestamp_formats"),
        timezone=timezone, strict_utf8=encoding == "utf-8", fields=tuple(fields.values()),
        events=_events(data.get("events"), fields), text=text)


def load_profile(path: str | Path) -> Profile:
    """A mapping file from disk."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read mapping {path}: {exc}") from None
    return parse_profile(text, origin=path.name)


def shipped_profiles() -> dict[str, Profile]:
    """The profiles shipped with Vigie, by name."""
    found = {}
    for path in sorted(PROFILES_DIR.glob("*.toml")):
        profile = load_profile(path)
        found[profile.name] = profile
    return found


def get_profile(name: str) -> Profile:
    """A shipped profile by name (``--source NAME``)."""
    profiles = shipped_profiles()
    if name not in profiles:
        raise ProfileError(f"unknown source {name!r}; known sources: {', '.join(sorted(profiles))}")
    return profiles[name]
