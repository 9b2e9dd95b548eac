"""The escalation rules' exact refusals (no database), written to kill the mutants mutmut left alive in
``analytics/escalations/rules.py`` (README "Tests", scripts/mutation.py)."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from analytics.escalations.rules import EscalationState, check_action, level_name, next_level_name
from analytics.kernel.errors import RuleRefused

CHAIN = ["Customer support", "Support supervisor", "Senior manager"]
T0 = datetime(2026, 6, 1, 7, 5, tzinfo=UTC)


def state(level=1, acknowledged=False, resolved=False) -> EscalationState:
    return EscalationState(id=1, reference="ESC-2026-0001", level=level, level_since=T0, owner="o",
                           acknowledged_at=T0 if acknowledged else None, acknowledged_by="ann" if acknowledged else None,
                           resolved_at=T0 if resolved else None, resolved_by="rob" if resolved else None)


def test_level_names_and_the_next_level():
    assert [level_name(CHAIN, n) for n in (0, 1, 3, 4)] == ["Level 0", "Customer support", "Senior manager", "Level 4"]
    assert [next_level_name(CHAIN, n) for n in (1, 2, 3, 4)] == ["Support supervisor", "Senior manager", None, None]


@pytest.mark.parametrize("action, verb, hint", [
    ("acknowledge", "acknowledged", ""),
    ("escalate", "escalated further", " Raise a new escalation if the customer escalates again."),
    ("resolve", "resolved again", " Raise a new escalation if the customer escalates again."),
])
def test_a_resolved_escalation_refuses_every_action_in_words(action, verb, hint):
    message = (f"ESC-2026-0001 was resolved on 01 Jun 2026 07:05 by rob: a resolved escalation cannot be "
               f"{verb}.{hint}")
    with pytest.raises(RuleRefused, match="^" + re.escape(message) + "$"):
        check_action(action, state(resolved=True), CHAIN)


def test_acknowledging_twice_and_escalating_past_the_top_are_refused_in_words():
    with pytest.raises(RuleRefused, match="^" + re.escape(
            "ESC-2026-0001 was already acknowledged at level 2 (Support supervisor) by ann on 01 Jun 2026 07:05.") + "$"):
        check_action("acknowledge", state(level=2, acknowledged=True), CHAIN)
    with pytest.raises(RuleRefused, match="^" + re.escape(
            "ESC-2026-0001 is at level 3 (Senior manager), the last level of the chain: it cannot be escalated "
            "beyond the senior manager.") + "$"):
        check_action("escalate", state(level=3), CHAIN)
    with pytest.raises(ValueError, match="^Unknown action 'close'$"):
        check_action("close", state(), CHAIN)


def test_what_a_state_allows():
    for action in ("acknowledge", "escalate", "resolve"):
        check_action(action, state(level=2), CHAIN)
    check_action("escalate", state(level=2, acknowledged=True), CHAIN)
    check_action("resolve", state(level=3, acknowledged=True), CHAIN)
