"""Building SQL from code, never from user text.

Values always travel as bound parameters. Where SQL needs a name that cannot be bound (a column,
a table, an alias, a prefix of parameter names), the name goes through :func:`identifier`: it must
be one of the names the calling code allows, and a plain SQL identifier (``name`` or
``alias.name``), so nothing a user types can reach the text of a query.
"""
from __future__ import annotations

import re
from collections.abc import Collection

PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")


def identifier(name: str, allowed: Collection[str]) -> str:
    """``name`` itself when it is one of ``allowed`` and a plain identifier; ValueError naming the choices otherwise."""
    if name not in allowed:
        choices = ", ".join(sorted(str(a) for a in allowed)) or "none"
        raise ValueError(f"{name!r} is not an allowed name here (allowed: {choices})")
    if not PLAIN.fullmatch(name):
        raise ValueError(f"{name!r} is not a plain SQL identifier")
    return name


def assignments(columns: Collection[str], allowed: Collection[str]) -> str:
    """``a = ?, b = ?`` for an UPDATE of ``columns``, each checked against ``allowed``."""
    return ", ".join(f"{identifier(column, allowed)} = ?" for column in columns)


def qualified(alias: str, column: str) -> str:
    """``alias.column``, or ``column`` alone when ``alias`` is empty (both already checked)."""
    return f"{alias}.{column}" if alias else column
