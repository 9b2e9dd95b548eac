"""XES event logs (IEEE 1849, ``.xes`` and ``.xes.gz``) read directly, streaming, as rows.

Process-mining logs are published in XES: a ``<log>`` of ``<trace>`` elements (one per case,
with attributes such as ``concept:name``) holding ``<event>`` elements (each with attributes
such as ``concept:name``, ``lifecycle:transition``, ``time:timestamp``, ``org:resource``).
:func:`to_csv` turns them into one row per event: the trace's attributes under ``case:<key>``
and the event's under their own key, in the order the log first uses them, written to a
temporary UTF-8 CSV that the import then reads like any export (a row's ``line`` is the
event's row in that table: the log's first event is line 2). Two streaming passes
(``iterparse``, each element cleared once read), so a log larger than memory is read too.
Nested attributes (lists, containers) are read by their own key; values are text as written
(XES dates are ISO 8601, which the import reads without a format).
"""
from __future__ import annotations

import csv
import gzip
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from analytics.imports.scan import ImportFileError, Progress

ATTRIBUTES = {"string", "date", "int", "float", "boolean", "id"}
PEEK_EVENTS = 1000                # events read to tell a header without reading the whole log


def _opener(path: Path):
    with open(path, "rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return gzip.open if gzipped else open


def is_xes(path: Path) -> bool:
    """An XES log: by its name (``.xes``, ``.xes.gz``) or a ``<log`` element at its start."""
    name = path.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        return True
    try:
        with _opener(path)(path, "rb") as handle:
            start = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except (OSError, EOFError):
        return False
    return start.startswith((b"<?xml", b"<log")) and b"<log" in start


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(path: Path, limit: int | None = None):
    """(trace attributes, event attributes) for each event, streaming."""
    trace: dict[str, str] = {}
    event: dict[str, str] | None = None
    seen = 0
    try:
        with _opener(path)(path, "rb") as handle:
            for kind, element in ElementTree.iterparse(handle, events=("start", "end")):
                tag = _local(element.tag)
                if kind == "start":
                    if tag == "trace":
                        trace = {}
                    elif tag == "event":
                        event = {}
                    continue
                if tag in ATTRIBUTES and "key" in element.attrib:
                    target = event if event is not None else trace
                    target.setdefault(element.attrib["key"], element.attrib.get("value", ""))
                elif tag == "event" and event is not None:
                    yield trace, event
                    event = None
                    seen += 1
                    if limit is not None and seen >= limit:
                        return
                if tag in ("event", "trace"):
                    element.clear()
    except (ElementTree.ParseError, OSError, EOFError) as exc:
        raise ImportFileError(f"cannot read {path}: not a readable XES log ({exc})") from None


def _columns(path: Path, limit: int | None) -> list[str]:
    trace_keys: dict[str, None] = {}
    event_keys: dict[str, None] = {}
    for trace, event in _events(path, limit):
        trace_keys.update(dict.fromkeys(trace))
        event_keys.update(dict.fromkeys(event))
    header = [f"case:{k}" for k in trace_keys] + list(event_keys)
    if not header:
        raise ImportFileError(f"cannot read {path}: an XES log without events")
    return header


def header(path: Path) -> list[str]:
    """The columns of the log's rows, from its first events (to recognise a profile)."""
    return _columns(path, PEEK_EVENTS)


def to_csv(path: Path, progress: Progress) -> tuple[Path, list[str]]:
    """The log as a temporary UTF-8 CSV (one row per event) and its header."""
    progress("converting to UTF-8", 0.0)
    columns = _columns(path, None)
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="vigie-xes-")
    target = Path(name)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for trace, event in _events(path):
                row = {f"case:{k}": v for k, v in trace.items()}
                row.update(event)
                writer.writerow([row.get(c, "") for c in columns])
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    progress("converting to UTF-8", 1.0)
    return target, columns
