"""Reading an export file into DuckDB: CSV (any encoding and delimiter), .gz, .xlsx and Parquet.

:func:`open_export` looks at a file once, streaming it in chunks (with progress): it
recognises the format, the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
Windows-1252/Latin-1, transcoded to a temporary UTF-8 copy), the delimiter (``,`` ``;``
tab ``|``) and the header, and indexes where each record starts (RFC 4180 quote parity,
with numpy), so that every row keeps the physical line it starts on even across quoted
newlines. :func:`load_rows` then parses the whole file with DuckDB's ``read_csv`` into
the temporary table ``raw_rows (line, c0 .. cN)``, all text, and returns the rows its
parser refused (wrong number of fields, unterminated quote) with their line numbers.
No Python code runs per row on CSV; Excel sheets are read with openpyxl in chunks.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

CHUNK_BYTES = 1 << 24
DELIMITERS = (",", ";", "\t", "|")
MAX_LINE_BYTES = 16 * 1024 * 1024
XLSX_BATCH = 50_000
Progress = Callable[[str, float], None]


class ImportFileError(ValueError):
    """The file cannot be read as an import at all (nothing was written)."""


def _silent(step: str, fraction: float) -> None:
    return None


@dataclass
class ExportFile:
    """What :func:`open_export` learnt about a file."""

    path: Path
    format: str                     # csv, xlsx, parquet
    header: list[str]
    encoding: str = "utf-8"
    delimiter: str = ","
    readable: Path | None = None    # the UTF-8 (possibly gzipped) file DuckDB parses
    compression: str = "none"
    record_lines: np.ndarray | None = None   # the physical line each record starts on (header first)
    record_blank: np.ndarray | None = None   # whether that record is a blank line
    temp_paths: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name


def _sniff_format(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    return "csv"


def _cp1252_fallback(error: UnicodeDecodeError):
    """Windows-1252 leaves five bytes undefined; read those as Latin-1."""
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("vigie_latin1", _cp1252_fallback)


class _RecordIndex:
    """Streams bytes and finds where records start (newlines outside quotes)."""

    def __init__(self) -> None:
        self.quote_parity = 0
        self.offset = 0
        self.lines_before = 0
        self.last_byte = 0
        self.newlines: list[np.ndarray] = []
        self.cr_before: list[np.ndarray] = []
        self.line_numbers: list[np.ndarray] = []

    def feed(self, chunk: bytes) -> None:
        data = np.frombuffer(chunk, dtype=np.uint8)
        newlines = np.flatnonzero(data == 10)
        quotes = np.flatnonzero(data == 34)
        outside = (np.searchsorted(quotes, newlines) + self.quote_parity) % 2 == 0
        ends = newlines[outside]
        previous = np.where(ends > 0, data[np.maximum(ends - 1, 0)], self.last_byte)
        self.newlines.append(ends + self.offset)
        self.cr_before.append(previous == 13)
        self.line_numbers.append(np.flatnonzero(outside) + self.lines_before + 2)
        self.quote_parity = (self.quote_parity + len(quotes)) % 2
        self.lines_before += len(newlines)
        self.offset += len(chunk)
        if len(chunk):
            self.last_byte = chunk[-1]

    def mixed_line_endings(self) -> bool:
        """True when some records end with CRLF and others with LF (DuckDB needs one kind)."""
        cr = np.concatenate(self.cr_before) if self.cr_before else np.empty(0, bool)
        return 0 < int(cr.sum()) < len(cr)

    def records(self) -> tuple[np.ndarray, np.ndarray]:
        """Line numbers of every record (the header first) and whether each is a blank line.

        Records are counted the way DuckDB's CSV reader counts them in its rejects table:
        a blank line counts as one, a record spanning quoted newlines as one.
        """
        ends = np.concatenate(self.newlines) if self.newlines else np.empty(0, np.int64)
        cr = np.concatenate(self.cr_before) if self.cr_before else np.empty(0, bool)
        lines = np.concatenate(self.line_numbers) if self.line_numbers else np.empty(0, np.int64)
        starts = np.concatenate([[0], ends + 1])
        record_end = np.append(ends, self.offset)          # the newline closing each record (or EOF)
        ends_with_cr = np.append(cr, False)
        length = record_end - starts
        blank = (length <= 0) | ((length == 1) & ends_with_cr)
        keep = starts < self.offset
        all_lines = np.concatenate([[1], lines])
        return all_lines[keep].astype(np.int64), blank[keep]


def _chunks(path: Path, gzipped: bool) -> Iterator[bytes]:
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            if not chunk:
                return
            yield chunk


def _scan_utf8(path: Path, gzipped: bool, size: int, progress: Progress) -> _RecordIndex | None:
    """Index the file if it is UTF-8 text; None when it is not UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    index = _RecordIndex()
    read = 0
    for chunk in _chunks(path, gzipped):
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return None
        if b"\x00" in chunk:
            raise ImportFileError(f"cannot read {path}: binary content, not a CSV file")
        index.feed(chunk)
        read += len(chunk)
        progress("scanning", min(read / max(size, 1), 1.0))
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return index


