"""What ``import inspect`` knows of an export: every column's values over the whole file, in SQL.

The file is read as an import reads it (``files.open_export``, ``rows.load_rows``) into an
in-memory DuckDB (:meth:`Database.scratch`), then each column is surveyed in a few scans:
how many values it has, the tokens meaning "no value" in it, every distinct value when there
are few (for value maps and statuses), the timestamp formats that read **every** non-blank
value (candidates from the first rows, then checked over the whole column) and, for day /
month dates, which comes first over the whole column (an XES log is read as its rows of events). :func:`repeats` says whether a
column's values repeat (an event log's reference) and which timestamp columns vary within it
(an update time). A file that is not a delimited export, a workbook or Parquet (XML other than
HTML, or binary) is refused in one sentence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from analytics.imports.files import ImportFileError, open_export
from analytics.imports.rows import drop_rows, load_rows
from analytics.imports.xes import is_xes
from analytics.store.database import Database

FIRST_ROWS = 500                   # rows the candidate formats are picked from (then checked on all)
MAX_LISTED = 200                   # a column with more distinct values is not listed
MISSING_TOKENS = ("?", "-", "--", "n/a", "na", "null", "none", "(none)", "nil")
FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
           "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p",
           "%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d-%m-%Y %H:%M:%S",
           "%d-%m-%Y %H:%M", "%Y-%m-%d %H:%M:%S %z", "%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d"]
DAY_MONTH = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}"


@dataclass
class ColumnFacts:
    """One column over the whole file."""

    name: str
    position: int
    filled: int = 0                                   # values that are neither blank nor a missing token
    distinct: int = 0                                 # approximately
    values: list[str] = field(default_factory=list)   # every distinct value, when at most MAX_LISTED
    timestamps: bool = False                          # every value reads as a timestamp
    iso: bool = False                                 # ISO 8601 reads every value
    formats: list[str] = field(default_factory=list)  # the formats reading every value, best first
    best_partial: tuple[str, int] | None = None       # else the format reading most, and how many
    day_month: str | None = None                      # "day" / "month" first over the column, "ambiguous"


@dataclass
class FileFacts:
    """Every column of a file, and how many rows it has."""

    rows: int
    columns: list[ColumnFacts]
    missing: list[str]
    repeated_reference: int = 0                       # rows whose reference appeared on an earlier row
    varying: dict[str, int] = field(default_factory=dict)   # timestamp column -> (reference, value) pairs

    def column(self, name: str | None) -> ColumnFacts | None:
        return next((c for c in self.columns if c.name == name), None)


def _refuse_unreadable(path: Path) -> None:
    if is_xes(path):
        return
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith((b"\x1f\x8b", b"PK\x03\x04", b"PAR1", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return
    text = head.lstrip()
    if text.startswith(b"<"):
        raise ImportFileError(f"cannot read {path}: it looks like an XML or HTML document, not a delimited export "
                              f"(CSV, TSV), a workbook, Parquet or an XES log")
    if b"\x00" in head:
        raise ImportFileError(f"cannot read {path}: a binary file, not a delimited export (CSV, TSV), "
                              f"a workbook, Parquet or an XES log")


def _value(i: int) -> str:
    return f"CASE WHEN lower(trim(c{i})) IN {MISSING_TOKENS!r} THEN NULL ELSE nullif(trim(c{i}), '') END"


def _parses(value: str, fmt: str) -> bool:
    try:
        datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


def _iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
        return True
    except ValueError:
        return False


def survey(path: str | Path, reference: str | None = None) -> FileFacts:
    """The whole file's facts; ``reference``: the column whose repeats make an event log."""
    path = Path(path)
    if path.is_file():
        _refuse_unreadable(path)
    db = Database.scratch()
    try:
        cur = db.cursor()
        with open_export(cur, path) as export:
            load_rows(cur, export)
        facts = _facts(cur, export.header, reference)
        drop_rows(cur)
        return facts
    finally:
        db.close()


