"""Events pushed by ticketing systems: ``POST /api/v1/events/{source}`` (``analytics/api/routes.py``).

Sources and their signatures (the shared secret of each is ``[webhooks] <source> = "..."`` in
``.streamlit/secrets.toml``, or ``VIGIE_WEBHOOK_SECRET_<SOURCE>``; none configured: the source is refused):

- ``canonical``: Vigie's own JSON event ``{"event_id": "...", "ticket": {<the canonical CSV columns>}}``,
  signed ``X-Vigie-Signature: sha256=<hex HMAC-SHA256 of "<X-Vigie-Timestamp>.<body>">`` with
  ``X-Vigie-Timestamp`` the Unix time of the signature; any system that can compute an HMAC
  (ServiceNow's outbound REST, a JSM automation through a relay, a script) uses it;
- ``zendesk``: a Zendesk webhook, signed as Zendesk signs (``X-Zendesk-Webhook-Signature``: base64
  HMAC-SHA256 of ``<X-Zendesk-Webhook-Signature-Timestamp><body>``), idempotent on
  ``X-Zendesk-Webhook-Invocation-Id``; its body is the JSON of the trigger's template documented in the
  README (``{"ticket": {"id": "{{ticket.id}}", ...}}``);
- ``jsm``: a Jira Service Management (Jira Cloud) admin webhook with a secret, signed as Jira signs
  (``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``); the signature covers the body only, so the
  event id is the body's own SHA-256 (a retry, or a replay under any headers, is a duplicate) and the
  body's ``timestamp`` (Jira's event time, milliseconds) may be at most :data:`JSM_MAX_AGE_S` old, room
  for Jira's retries;
- ``servicenow``: the body a ServiceNow business rule posts (README), signed as ``canonical`` (the digest
  in hex or base64, as ``CertificateEncryption.generateMac`` gives it), idempotent on
  ``<sys_id>@<sys_mod_count>``.

How each body becomes a ticket row is in ``analytics/api/webhook_profiles.py``.

A signature older or newer than :data:`MAX_SKEW_S` is refused (a replayed request). The event becomes one
ticket row and goes through the file import's own validation and upsert (``imports.staging``: the same
rejection reasons, the same change events, the SLA ledger kept current) in one write transaction that also
records the event id (``api_events``, migration 085) and an audit row by ``api:<source>``; a replay of an
event id already applied changes nothing and says so. Nothing is half-written: a refused event writes nothing.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analytics.api import webhook_profiles as profiles
from analytics.imports.columns import CANONICAL_COLUMNS

SECRETS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml"
SOURCES = ("canonical", "zendesk", "jsm", "servicenow")
MAX_BODY_BYTES = 256 * 1024
MAX_SKEW_S = 300
JSM_MAX_AGE_S = 3600


class IntakeRefused(Exception):
    """An event refused, with its HTTP status and the reason (naming the field) returned as JSON."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Applied:
    """What an accepted event did."""

    source: str
    event_id: str
    reference: str
    outcome: str        # inserted | updated | unchanged
    duplicate: bool     # the event id had been applied before: nothing changed now


