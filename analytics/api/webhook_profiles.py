"""How each source's webhook body becomes one canonical ticket row (``analytics/api/intake.py`` checks its
signature first).

- ``zendesk``: ``{"ticket": {...}}``, the fields of the trigger template documented in the README
  (:data:`ZENDESK_FIELDS`); the reference is ``ZD-<id>``; the satisfaction rating (``Good`` / ``Bad``, with or
  without comment) is scored as the export's profile scores it.
- ``jsm``: a Jira Service Management (Jira Cloud) webhook as Jira sends it for ``jira:issue_created`` and
  ``jira:issue_updated``: ``{"timestamp": <ms>, "webhookEvent": ..., "issue": {"key": ..., "fields": {...}}}``
  with Jira's own field shapes (``priority.name``, ``status.name``, ``reporter.emailAddress``, times as
  ``2026-11-16T08:30:00.000+0000``); the customer is the first of JSM's Organizations field
  (:data:`JSM_ORGANIZATIONS`), the team the first component. Other webhook events (comments, worklogs)
  are acknowledged and ignored: they carry no ticket change Vigie measures.
- ``servicenow``: ``{"sys_mod_count": ..., "incident": {<Incident [incident] field names>}}``, the body a
  business rule posts (README, "ServiceNow"), times as ServiceNow's ``getValue`` gives them (UTC
  ``yyyy-MM-dd HH:mm:ss``); the event id is ``<sys_id>@<sys_mod_count>``, the record's update count, so a
  retried post is a duplicate and each update a new event.

Severities and channels are read through the value maps of the source's shipped file-import profile
(``analytics/imports/shipped_profiles``), so a webhook and an export of the same ticket agree.
"""
from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from analytics.imports.columns import CANONICAL_COLUMNS
from analytics.imports.profiles import get_profile

ZENDESK_PRIORITY = {"urgent": "1", "high": "2", "normal": "3", "low": "4"}
ZENDESK_CHANNEL = {"email": "email", "mail": "email", "web": "portal", "web_form": "portal", "api": "portal",
                   "voice": "phone", "phone": "phone", "chat": "portal", "messaging": "portal"}
# the canonical column each field of the documented Zendesk trigger template fills
ZENDESK_FIELDS = {"id": "reference", "organization": "company", "requester_email": "contact_email",
                  "requester_name": "contact_name", "via": "channel", "priority": "severity", "status": "status",
                  "created_at": "opened_at", "first_response_at": "first_response_at", "solved_at": "resolved_at",
                  "group": "team", "assignee": "assignee", "type": "category", "subject": "description",
                  "satisfaction": "satisfaction"}
JSM_ISSUE_EVENTS = ("jira:issue_created", "jira:issue_updated")
JSM_ORGANIZATIONS = "customfield_10002"   # JSM Cloud's Organizations field: a list of {"name": ...}
# the canonical column each field of the ServiceNow body fills (Incident [incident] field names)
SERVICENOW_FIELDS = {"number": "reference", "company": "company", "caller_id": "contact_name",
                     "caller_email": "contact_email", "contact_type": "channel", "priority": "severity",
                     "state": "status", "opened_at": "opened_at", "resolved_at": "resolved_at",
                     "closed_at": "closed_at", "assigned_to": "assignee", "assignment_group": "team",
                     "category": "category", "cmdb_ci": "platform", "close_code": "resolution_code",
                     "short_description": "description", "sys_id": None}
UNKNOWN_COMPANY = "Unknown company"


class PayloadError(ValueError):
    """A body that does not have the source's shape; the message names the field."""


@cache
def profile_map(profile: str, field: str) -> dict[str, str]:
    """The value map (lower-cased source value -> Vigie value) of ``field`` in a shipped import profile."""
    spec = get_profile(profile).field(field)
    return dict(spec.value_map) if spec else {}


def text(value) -> str:
    """A field's value as text ("" for none)."""
    return "" if value is None else str(value).strip()


