"""One plain e-mail address (``local@domain``): the rule shared by the notices and the settings.

A local part of letters (any script, RFC 6531), digits and the unquoted specials, then a domain of
two labels or more. No space, comma, angle bracket, quote or line break can pass, so no text can
add a header or a second recipient.
"""
from __future__ import annotations

import re

LABEL = r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?"
ADDRESS = re.compile(rf"[\w.!#$%&'*+/=?^`{{|}}~-]+@{LABEL}(?:\.{LABEL})+")  # fullmatch: '$' would let a final LF in


def valid_address(address: str) -> bool:
    """Whether ``address`` is one plain ``local@domain`` address (no name, no second address)."""
    return isinstance(address, str) and bool(address) and len(address) <= 254 \
        and ADDRESS.fullmatch(address) is not None