def _facts(cur, header: list[str], reference: str | None) -> FileFacts:
    columns = [ColumnFacts(name, i) for i, name in enumerate(header)]
    width = len(columns)
    if not width:
        return FileFacts(0, [], [])
    parts = ["count(*)"] + [f"count({_value(i)}), approx_count_distinct({_value(i)}), "
                            f"list(DISTINCT lower(trim(c{i}))) FILTER (WHERE lower(trim(c{i})) IN {MISSING_TOKENS!r})"
                            for i in range(width)]
    row = cur.execute(f"SELECT {', '.join(parts)} FROM raw_rows").fetchone()
    missing = set()
    for c in columns:
        c.filled, c.distinct, tokens = row[1 + 3 * c.position: 4 + 3 * c.position]
        missing |= set(tokens or ())
    listed = [c for c in columns if 0 < c.distinct <= MAX_LISTED * 1.1]
    if listed:
        values = cur.execute("SELECT " + ", ".join(f"list(DISTINCT {_value(c.position)})" for c in listed)
                             + " FROM raw_rows").fetchone()
        for c, found in zip(listed, values, strict=True):
            found = [v for v in found or () if v is not None]
            if len(found) <= MAX_LISTED:
                c.values = sorted(found)
    _timestamps(cur, columns)
    facts = FileFacts(rows=row[0], columns=columns, missing=sorted(missing))
    ref = facts.column(reference)
    if ref is not None:
        stamps = [c for c in columns if c.timestamps]
        sql = (f"SELECT count({_value(ref.position)}) - count(DISTINCT {_value(ref.position)})"
               + "".join(f", count(DISTINCT ({_value(ref.position)}, {_value(c.position)}))" for c in stamps)
               + " FROM raw_rows")
        counts = cur.execute(sql).fetchone()
        facts.repeated_reference = counts[0]
        facts.varying = {c.name: n for c, n in zip(stamps, counts[1:], strict=True)}
    return facts


def _timestamps(cur, columns: list[ColumnFacts]) -> None:
    """Which columns are timestamps, and the formats reading every one of their values."""
    first = cur.execute(f"SELECT {', '.join(_value(c.position) for c in columns)} FROM raw_rows LIMIT {FIRST_ROWS}"
                        ).fetchall()
    candidates = {}
    for c in columns:
        sample = [r[c.position] for r in first if r[c.position] is not None]
        if not sample or not any(ch.isdigit() for ch in sample[0]):
            continue
        iso = all(_iso(v) for v in sample)
        formats = [f for f in FORMATS if all(_parses(v, f) for v in sample)]
        if iso or formats:
            candidates[c.position] = (iso, formats)
    if not candidates:
        return
    checks, keys = [], []
    for position, (iso, formats) in candidates.items():
        v = _value(position)
        if iso:
            checks.append(f"count({v}) - count(try_cast({v} AS TIMESTAMP))")
            keys.append((position, None))
        for fmt in formats:
            checks.append(f"count({v}) - count(try_strptime({v}, '{fmt}'))")
            keys.append((position, fmt))
        checks.append(f"max(try_cast(regexp_extract({v}, '{DAY_MONTH}', 1) AS INTEGER))")
        checks.append(f"max(try_cast(regexp_extract({v}, '{DAY_MONTH}', 2) AS INTEGER))")
        keys += [(position, "first"), (position, "second")]
    row = cur.execute(f"SELECT {', '.join(checks)} FROM raw_rows").fetchone()
    misses = dict(zip(keys, row, strict=True))
    for c in columns:
        if c.position not in candidates:
            continue
        iso, formats = candidates[c.position]
        c.iso = iso and misses[(c.position, None)] == 0
        c.formats = [f for f in formats if misses[(c.position, f)] == 0]
        c.timestamps = c.iso or bool(c.formats)
        if not c.timestamps and formats:
            best = min(formats, key=lambda f: misses[(c.position, f)])
            c.best_partial = (best, c.filled - misses[(c.position, best)])
        top1, top2 = misses[(c.position, "first")], misses[(c.position, "second")]
        if top1 is not None and top2 is not None:
            c.day_month = ("day" if top1 > 12 >= top2 else "month" if top2 > 12 >= top1
                           else "ambiguous" if top1 <= 12 and top2 <= 12 else None)