def _transcode(path: Path, gzipped: bool, encoding: str, size: int, progress: Progress) -> tuple[Path, _RecordIndex]:
    """Copy the file to a temporary UTF-8 file, indexing it on the way."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="vigie_latin1" if encoding == "cp1252" else "strict")
    index = _RecordIndex()
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="vigie-import-")
    read = 0
    with os.fdopen(handle, "wb") as out:
        for chunk in _chunks(path, gzipped):
            try:
                encoded = decoder.decode(chunk).encode("utf-8")
            except UnicodeDecodeError:
                raise ImportFileError(f"cannot read {path}: not readable as {encoding} text") from None
            if b"\x00" in encoded:
                raise ImportFileError(f"cannot read {path}: binary content, not a CSV file")
            out.write(encoded)
            index.feed(encoded)
            read += len(chunk)
            progress("converting to UTF-8", min(read / max(size, 1), 1.0))
        tail = decoder.decode(b"", final=True).encode("utf-8")
        out.write(tail)
        index.feed(tail)
    return Path(name), index


def _normalise_newlines(path: Path, gzipped: bool) -> Path:
    """A temporary copy with every CRLF turned into LF (for files mixing both)."""
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="vigie-import-")
    carry = b""
    with os.fdopen(handle, "wb") as out:
        for chunk in _chunks(path, gzipped):
            chunk = carry + chunk
            carry = b"\r" if chunk.endswith(b"\r") else b""
            out.write(chunk[:-1].replace(b"\r\n", b"\n") if carry else chunk.replace(b"\r\n", b"\n"))
        out.write(carry)
    return Path(name)


def _header_line(path: Path, gzipped: bool, encoding: str) -> str:
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as handle:
        head = handle.read(1 << 20)
    text = head.decode(encoding, errors="replace")
    return text.lstrip("\ufeff")


def _pick_delimiter(first_record: str) -> str:
    counts = {d: 0 for d in DELIMITERS}
    inside = False
    for char in first_record:
        if char == '"':
            inside = not inside
        elif not inside and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_header(text: str, path: Path) -> tuple[list[str], str]:
    delimiter = _pick_delimiter(text.split("\n", 1)[0])
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except (StopIteration, csv.Error):
        header = []
    header = [h.strip() for h in header]
    if not any(header):
        raise ImportFileError(f"cannot read {path}: empty file, expected a CSV header")
    return header, delimiter


def _open_csv(path: Path, head: bytes, *, strict_utf8: bool, progress: Progress) -> ExportFile:
    gzipped = head.startswith(b"\x1f\x8b")
    size = path.stat().st_size * (4 if gzipped else 1)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and not strict_utf8:
        encoding = "utf-16"
        readable, index = _transcode(path, gzipped, encoding, size, progress)
    else:
        index = _scan_utf8(path, gzipped, size, progress)
        if index is not None:
            encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
            readable = path
        elif strict_utf8:
            raise ImportFileError(f"cannot read {path}: not a UTF-8 CSV file")
        else:
            encoding = "cp1252"
            readable, index = _transcode(path, gzipped, encoding, size, progress)
    if index.mixed_line_endings():
        normalised = _normalise_newlines(readable, gzipped and readable == path)
        if readable != path:
            readable.unlink(missing_ok=True)
        readable = normalised
    temp = [] if readable == path else [readable]
    try:
        text = _header_line(readable, gzipped and readable == path, "utf-8")
        header, delimiter = _parse_header(text, path)
    except ImportFileError:
        for p in temp:
            p.unlink(missing_ok=True)
        raise
    lines, blank = index.records()
    return ExportFile(path=path, format="csv", header=header, encoding=encoding, delimiter=delimiter,
                      readable=readable, compression="gzip" if gzipped and readable == path else "none",
                      record_lines=lines, record_blank=blank, temp_paths=temp)


def _xlsx_sheet(path: Path):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(f"cannot read {path}: not a readable .xlsx workbook ({exc})") from None
    return book, book.worksheets[0]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _open_xlsx(path: Path) -> ExportFile:
    book, sheet = _xlsx_sheet(path)
    try:
        first = next(sheet.iter_rows(max_row=1, values_only=True), None)
    finally:
        book.close()
    header = [_cell_text(v).strip() for v in (first or ())]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(f"cannot read {path}: the first sheet is empty, expected a header row")
    return ExportFile(path=path, format="xlsx", header=header, encoding="xlsx", delimiter="")


def _open_parquet(cur, path: Path) -> ExportFile:
    try:
        described = cur.execute("DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}).fetchall()
    except Exception as exc:  # duckdb raises IOException / InvalidInputException on a damaged file
        raise ImportFileError(f"cannot read {path}: not a readable Parquet file ({exc})") from None
    return ExportFile(path=path, format="parquet", header=[row[0] for row in described], encoding="parquet",
                      delimiter="")


def _text_sample(path: Path, head: bytes) -> str:
    """The first megabyte of a CSV, decoded the way the import will read it."""
    opener = gzip.open if head.startswith(b"\x1f\x8b") else open
    try:
        with opener(path, "rb") as handle:
            sample = handle.read(1 << 20)
    except (OSError, EOFError) as exc:
        raise ImportFileError(f"cannot read {path}: {exc}") from None
    for encoding in ("utf-16", "utf-8-sig", "cp1252"):
        if encoding == "utf-16" and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:  # an incremental decoder tolerates a character cut at the end of the sample
            return codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
    return sample.decode("latin-1")


def _sniff(path: str | Path) -> tuple[Path, str, bytes]:
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"cannot read {path}: no such file")
    with open(path, "rb") as handle:
        head = handle.read(8)
    return path, _sniff_format(path, head), head


def peek_header(path: str | Path) -> list[str]:
    """The header of a file without reading the rest (to recognise its source)."""
    path, fmt, head = _sniff(path)
    if fmt == "xlsx":
        return _open_xlsx(path).header
    if fmt == "parquet":
        return list(_parquet_sample(path, 0).columns)
    return _parse_header(_text_sample(path, head), path)[0]


def read_sample(path: str | Path, limit: int) -> list[list[str]]:
    """Up to ``limit`` data rows as text (for ``import inspect``); the header is not included."""
    path, fmt, head = _sniff(path)
    if fmt == "xlsx":
        book, sheet = _xlsx_sheet(path)
        try:
            return [[_cell_text(v) for v in row]
                    for row in sheet.iter_rows(min_row=2, max_row=limit + 1, values_only=True)]
        finally:
            book.close()
    if fmt == "parquet":
        frame = _parquet_sample(path, limit)
        return frame.astype("string").fillna("").values.tolist()
    text = _text_sample(path, head)
    header, delimiter = _parse_header(text, path)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter))
    complete = rows[1:-1] if len(text.encode("utf-8")) >= (1 << 20) - 4 else rows[1:]
    return [r for r in complete if r][:limit]


def _parquet_sample(path: Path, limit: int) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        batch = next(parquet.iter_batches(batch_size=max(limit, 1)), None)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError on a damaged file
        raise ImportFileError(f"cannot read {path}: not a readable Parquet file ({exc})") from None
    frame = batch.to_pandas() if batch is not None else parquet.schema_arrow.empty_table().to_pandas()
    return frame.head(limit)


@contextmanager
def open_export(cur, path: str | Path, *, strict_utf8: bool = False,
                progress: Progress = _silent) -> Iterator[ExportFile]:
    """Recognise and index a file; temporary copies are removed on exit."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"cannot read {path}: no such file")
    with open(path, "rb") as handle:
        head = handle.read(8)
    fmt = _sniff_format(path, head)
    if fmt == "xlsx":
        export = _open_xlsx(path)
    elif fmt == "parquet":
        export = _open_parquet(cur, path)
    else:
        export = _open_csv(path, head, strict_utf8=strict_utf8, progress=progress)
    try:
        yield export
    finally:
        for temp in export.temp_paths:
            temp.unlink(missing_ok=True)