def _iso(value: str, *, naive_is_utc: bool) -> str:
    """A source time as ISO 8601 (kept as given when unreadable: the import's validation names it)."""
    if not value:
        return ""
    for reader in (lambda v: datetime.fromisoformat(v.replace("Z", "+00:00")),
                   lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%f%z")):
        try:
            moment = reader(value)
        except ValueError:
            continue
        if moment.tzinfo is None and naive_is_utc:
            moment = moment.replace(tzinfo=UTC)
        return moment.isoformat()
    return value


def _object(payload: dict, key: str, allowed, what: str, where: str) -> dict:
    """``payload[key]``, an object holding only ``allowed`` fields; PayloadError naming the first other one."""
    found = payload.get(key)
    if not isinstance(found, dict):
        raise PayloadError(f"{key}: an object with the {what}'s fields is required")
    unknown = sorted(set(found) - set(allowed))
    if unknown:
        raise PayloadError(f"{key}.{unknown[0]}: unknown field (see the README's {where})")
    return found


def _rename(found: dict, fields: dict[str, str | None]) -> dict[str, str]:
    row = {column: "" for column in CANONICAL_COLUMNS}
    for name, column in fields.items():
        if column:
            row[column] = text(found.get(name))
    return row


def _mapped(value: str, table: dict[str, str]) -> str:
    return table.get(value.lower(), value)


def zendesk_row(payload: dict) -> dict[str, str]:
    """The ticket row of a Zendesk trigger's body."""
    row = _rename(_object(payload, "ticket", ZENDESK_FIELDS, "ticket", "Zendesk template"), ZENDESK_FIELDS)
    if row["reference"]:
        row["reference"] = f"ZD-{row['reference']}"
    row["severity"] = _mapped(row["severity"], ZENDESK_PRIORITY)
    row["channel"] = _mapped(row["channel"], ZENDESK_CHANNEL)
    # the legacy CSAT rating as the export's profile reads it: good 5, bad 1, offered / unoffered no score
    row["satisfaction"] = _mapped(row["satisfaction"], profile_map("zendesk", "satisfaction"))
    return row


def _name(value, key: str = "name") -> str:
    """Jira's ``{"name": ...}`` objects (or the first of a list of them) as text."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return text(value.get(key))
    return text(value)


def jsm_row(payload: dict) -> dict[str, str] | None:
    """The ticket row of a Jira webhook body; None for an event that is not an issue's creation or update."""
    if text(payload.get("webhookEvent")) not in JSM_ISSUE_EVENTS:
        return None
    issue = payload.get("issue")
    if not isinstance(issue, dict) or not isinstance(issue.get("fields"), dict):
        raise PayloadError("issue.fields: an object with the issue's fields is required")
    fields = issue["fields"]
    reporter = fields.get("reporter") if isinstance(fields.get("reporter"), dict) else {}
    row = {column: "" for column in CANONICAL_COLUMNS}
    row.update(reference=text(issue.get("key")), company=_name(fields.get(JSM_ORGANIZATIONS)) or UNKNOWN_COMPANY,
               contact_name=text(reporter.get("displayName")), contact_email=text(reporter.get("emailAddress")),
               channel="portal", severity=_mapped(_name(fields.get("priority")), profile_map("jira-service-management",
                                                                                             "severity")),
               category=_name(fields.get("issuetype")), status=_name(fields.get("status")),
               opened_at=_iso(text(fields.get("created")), naive_is_utc=True),
               resolved_at=_iso(text(fields.get("resolutiondate")), naive_is_utc=True),
               assignee=_name(fields.get("assignee"), "displayName"), team=_name(fields.get("components")),
               resolution_code=_name(fields.get("resolution")), description=text(fields.get("summary")))
    return row


def servicenow_row(payload: dict) -> dict[str, str]:
    """The ticket row of the ServiceNow business rule's body."""
    incident = _object(payload, "incident", SERVICENOW_FIELDS, "incident", "ServiceNow business rule")
    row = _rename(incident, SERVICENOW_FIELDS)
    row["company"] = row["company"] or UNKNOWN_COMPANY
    row["severity"] = _mapped(row["severity"], profile_map("servicenow", "severity"))
    row["channel"] = _mapped(row["channel"], profile_map("servicenow", "channel")) or "portal"
    for column in ("opened_at", "resolved_at", "closed_at"):
        row[column] = _iso(row[column], naive_is_utc=True)
    return row


def servicenow_event_id(payload: dict) -> str:
    """``<sys_id>@<sys_mod_count>``: one event per update of the record ("" when either is missing)."""
    incident = payload.get("incident") if isinstance(payload.get("incident"), dict) else {}
    sys_id, count = text(incident.get("sys_id")), text(payload.get("sys_mod_count"))
    return f"{sys_id}@{count}" if sys_id and count else ""
