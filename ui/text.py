"""User and imported text on a page: shown as typed, never read as Markdown, HTML, an icon or a link.

Every page puts a title, a name, a description or an imported value inside Markdown through
``literal`` (one line) or ``paragraphs`` (several): the kernel's escaping, plus what only
Streamlit's Markdown reads (its typographic arrows ``->`` and ``--``, its ``:shortcodes:`` and
``:red[colours]``, and addresses it turns into links: an invisible word joiner breaks each), and bidirectional
controls isolated so that a right-to-left override cannot reorder the words around the text.
"""
from __future__ import annotations

import re

from analytics.kernel.text import markdown_literal, markdown_paragraphs

DASH = "—"
_TYPOGRAPHY = re.compile(r"(?<=[-<>~])(?=[-<>=])")  # '->' '--' '>=' ... would become arrows and dashes
_COLON = re.compile(r":(?=\S)")  # ':smile:', ':red[x]', 'http://': a colon before a character
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def literal(text: object, *, empty: str = DASH) -> str:
    """``text`` inside a line of Markdown (a heading, a caption, a label), shown as typed."""
    return _isolated(markdown_literal(_untypographic(text), empty=empty), text)


def paragraphs(text: object, *, empty: str = DASH) -> str:
    """Multi-line ``text`` as Markdown that keeps its paragraphs and reads nothing else."""
    return _isolated(markdown_paragraphs(_untypographic(text), empty=empty), text)


def _untypographic(text: object) -> object:
    if not isinstance(text, str):
        return text
    # an invisible word joiner after each ':' so no ':smile:', ':material/x:', ':red[x]' or 'http://' is read
    return _COLON.sub(":\u2060", _TYPOGRAPHY.sub("\u2060", text))


def _isolated(escaped: str, text: object) -> str:
    if isinstance(text, str) and _BIDI.search(text):
        return f"\u2068{escaped}\u2069"
    return escaped