def load_rows(cur, export: ExportFile, *, progress: Progress = _silent) -> pd.DataFrame:
    """Fill TEMP TABLE raw_rows (line, c0..cN text); returns the parser's rejects (line, reason, raw)."""
    width = len(export.header)
    names = [f"c{i}" for i in range(width)]
    progress("parsing", 0.0)
    if export.format == "xlsx":
        rejects = _load_xlsx(cur, export, names, progress)
    elif export.format == "parquet":
        cur.execute(f"CREATE OR REPLACE TEMP TABLE raw_parsed AS SELECT * "
                    f"FROM (SELECT COLUMNS(*)::VARCHAR FROM read_parquet($path)) AS p({', '.join(names)})",
                    {"path": str(export.path)})
        cur.execute("CREATE OR REPLACE TEMP VIEW raw_rows AS "
                    "SELECT rowid - (SELECT min(rowid) FROM raw_parsed) + 2 AS line, * FROM raw_parsed")
        rejects = pd.DataFrame({"line": pd.Series(dtype="int64"), "reason": pd.Series(dtype="string"),
                                "raw": pd.Series(dtype="string")})
    else:
        rejects = _load_csv(cur, export, names)
    progress("parsing", 1.0)
    return rejects


def _load_csv(cur, export: ExportFile, names: list[str]) -> pd.DataFrame:
    for table in ("vigie_csv_errors", "vigie_csv_scans"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE raw_parsed AS SELECT * FROM read_csv($path, columns = $columns, "
        "auto_detect = false, header = true, delim = $delim, quote = '\"', escape = '\"', nullstr = $never, "
        "store_rejects = true, rejects_table = 'vigie_csv_errors', rejects_scan = 'vigie_csv_scans', "
        "max_line_size = $max_line, strict_mode = true, compression = $compression)",
        {"path": str(export.readable), "compression": export.compression, "columns": {n: "VARCHAR" for n in names}, "delim": export.delimiter,
         "never": "\x01\x02", "max_line": MAX_LINE_BYTES})
    errors = cur.execute(
        "SELECT line, any_value(error_type), any_value(error_message), any_value(csv_line) "
        "FROM vigie_csv_errors GROUP BY 1 ORDER BY 1").fetchall()
    parsed = cur.execute("SELECT count(*) FROM raw_parsed").fetchone()[0]
    lines, blank = export.record_lines, export.record_blank
    ordinals = np.array([e[0] - 1 for e in errors], dtype=np.int64)  # DuckDB counts records from 1
    accepted = ~blank.copy()
    accepted[0] = False                                               # the header
    inside = ordinals[(ordinals >= 0) & (ordinals < len(lines))]
    accepted[inside] = False
    if len(inside) == len(ordinals) and accepted.sum() == parsed:
        row_lines, reject_lines = lines[accepted], lines[ordinals]
    else:  # quoting outside RFC 4180 confused the index: fall back to record numbers
        row_lines = np.arange(2, parsed + 2, dtype=np.int64)
        reject_lines = ordinals + 1
    delta = row_lines - np.arange(2, len(row_lines) + 2, dtype=np.int64)   # lines spent on others before
    steps = np.flatnonzero(np.diff(delta, prepend=-1) != 0)
    cur.register("raw_steps_frame", pd.DataFrame({"first_row": steps, "delta": delta[steps]}))
    cur.execute("CREATE OR REPLACE TEMP TABLE raw_line_steps AS SELECT * FROM raw_steps_frame")
    cur.unregister("raw_steps_frame")
    # inside a transaction a temporary table's rowids start at a large offset, contiguous and in file order
    cur.execute("CREATE OR REPLACE TEMP VIEW raw_rows AS SELECT p.n + 2 + s.delta AS line, p.* EXCLUDE (n) "
                "FROM (SELECT rowid - (SELECT min(rowid) FROM raw_parsed) AS n, * FROM raw_parsed) p "
                "ASOF JOIN raw_line_steps s ON p.n >= s.first_row")
    for table in ("vigie_csv_errors", "vigie_csv_scans"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")
    reasons = [_parse_error_reason(kind, message, len(names)) for _, kind, message, _ in errors]
    raws = [(raw or "").strip("\r\n")[:500] for *_, raw in errors]
    return pd.DataFrame({"line": pd.Series(reject_lines, dtype="int64"), "reason": pd.Series(reasons, dtype="string"),
                         "raw": pd.Series(raws, dtype="string")})


def _parse_error_reason(kind: str, message: str, width: int) -> str:
    found = re.search(r"Found:\s*(\d+)", message or "")
    if kind in ("TOO MANY COLUMNS", "MISSING COLUMNS") and found:
        return f"expected {width} fields, found {found.group(1)}"
    if kind == "UNQUOTED VALUE":
        return "malformed CSV: unterminated or stray quote"
    if kind == "LINE SIZE OVER MAXIMUM":
        return f"malformed CSV: record longer than {MAX_LINE_BYTES // (1024 * 1024)} MB"
    return f"malformed CSV: {message}"


def _load_xlsx(cur, export: ExportFile, names: list[str], progress: Progress) -> pd.DataFrame:
    book, sheet = _xlsx_sheet(export.path)
    total = max((sheet.max_row or 1) - 1, 1)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE raw_parsed (line BIGINT, {', '.join(f'{n} VARCHAR' for n in names)})")
    cur.execute("CREATE OR REPLACE TEMP VIEW raw_rows AS SELECT * FROM raw_parsed")
    width, batch, lines, done = len(names), [], [], 0
    try:
        for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
            cells = [_cell_text(v) for v in values[:width]]
            if not any(cells):
                continue
            batch.append(cells + [""] * (width - len(cells)))
            lines.append(number)
            if len(batch) >= XLSX_BATCH:
                done += len(batch)
                _insert_batch(cur, names, batch, lines)
                batch, lines = [], []
                progress("parsing", min(done / total, 1.0))
        _insert_batch(cur, names, batch, lines)
    finally:
        book.close()
    return pd.DataFrame({"line": pd.Series(dtype="int64"), "reason": pd.Series(dtype="string"),
                         "raw": pd.Series(dtype="string")})


def _insert_batch(cur, names: list[str], batch: list[list[str]], lines: list[int]) -> None:
    if not batch:
        return
    frame = pd.DataFrame(batch, columns=names, dtype="string")
    frame.insert(0, "line", pd.Series(lines, dtype="int64"))
    cur.register("raw_batch", frame)
    cur.execute("INSERT INTO raw_parsed SELECT * FROM raw_batch")
    cur.unregister("raw_batch")


def drop_rows(cur) -> None:
    """Remove the temporary tables of :func:`load_rows`."""
    cur.execute("DROP VIEW IF EXISTS raw_rows")
    for table in ("raw_parsed", "raw_line_steps"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")