def shared_secret(source: str, *, secrets_file: Path | None = None, env: dict | None = None) -> str | None:
    """The source's shared secret: ``VIGIE_WEBHOOK_SECRET_<SOURCE>``, else ``[webhooks]`` of secrets.toml."""
    env = dict(os.environ) if env is None else env
    value = env.get(f"VIGIE_WEBHOOK_SECRET_{source.upper()}")
    if value:
        return value
    path = secrets_file or SECRETS_FILE
    if not path.exists():
        return None
    try:
        table = tomllib.loads(path.read_text()).get("webhooks", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    secret = table.get(source) if isinstance(table, dict) else None
    return str(secret) if secret else None


def sign_canonical(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Vigie-Signature`` of a body signed at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def sign_zendesk(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Zendesk-Webhook-Signature`` Zendesk sends for a body signed at ``timestamp`` (its header text)."""
    return base64.b64encode(hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()).decode()


def sign_jsm(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature`` Jira sends for a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _canonical_signature(headers, body: bytes, secret: str, *, base64_too: bool) -> tuple[datetime, str, list[str]]:
    stamp, given = headers.get("x-vigie-timestamp"), headers.get("x-vigie-signature")
    if not stamp or not given:
        raise IntakeRefused(401, "X-Vigie-Timestamp and X-Vigie-Signature are required")
    try:
        signed_at = datetime.fromtimestamp(int(stamp), UTC)
    except (ValueError, OverflowError, OSError):
        raise IntakeRefused(401, f"X-Vigie-Timestamp must be Unix seconds, not {stamp[:40]!r}") from None
    expected = [sign_canonical(secret, int(stamp), body)]
    if base64_too:
        digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).digest()
        expected.append("sha256=" + base64.b64encode(digest).decode())
    return signed_at, given, expected


def _jsm_signed_at(body: bytes) -> datetime:
    try:
        millis = json.loads(body).get("timestamp")
        return datetime.fromtimestamp(int(millis) / 1000, UTC)
    except (ValueError, TypeError, AttributeError, OverflowError, OSError, UnicodeDecodeError):
        raise IntakeRefused(401, "timestamp: Jira's event time in milliseconds is required in the body") from None


def verify(source: str, headers, body: bytes, *, now: datetime, secret: str | None) -> None:
    """Refuse (401/403) a request whose signature is missing, wrong or stale."""
    if source not in SOURCES:
        raise IntakeRefused(404, f"unknown source {source!r}: one of {', '.join(SOURCES)}")
    if not secret:
        raise IntakeRefused(403, f"no shared secret is configured for {source!r} ([webhooks] {source} in "
                                 f".streamlit/secrets.toml, or VIGIE_WEBHOOK_SECRET_{source.upper()}): events refused")
    window = MAX_SKEW_S
    if source in ("canonical", "servicenow"):
        signed_at, given, expected = _canonical_signature(headers, body, secret, base64_too=source == "servicenow")
    elif source == "jsm":
        given = headers.get("x-hub-signature")
        if not given:
            raise IntakeRefused(401, "X-Hub-Signature is required (set a secret on the Jira webhook)")
        expected, window = [sign_jsm(secret, body)], JSM_MAX_AGE_S
    else:
        stamp = headers.get("x-zendesk-webhook-signature-timestamp")
        given = headers.get("x-zendesk-webhook-signature")
        if not stamp or not given:
            raise IntakeRefused(401, "X-Zendesk-Webhook-Signature and its -Timestamp are required")
        try:
            signed_at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            raise IntakeRefused(401, f"X-Zendesk-Webhook-Signature-Timestamp is not ISO 8601: {stamp[:40]!r}") from None
        signed_at = signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC)
        expected = [sign_zendesk(secret, stamp, body)]
    if not any(hmac.compare_digest(e.encode(), given.strip().encode()) for e in expected):
        raise IntakeRefused(401, "the signature does not match the body (wrong secret, or the body was changed)")
    if source == "jsm":
        signed_at = _jsm_signed_at(body)
    if abs((now - signed_at).total_seconds()) > window:
        raise IntakeRefused(401, f"the signature is stale (signed {signed_at:%Y-%m-%dT%H:%M:%SZ}, more than "
                                 f"{window // 60} minutes from now): a replayed or delayed request")


def parse_event(source: str, headers, body: bytes) -> tuple[str, dict[str, str] | None]:
    """The event's id and its ticket as canonical column texts (None: an event that changes no ticket, as a
    Jira comment); 400 naming the field otherwise."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IntakeRefused(400, f"the body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise IntakeRefused(400, "the body must be a JSON object")
    try:
        if source == "canonical":
            event_id, row = profiles.text(payload.get("event_id")), _canonical_row(payload)
            missing = "event_id: required (the source's id of this event, for idempotency)"
        elif source == "zendesk":
            event_id, row = profiles.text(headers.get("x-zendesk-webhook-invocation-id")), profiles.zendesk_row(payload)
            missing = "X-Zendesk-Webhook-Invocation-Id: required"
        elif source == "jsm":
            event_id, row = "sha256:" + hashlib.sha256(body).hexdigest(), profiles.jsm_row(payload)
            missing = ""
        else:
            event_id, row = profiles.servicenow_event_id(payload), profiles.servicenow_row(payload)
            missing = "incident.sys_id and sys_mod_count: required (the record's id and update count)"
    except profiles.PayloadError as exc:
        raise IntakeRefused(400, str(exc)) from None
    if not event_id:
        raise IntakeRefused(400, missing)
    if len(event_id) > 200:
        raise IntakeRefused(400, "event_id: at most 200 characters")
    return event_id, row


def _canonical_row(payload: dict) -> dict[str, str]:
    ticket = payload.get("ticket")
    if not isinstance(ticket, dict):
        raise profiles.PayloadError("ticket: an object with the ticket's fields is required")
    unknown = sorted(set(ticket) - set(CANONICAL_COLUMNS))
    if unknown:
        raise profiles.PayloadError(f"ticket.{unknown[0]}: unknown field (the fields are those of the canonical CSV)")
    return {column: profiles.text(ticket.get(column)) for column in CANONICAL_COLUMNS}
