"""User and imported text inside Markdown: escaped so that it reads exactly as typed.

Titles, names, descriptions and imported values are data. Wherever they sit inside Markdown
(a page's line, an exported RCA or monthly report), every character Markdown or HTML could read
as syntax is escaped with a backslash (CommonMark allows it before any ASCII punctuation), so
``**x**`` stays two stars, ``[x](url)`` stays brackets, ``![i](url)`` fetches nothing and
``<script>`` is five letters between angle brackets (``chart_text`` does the same for Plotly's
labels, which read a few HTML tags). Inline syntax is escaped wherever it is
(also ``$`` for maths and the colons of a ``:shortcode:`` that Streamlit would draw as an icon); block
syntax (``#``, ``-``, ``+``, ``=``, ``>``, ``1.``) only at the start of a line, where it means
something, so that an exported file stays readable. NUL characters are dropped.
"""
from __future__ import annotations

import html
import re

_INLINE = re.compile(r":([\w+\-/]+):|([\\`*_\[\]<>&|~$])")  # a ':shortcode:' whole, or one character
_LINE_START = re.compile(r"^([ \t]*)(?:([#+\-=])|(\d+)([.)]))", re.MULTILINE)
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)


def markdown_literal(text: object, *, empty: str = "") -> str:
    """``text`` made safe to sit inside Markdown on one line: shown as typed, line breaks as spaces."""
    value = _clean(text)
    if not value.strip():
        return empty
    return _escaped(" ".join(value.split()))


def markdown_paragraphs(text: object, *, empty: str = "") -> str:
    """Multi-line ``text`` made safe as Markdown: paragraphs and line breaks kept, nothing else read."""
    value = _clean(text).strip("\n")
    if not value.strip():
        return empty
    escaped = _escaped(value)
    escaped = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)  # no code block
    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", escaped)  # a single line break stays one


def chart_text(text: object) -> str:
    """``text`` as a Plotly label (a tick, a legend, a hover): its ``<b>``, ``<a href>`` and ``<br>``
    tags shown as typed, not drawn (Plotly decodes the entities back for display)."""
    return html.escape(_clean(text), quote=False)


def chart_labels(values) -> list[str]:
    """Every value of a column as a Plotly label (see ``chart_text``)."""
    return [chart_text(v) for v in values]


def table_cell(text: object) -> str:
    """``text`` in a Markdown table cell: escaped, on one line."""
    return markdown_literal(text)


def _escaped(value: str) -> str:
    value = _INLINE.sub(_escape_match, value)
    return _LINE_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)),
                           value)


def _escape_match(match: re.Match) -> str:
    if match.group(2):
        return "\\" + match.group(2)
    return "\\:" + _INLINE.sub(_escape_match, match.group(1)) + "\\:"


def _clean(text: object) -> str:
    if text is None:
        return ""
    return str(text).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
