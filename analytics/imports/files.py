"""Reading an export file into DuckDB: CSV (any encoding and delimiter), .gz, .xlsx, Parquet and XES.

:func:`open_export` looks at a file once, streaming it in chunks (with progress): it
recognises the format, the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else
Windows-1252/Latin-1, transcoded to a temporary UTF-8 copy), the delimiter (``,`` ``;``
tab ``|``) and the header, and indexes where each record starts (RFC 4180 quote parity,
with numpy), so that every row keeps the physical line it starts on even across quoted
newlines (``analytics/imports/scan.py``); ``analytics/imports/rows.py`` then loads the rows.
:func:`peek_header` reads just the start of a file. An XES event log
(``analytics/imports/xes.py``) becomes one row per event through a temporary CSV.
"""
from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.imports import xes
from analytics.imports.scan import ImportFileError, Progress, doubled_carriage_returns, normalise_newlines, scan_utf8, transcode  # noqa: F401
from analytics.store.errors import QueryFailed

DELIMITERS = (",", ";", "\t", "|")


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
    return "xes" if xes.is_xes(path) else "csv"


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
        readable, index = transcode(path, gzipped, encoding, size, progress)
    else:
        index = scan_utf8(path, gzipped, size, progress)
        if index is not None:
            encoding = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
            readable = path
        elif strict_utf8:
            raise ImportFileError(f"cannot read {path}: not a UTF-8 CSV file")
        else:
            encoding = "cp1252"
            readable, index = transcode(path, gzipped, encoding, size, progress)
    if index.mixed_line_endings() or doubled_carriage_returns(readable, gzipped and readable == path):
        normalised = normalise_newlines(readable, gzipped and readable == path)
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
    except QueryFailed as exc:  # a damaged or foreign file
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
    head = _head(path)
    return path, _sniff_format(path, head), head


def _head(path: Path) -> bytes:
    """The file's first bytes, or ImportFileError saying in words why it cannot be read."""
    if path.is_dir():
        raise ImportFileError(f"cannot read {path}: it is a directory, not a file")
    if not path.is_file():
        raise ImportFileError(f"cannot read {path}: no such file")
    try:
        with open(path, "rb") as handle:
            return handle.read(8)
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None


def peek_header(path: str | Path) -> list[str]:
    """The header of a file without reading the rest (to recognise its source)."""
    path, fmt, head = _sniff(path)
    if fmt == "xlsx":
        return _open_xlsx(path).header
    if fmt == "parquet":
        return list(_parquet_sample(path, 0).columns)
    if fmt == "xes":
        return xes.header(path)
    return _parse_header(_text_sample(path, head), path)[0]


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
    head = _head(path)
    fmt = _sniff_format(path, head)
    if fmt == "xlsx":
        export = _open_xlsx(path)
    elif fmt == "parquet":
        export = _open_parquet(cur, path)
    elif fmt == "xes":  # one row per event, through a temporary CSV
        rows, _ = xes.to_csv(path, progress)
        try:
            export = _open_csv(rows, _head(rows), strict_utf8=False, progress=progress)
        except BaseException:
            rows.unlink(missing_ok=True)
            raise
        export.path, export.format, export.encoding = path, "xes", "xes"
        export.temp_paths.append(rows)
    else:
        export = _open_csv(path, head, strict_utf8=strict_utf8, progress=progress)
    try:
        yield export
    finally:
        for temp in export.temp_paths:
            temp.unlink(missing_ok=True)
