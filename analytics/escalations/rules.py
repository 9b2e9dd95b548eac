"""The rules of escalations, as data and pure functions: the roles, the reasons, the chain's levels and what a state allows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import ADMIN, MANAGER, ROLES, SUPERVISOR

ACT_ROLES = (MANAGER, SUPERVISOR, ADMIN)  # who raises and moves escalations
VIEW_ROLES = ROLES
REASON_CODES = {"sla_breach": "SLA breached", "commitment_not_kept": "Commitment not kept",
                "quality": "Quality of the answer", "other": "Other"}
REASON_MIN_CHARS = 10
TEXT_MAX_CHARS = 2000
NAME_MAX_CHARS = 120
CLOCK_SKEW = timedelta(minutes=5)  # how far in the future a stated time may be


@dataclass(frozen=True)
class EscalationState:
    """What the rules need to know about one escalation."""

    id: int
    reference: str
    level: int
    level_since: datetime
    owner: str
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None


def level_name(chain: list[str], level: int) -> str:
    """The name of a level (1-based); 'Level N' when the chain has been shortened since."""
    return chain[level - 1] if 1 <= level <= len(chain) else f"Level {level}"


def next_level_name(chain: list[str], level: int) -> str | None:
    """The level an escalation would go to next, or None at the top of the chain."""
    return chain[level] if level < len(chain) else None


def check_action(action: str, state: EscalationState, chain: list[str]) -> None:
    """Refuse an action the state does not allow: acknowledge, escalate or resolve."""
    ref = state.reference
    if action not in ("acknowledge", "escalate", "resolve"):
        raise ValueError(f"Unknown action {action!r}")
    if state.resolved_at is not None:
        verb = {"acknowledge": "acknowledged", "escalate": "escalated further", "resolve": "resolved again"}[action]
        hint = " Raise a new escalation if the customer escalates again." if action != "acknowledge" else ""
        raise RuleRefused(f"{ref} was resolved on {state.resolved_at:%d %b %Y %H:%M} by "
                                  f"{state.resolved_by}: a resolved escalation cannot be {verb}.{hint}")
    here = level_name(chain, state.level)
    if action == "acknowledge" and state.acknowledged_at is not None:
        raise RuleRefused(f"{ref} was already acknowledged at level {state.level} ({here}) by "
                                  f"{state.acknowledged_by} on {state.acknowledged_at:%d %b %Y %H:%M}.")
    if action == "escalate" and next_level_name(chain, state.level) is None:
        raise RuleRefused(f"{ref} is at level {state.level} ({here}), the last level of the chain: "
                                  f"it cannot be escalated beyond the {here.lower()}.")
