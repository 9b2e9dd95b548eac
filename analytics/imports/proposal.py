"""``import inspect``: propose a TOML mapping for an unknown export from its header and every row.

The proposal matches column names against the usual names of each Vigie field (in the
vendors' and common spellings) and reads the whole file (``analytics/imports/survey.py``):
the timestamp format that reads every value (day-first or month-first decided over the
whole column, or the doubt stated), the tokens meaning "no value", value maps for severity
and channel from every distinct value, and whether the file is an event log (a reference
repeated on several rows: an ``[events]`` section, ordered by a sequence, an update time, or
else the timestamp column that changes within a ticket, with the status groups guessed from
every status's name). A file that is not a delimited export, a workbook or Parquet is
refused in one line. A shipped profile whose
detection columns the header holds is proposed as is. The result always parses with
:func:`analytics.imports.profiles.parse_profile`; what it could not decide is left as a
commented line for the user to complete.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from analytics.imports.files import ImportFileError, peek_header
from analytics.imports.header import detect_profile, normalise
from analytics.imports.survey import FileFacts, survey

SYNONYMS = {
    "reference": ["reference", "ref", "number", "ticket id", "ticket number", "issue key", "key", "id",
                  "case id", "case number", "incident number", "ticket", "incident", "case concept name", "case"],
    "company": ["company", "organization", "organisation", "customer", "account", "client", "company name",
                "customer name", "custom field (organizations)"],
    "contact_name": ["contact name", "contact", "requester", "reporter", "caller", "caller id", "requested by"],
    "contact_email": ["contact email", "requester email", "reporter email", "email", "e-mail", "email address"],
    "contact_phone": ["contact phone", "phone", "telephone", "phone number"],
    "user_id": ["user id", "user", "login", "username"],
    "channel": ["channel", "via", "contact type", "source", "origin", "submission method"],
    "severity": ["severity", "priority", "sev", "prio", "impact", "urgency"],
    "category": ["category", "ticket type", "issue type", "request type", "type"],
    "platform": ["platform", "product", "service", "application", "cmdb ci", "component", "component/s"],
    "status": ["status", "state", "incident state", "incident_state", "activity", "activity name", "concept name",
               "event", "event name"],
    "opened_at": ["opened at", "opened", "created", "created at", "creation date", "created date", "date created",
                  "submitted", "created on", "sys created on", "open date", "open time", "opened time",
                  "start time"],
    "first_response_at": ["first response at", "first response", "first reply at", "first replied at",
                          "responded at"],
    "resolved_at": ["resolved at", "resolved", "solved at", "solved", "resolution date", "resolved date",
                    "resolved time", "resolve time", "resolution time", "solved time"],
    "closed_at": ["closed at", "closed", "closed date", "date closed", "close date", "close time", "closed time",
                  "closing time"],
    "updated_at": ["updated at", "updated", "last updated", "last update", "sys updated on", "sys updated at",
                   "modified", "update time", "event time", "timestamp", "time timestamp"],
    "assignee": ["assignee", "assigned to", "owner", "agent", "org resource", "resource"],
    "team": ["team", "group", "assignment group", "queue", "support group", "org group"],
    "resolution_code": ["resolution code", "resolution", "close code", "closed code", "closure code"],
    "description": ["description", "summary", "subject", "title", "short description"],
    "sequence": ["sequence", "seq", "sys mod count", "update number", "version"],
    "source_made_sla": ["made sla", "sla met", "within sla"],
    "reopen_count": ["reopen count", "reopens"],
    "reassignment_count": ["reassignment count", "group stations"],
    "waiting_minutes": ["requester wait time in minutes", "waiting minutes", "customer wait minutes"],
}
TIMESTAMP_FIELDS = ("opened_at", "first_response_at", "resolved_at", "closed_at", "updated_at")
SEVERITY_WORDS = [(r"^\s*[1]\b|critical|urgent|highest|blocker|^p1$", 1), (r"^\s*[2]\b|high|major|^p2$", 2),
                  (r"^\s*[3]\b|medium|moderate|normal|^p3$", 3),
                  (r"^\s*[45]\b|low|minor|trivial|planning|^p[45]$", 4)]
CHANNEL_WORDS = [(r"voicemail|answering", "voicemail"), (r"remote", "remote_session"),
                 (r"e-?mail|mail", "email"), (r"phone|call|ivr|voice|tel", "phone"),
                 (r"web|portal|self|form|chat|api|widget|sdk|direct", "portal")]
STATUS_GROUPS = {"new_statuses": r"^(new|open|opened|to do|waiting for support)$",
                 "resolved_statuses": r"resolv|solved|clos|done|complet|cancel",
                 "closed_statuses": r"clos|cancel",
                 "waiting_statuses": r"await.*(user|customer|caller|requester|info)|waiting for customer|^pending$",
                 "ignored_statuses": r"note|comment|attach|survey|feedback|notif"}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", normalise(text)).strip()


def match_columns(header: list[str]) -> dict[str, str]:
    """Vigie field -> header column, by the usual names (each column used once)."""
    by_key = {}
    for column in header:
        by_key.setdefault(_key(column), column)
    for column in header:  # an XES trace attribute (case:customer) also answers to its own name
        if _key(column).startswith("case "):
            by_key.setdefault(_key(column)[5:], column)
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for field, names in SYNONYMS.items():
        for name in names:
            column = by_key.get(_key(name))
            if column and column not in used:
                chosen[field] = column
                used.add(column)
                break
    return chosen


def _value_map(values: set[str], words: list[tuple[str, object]]) -> tuple[dict[str, object], list[str]]:
    mapping, unknown = {}, []
    for value in sorted(values):
        target = next((t for pattern, t in words if re.search(pattern, value.lower())), None)
        if target is None:
            unknown.append(value)
        else:
            mapping[value.lower()] = target
    return mapping, unknown


def _toml(value) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def propose_mapping(path: str | Path) -> str:
    """A TOML mapping proposal for the file, to save, edit and pass to ``--mapping``."""
    path = Path(path)
    header = peek_header(path)
    known = detect_profile(header)
    if known is not None:
        return (f"# {path.name}: this header is a {known.title} (python -m analytics import tickets FILE "
                f"--source {known.name}).\n# The shipped profile follows; edit a copy to adapt it.\n\n" + known.text)
    chosen = match_columns(header)
    facts = survey(path, reference=chosen.get("reference"))
    if not any(facts.column(c) and facts.column(c).filled for c in chosen.values()) and len(header) < 2:
        raise ImportFileError(f"cannot propose a mapping for {path}: its header ({', '.join(header) or 'empty'}) "
                              f"has no column Vigie knows and no delimiter")
    _timestamp_fields(chosen, facts)
    ordering = _ordering(chosen, facts)
    opening = _opening(chosen, facts)
    lines = [f"# Proposed by 'python -m analytics import inspect {path.name}' from every one of its "
             f"{facts.rows:,} rows.", "# Check every line, then: python -m analytics import tickets FILE "
             "--mapping THIS.toml", "", "[profile]", f"name = {_toml(path.stem)}",
             f"title = {_toml('Mapping for ' + path.name)}", "", "[read]", f"missing = {_toml(facts.missing)}"]
    formats, notes, per_field = _formats(chosen, facts)
    shared = ({tuple(f) for f in per_field.values()} == {tuple(formats)})
    lines.append(f"timestamp_formats = {_toml(formats if shared else [])}"
                 + ("" if formats else "   # ISO 8601 reads every value (checked)"))
    lines += notes + ([opening] if opening else [])
    lines += ['timezone = ""          # empty: the deployment time zone', "", "[fields]"]
    for name in SYNONYMS:
        lines += _field_lines(name, chosen.get(name), facts, None if shared else per_field.get(name))
    lines += _other_timestamps(chosen, facts)
    lines += _events_section(chosen, facts, ordering)
    return "\n".join(lines) + "\n"


def _timestamp_fields(chosen: dict[str, str], facts: FileFacts) -> None:
    """Drop a name match whose values are not timestamps (a "Resolved" yes/no column)."""
    for name in TIMESTAMP_FIELDS:
        column = facts.column(chosen.get(name))
        if column is not None and column.filled and not column.timestamps and column.best_partial is None:
            del chosen[name]


def _formats(chosen: dict[str, str], facts: FileFacts) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """The formats of the timestamp fields (shared when they agree), and what the user must check."""
    shared, notes, per_field = [], [], {}
    for name in TIMESTAMP_FIELDS:
        column = facts.column(chosen.get(name))
        if column is None or not column.filled:
            continue
        if column.best_partial is not None:
            fmt, read = column.best_partial
            notes.append(f"# {column.name!r}: no format reads every value; {fmt!r} reads {read:,} of "
                         f"{column.filled:,}: look at the others before importing")
            per_field[name] = [fmt]
        else:
            per_field[name] = [] if column.iso else column.formats[:1]
        if column.day_month == "ambiguous" and per_field[name]:
            notes.append(f"# {column.name!r}: day and month cannot be told apart (no value has either above 12); "
                         f"{per_field[name][0]!r} assumes the order: check one date you know")
        for fmt in per_field[name]:
            if fmt not in shared:
                shared.append(fmt)
    return shared, notes, per_field


def _field_lines(name: str, column: str | None, facts: FileFacts, formats: list[str] | None) -> list[str]:
    if column is None:
        if name == "company":
            return ['company = { default = "Unknown company" }   # no company column found']
        if name == "channel":
            return ['channel = { default = "portal" }   # no channel column found']
        return [f"# {name} = \"COLUMN\""]
    found = facts.column(column)
    if name in ("severity", "channel"):
        if found.values or not found.filled:
            mapping, unknown = _value_map(set(found.values), SEVERITY_WORDS if name == "severity" else CHANNEL_WORDS)
            spec = {"column": column, **({"default": "portal"} if name == "channel" else {}), "map": mapping}
            return [f"{name} = {_toml(spec)}"] + [f"#   unmapped {name} value {_toml(v)}: add it to the map"
                                                   for v in unknown]
        return [f"{name} = {_toml(column)}   # {found.distinct:,} distinct values: too many to map"]
    if formats is not None:
        return [f"{name} = {_toml({'column': column, 'formats': formats})}"]
    lifecycle = facts.column("lifecycle:transition")
    if name == "status" and lifecycle is not None and len(lifecycle.values) > 1:
        return [f"{name} = {_toml(column)}",
                f"# or, the activity with its lifecycle transition (then list the statuses below that way): "
                f"status = {{ join = [{_toml(column)}, \"lifecycle:transition\"] }}"]
    return [f"{name} = {_toml(column)}"]


def _other_timestamps(chosen: dict[str, str], facts: FileFacts) -> list[str]:
    used = set(chosen.values())
    others = [c for c in facts.columns if c.timestamps and c.filled and c.name not in used]
    free = [f for f in TIMESTAMP_FIELDS if f not in chosen]
    if not others or not free:
        return []
    return [f"# {c.name!r} holds timestamps too: map it if it is one of {', '.join(free)}" for c in others]


def _ordering(chosen: dict[str, str], facts: FileFacts) -> str | None:
    """For an event log without a sequence or update-time column by name: the timestamp column that
    changes most within a ticket becomes ``updated_at``; returns the note saying so."""
    if not facts.repeated_reference or "sequence" in chosen or "updated_at" in chosen:
        return None
    varying = max(facts.varying, key=facts.varying.get, default=None)
    if varying is None:
        return None
    chosen["updated_at"] = varying
    return f"# {varying!r} changes within a ticket: read as its update time (fields.updated_at)."


def _opening(chosen: dict[str, str], facts: FileFacts) -> str | None:
    """Without an opening column by name: an event log opens at its earliest update; any other file at
    its first timestamp column (to check). Returns the note saying so."""
    if "opened_at" in chosen:
        return None
    if "updated_at" in chosen and facts.repeated_reference:
        chosen["opened_at"] = chosen["updated_at"]
        return (f"# no opening column: a ticket opens at its earliest update ({chosen['updated_at']!r}, "
                "fields.opened_at)")
    used = set(chosen.values())
    first = next((c.name for c in facts.columns if c.timestamps and c.name not in used), None)
    if first is None:
        return "# no timestamp column found: fields.opened_at is required, name its column"
    chosen["opened_at"] = first
    return f"# no opening column by name: {first!r}, the first timestamp column, is read as fields.opened_at: check"


def _events_section(chosen: dict[str, str], facts: FileFacts, ordering: str | None) -> list[str]:
    if not facts.repeated_reference:
        return []
    ordered = [f for f in ("sequence", "updated_at") if f in chosen]
    lines = ["", f"# The reference repeats ({facts.repeated_reference:,} rows repeat an earlier one): "
             "an event log, one row per update.", *([ordering] if ordering else []), "[events]"]
    if not ordered:
        return lines + ["# no column orders a ticket's rows: map fields.sequence or fields.updated_at, then",
                        '# order = ["updated_at"]']
    lines.append(f"order = {_toml(ordered)}")
    statuses = facts.column(chosen.get("status"))
    values = statuses.values if statuses is not None else []
    for key, pattern in STATUS_GROUPS.items():
        lines.append(f"{key} = {_toml([s for s in values if re.search(pattern, s.lower())])}")
    if values:
        lines.append(f"# statuses in the file: {', '.join(values)}")
    return lines
