"""API tokens: made and revoked by administrators, shown once, stored as a hash, scoped, audited.

A token is ``vigie_`` followed by 32 random bytes (URL-safe base64): only its SHA-256 is stored
(a secret that long needs no slow hash), with its first characters to recognise it in a list. A
``read`` token reads the figures; a ``write`` token also pushes events, and reads. :func:`verify`
answers which token a presented secret is, refusing an unknown, revoked or under-scoped one in
words; it records the last use at most once a minute (so that a scraper does not write on every
request). Making and revoking are audited, never with the secret.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from analytics.audit import service as audit
from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import ADMIN, Actor, require_role
from analytics.store.database import Database

SCOPES = ("read", "write")
PREFIX = "vigie_"
SHOWN_CHARACTERS = 10
LAST_USE_EVERY = timedelta(minutes=1)


class TokenRefused(RuleRefused):
    """A presented token that does not open the API; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Token:
    """A token as the API knows it (never its secret)."""

    id: int
    name: str
    scope: str


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(db: Database, *, actor: Actor | None, name: str, scope: str) -> tuple[int, str]:
    """A new token (admin only): its id and its secret, to show once."""
    require_role(actor, ADMIN, action="make an API token")
    name = (name or "").strip()
    if not name:
        raise RuleRefused("Name the token after what uses it (e.g. 'Grafana')")
    if len(name) > 80:
        raise RuleRefused("A token's name has at most 80 characters")
    if scope not in SCOPES:
        raise RuleRefused(f"The scope is read or write, not {scope!r}")
    secret = PREFIX + secrets.token_urlsafe(32)

    def work(cur) -> int:
        token_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM api_tokens").fetchone()[0]
        cur.execute("INSERT INTO api_tokens (id, name, scope, token_hash, prefix, created_by, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [token_id, name, scope, digest(secret), secret[:SHOWN_CHARACTERS], actor.label, datetime.now(UTC)])
        audit.record(cur, actor=actor, action="create", entity="api_token", entity_id=token_id,
                     after={"name": name, "scope": scope, "prefix": secret[:SHOWN_CHARACTERS]})
        return token_id

    return db.write(work), secret


def revoke_token(db: Database, *, actor: Actor | None, token_id: int) -> None:
    """Revoke a token (admin only): from now on it opens nothing."""
    require_role(actor, ADMIN, action="revoke an API token")

    def work(cur) -> None:
        row = cur.execute("SELECT name, revoked_at FROM api_tokens WHERE id = ?", [token_id]).fetchone()
        if row is None:
            raise RuleRefused(f"There is no API token #{token_id}")
        if row[1] is not None:
            raise RuleRefused(f"The token {row[0]!r} is already revoked")
        cur.execute("UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?",
                    [datetime.now(UTC), actor.label, token_id])
        audit.record(cur, actor=actor, action="revoke", entity="api_token", entity_id=token_id,
                     before={"name": row[0]}, after={"revoked": True})

    db.write(work)


def verify(db: Database, presented: str | None, *, need: str = "read", now: datetime | None = None) -> Token:
    """The token a presented secret is, with the scope ``need``; :class:`TokenRefused` otherwise."""
    if not presented:
        raise TokenRefused("an API token is required: Authorization: Bearer <token>")
    wanted = digest(presented.strip())
    rows = db.rows("SELECT id, name, scope, token_hash, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?",
                   [wanted])
    if not rows or not hmac.compare_digest(rows[0][3], wanted):
        raise TokenRefused("unknown API token")
    token_id, name, scope, _, revoked_at, last_used = rows[0]
    if revoked_at is not None:
        raise TokenRefused(f"the API token {name!r} was revoked")
    if need == "write" and scope != "write":
        raise TokenRefused(f"the API token {name!r} may only read", status=403)
    now = now or datetime.now(UTC)
    if last_used is None or now - last_used >= LAST_USE_EVERY:
        db.write(lambda cur: cur.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [now, token_id]))
    return Token(token_id, name, scope)


def list_tokens(db: Database):
    """Every token, newest first, without secrets (for the Settings page)."""
    return db.query("SELECT id, name, scope, prefix, created_by, created_at, last_used_at, revoked_at, revoked_by "
                    "FROM api_tokens ORDER BY id DESC")
