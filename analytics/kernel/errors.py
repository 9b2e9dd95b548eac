"""The project's own errors a user is shown: a rule that refused a change, and input with one message per field.

Services raise these; pages and commands catch them and show the message in words. A validation
error is a refusal too, so ``except RuleRefused`` after ``except ValidationError`` catches the rest.
"""
from __future__ import annotations

from collections.abc import Mapping


class RuleRefused(ValueError):
    """A rule of the process refused the change; the message says why."""


class ValidationError(RuleRefused):
    """Input that cannot be saved: ``errors`` maps each field to its message.

    ``labels`` names the fields in the message (``"Title: Give the incident a title."``).
    """

    def __init__(self, errors: Mapping[str, str], labels: Mapping[str, str] | None = None):
        names = labels or {}
        super().__init__("; ".join(f"{names.get(field, field)}: {message}" for field, message in errors.items()))
        self.errors = dict(errors)
