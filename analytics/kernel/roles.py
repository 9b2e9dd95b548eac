"""Who may do what: the four roles, the acting user, and the server-side role check.

The roles are declared here once: the pages each domain registers (``analytics.kernel.registry``)
and the checks of its services read the same role sets. Every write function takes an
:class:`Actor` and calls :func:`require_role` at the moment of writing, so that a page reached by
URL or a replayed request cannot write. Pages only decide what to show; this decides.
"""
from __future__ import annotations

from dataclasses import dataclass, field

MANAGER, SUPERVISOR, LEADERSHIP, ADMIN = "manager", "supervisor", "leadership", "admin"
ROLES = (MANAGER, SUPERVISOR, LEADERSHIP, ADMIN)
ALL_ROLES = frozenset(ROLES)
ADMINS = frozenset({ADMIN})
LOCAL_USER_NAME = "local"


class PermissionDenied(PermissionError):
    """The actor lacks the role an action needs; the message says which."""


@dataclass(frozen=True)
class Actor:
    """The person acting: a display name, an e-mail and the Vigie roles they hold."""

    name: str
    email: str = ""
    roles: frozenset[str] = field(default_factory=frozenset)

    def has_any(self, *roles: str) -> bool:
        """True when the actor holds at least one of ``roles``."""
        return bool(self.roles & set(roles))

    @property
    def label(self) -> str:
        """How the actor appears in the audit log."""
        return self.email or self.name


def local_actor() -> Actor:
    """The single user of the embedded local mode, holding every role."""
    return Actor(name=LOCAL_USER_NAME, email="", roles=ALL_ROLES)


def system_actor(name: str = "system") -> Actor:
    """The actor of command-line jobs (demo build, imports run by an operator)."""
    return Actor(name=name, roles=ALL_ROLES)


def anonymous_actor() -> Actor:
    """Nobody signed in: no role, so every write is refused."""
    return Actor(name="anonymous", roles=frozenset())


def require_role(actor: Actor | None, *roles: str, action: str) -> None:
    """Refuse ``action`` unless the actor holds one of ``roles`` (given in the order the message names them)."""
    if actor is None:
        raise PermissionDenied(f"You must be signed in to {action}.")
    if not actor.has_any(*roles):
        needed = " or ".join(roles)
        raise PermissionDenied(f"Only a {needed} may {action}; you are signed in as {actor.label} "
                               f"with roles: {', '.join(sorted(actor.roles)) or 'none'}.")
