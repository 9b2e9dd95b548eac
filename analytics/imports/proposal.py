"""``import inspect``: propose a TOML mapping for an unknown export from its header and sample rows.

The proposal matches column names against the usual names of each Vigie field (in the
vendors' and common spellings), guesses the timestamp format that reads every sampled
value (day-first or month-first decided by the values), tokens meaning "no value",
value maps for severity and channel, and whether the file is an event log (a reference
repeated on several rows with a sequence or an update time). A shipped profile whose
detection columns the header holds is proposed as is. The result always parses with
:func:`analytics.imports.profiles.parse_profile`; what it could not decide is left as a
commented line for the user to complete.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from analytics.imports.files import peek_header, read_sample
from analytics.imports.header import detect_profile, normalise

SAMPLE_ROWS = 500
SYNONYMS = {
    "reference": ["reference", "ref", "number", "ticket id", "ticket number", "issue key", "key", "id",
                  "case id", "case number", "incident number", "ticket", "incident"],
    "company": ["company", "organization", "organisation", "customer", "account", "client", "company name",
                "customer name", "custom field (organizations)"],
    "contact_name": ["contact name", "contact", "requester", "reporter", "caller", "caller id", "requested by"],
    "contact_email": ["contact email", "requester email", "reporter email", "email", "e-mail", "email address"],
    "contact_phone": ["contact phone", "phone", "telephone", "phone number"],
    "user_id": ["user id", "user", "login", "username"],
    "channel": ["channel", "via", "contact type", "source", "origin", "submission method"],
    "severity": ["severity", "priority", "sev", "prio"],
    "category": ["category", "ticket type", "issue type", "request type", "type"],
    "platform": ["platform", "product", "service", "application", "cmdb ci", "component", "component/s"],
    "status": ["status", "state", "incident state", "incident_state"],
    "opened_at": ["opened at", "opened", "created", "created at", "creation date", "created date", "date created",
                  "submitted", "created on", "sys created on", "open date"],
    "first_response_at": ["first response at", "first response", "first reply at", "first replied at",
                          "responded at"],
    "resolved_at": ["resolved at", "resolved", "solved at", "solved", "resolution date", "resolved date"],
    "closed_at": ["closed at", "closed", "closed date", "date closed", "close date"],
    "updated_at": ["updated at", "updated", "last updated", "last update", "sys updated on", "sys updated at",
                   "modified", "update time", "event time", "timestamp"],
    "assignee": ["assignee", "assigned to", "owner", "agent"],
    "team": ["team", "group", "assignment group", "queue", "support group"],
    "resolution_code": ["resolution code", "resolution", "close code", "closed code", "closure code"],
    "description": ["description", "summary", "subject", "title", "short description"],
    "sequence": ["sequence", "seq", "sys mod count", "update number", "version"],
    "source_made_sla": ["made sla", "sla met", "within sla"],
    "reopen_count": ["reopen count", "reopens"],
    "reassignment_count": ["reassignment count", "group stations"],
    "waiting_minutes": ["requester wait time in minutes", "waiting minutes", "customer wait minutes"],
}
TIMESTAMP_FIELDS = ("opened_at", "first_response_at", "resolved_at", "closed_at", "updated_at")
FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
           "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
           "%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d-%m-%Y %H:%M:%S",
           "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M:%S %z", "%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d"]
MISSING_TOKENS = {"?", "-", "--", "n/a", "na", "null", "none", "(none)", "nil"}
SEVERITY_WORDS = [(r"^\s*[1]\b|critical|urgent|highest|blocker|^p1$", 1), (r"^\s*[2]\b|high|major|^p2$", 2),
                  (r"^\s*[3]\b|medium|moderate|normal|^p3$", 3),
                  (r"^\s*[45]\b|low|minor|trivial|planning|^p[45]$", 4)]
CHANNEL_WORDS = [(r"voicemail|answering", "voicemail"), (r"remote", "remote_session"),
                 (r"e-?mail|mail", "email"), (r"phone|call|ivr|voice|tel", "phone"),
                 (r"web|portal|self|form|chat|api|widget|sdk|direct", "portal")]
STATUS_GROUPS = {"new_statuses": r"^(new|open|opened|to do|waiting for support)$",
                 "resolved_statuses": r"resolv|solved|closed|done|cancel",
                 "closed_statuses": r"closed|cancel",
                 "waiting_statuses": r"await.*(user|customer|caller|requester|info)|waiting for customer|^pending$"}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", normalise(text)).strip()


def match_columns(header: list[str]) -> dict[str, str]:
    """Vigie field -> header column, by the usual names (each column used once)."""
    by_key = {}
    for column in header:
        by_key.setdefault(_key(column), column)
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


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def guess_formats(values: list[str]) -> list[str]:
    """The formats reading every sampled timestamp (empty: ISO 8601 reads them all)."""
    values = [v for v in values if v]
    if not values:
        return []
    iso = all(_iso(v) for v in values)
    if iso:
        return []
    return [f for f in FORMATS if all(_parses(v, f) or _iso(v) for v in values)][:2]


def _iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
        return True
    except ValueError:
        return False


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
    rows = read_sample(path, SAMPLE_ROWS)
    columns = {name: [row[i].strip() if i < len(row) else "" for row in rows] for i, name in enumerate(header)}
    chosen = match_columns(header)
    missing = sorted({v for vals in columns.values() for v in vals if v.lower() in MISSING_TOKENS})
    blank = set(missing) | {""}
    lines = [f"# Proposed by 'python -m analytics import inspect {path.name}' from its header and "
             f"{len(rows)} sample rows.", "# Check every line, then: python -m analytics import tickets FILE "
             "--mapping THIS.toml", "", "[profile]", f"name = {_toml(path.stem)}",
             f"title = {_toml('Mapping for ' + path.name)}", "", "[read]", f"missing = {_toml(missing)}"]
    stamps = [v for f in TIMESTAMP_FIELDS if f in chosen for v in columns[chosen[f]] if v not in blank]
    formats = guess_formats(stamps)
    lines.append(f"timestamp_formats = {_toml(formats)}" + ("" if formats else "   # ISO 8601 (none needed)"))
    lines += ['timezone = ""          # empty: the deployment time zone', "", "[fields]"]
    for field in SYNONYMS:
        column = chosen.get(field)
        values = {v for v in columns.get(column, []) if v not in blank} if column else set()
        if field in ("severity", "channel") and column:
            mapping, unknown = _value_map(values, SEVERITY_WORDS if field == "severity" else CHANNEL_WORDS)
            spec = {"column": column, **({"default": "portal"} if field == "channel" else {}), "map": mapping}
            lines.append(f"{field} = {_toml(spec)}")
            lines += [f"#   unmapped {field} value {_toml(v)}: add it to the map" for v in unknown]
        elif column:
            lines.append(f"{field} = {_toml(column)}")
        elif field == "company":
            lines.append('company = { default = "Unknown company" }   # no company column found')
        elif field == "channel":
            lines.append('channel = { default = "portal" }   # no channel column found')
        else:
            lines.append(f"# {field} = \"COLUMN\"")
    lines += _events_section(chosen, columns, blank)
    return "\n".join(lines) + "\n"


def _events_section(chosen: dict[str, str], columns: dict[str, list[str]], blank: set[str]) -> list[str]:
    refs = [v for v in columns.get(chosen.get("reference"), []) if v not in blank]
    ordered = [f for f in ("sequence", "updated_at") if f in chosen]
    if not refs or len(set(refs)) == len(refs) or not ordered:
        return []
    statuses = sorted({v for v in columns.get(chosen.get("status"), []) if v not in blank})
    lines = ["", "# The reference repeats: this looks like an event log (one row per update).", "[events]",
             f"order = {_toml(ordered)}"]
    for key, pattern in STATUS_GROUPS.items():
        lines.append(f"{key} = {_toml([s for s in statuses if re.search(pattern, s.lower())])}")
    return lines
