"""Streaming scan of a CSV export: encoding check or transcoding, and where each record starts.

One pass over the file in chunks (with progress): the bytes are checked as UTF-8 (or
decoded from UTF-16 / Windows-1252 and written to a temporary UTF-8 copy), and numpy
finds the newlines outside quotes (RFC 4180 quote parity), so every record's physical
first line is known even across quoted newlines, counted the way DuckDB's CSV reader
counts records in its rejects table. Files mixing CRLF and LF are normalised to LF.
"""
from __future__ import annotations

import codecs
import gzip
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

CHUNK_BYTES = 1 << 24
Progress = Callable[[str, float], None]


class ImportFileError(ValueError):
    """The file cannot be read as an import at all (nothing was written)."""


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


def scan_utf8(path: Path, gzipped: bool, size: int, progress: Progress) -> _RecordIndex | None:
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


def transcode(path: Path, gzipped: bool, encoding: str, size: int, progress: Progress) -> tuple[Path, _RecordIndex]:
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


_CR_LF = re.compile(rb"\r+\n")


def doubled_carriage_returns(path: Path, gzipped: bool) -> bool:
    """True when the file's first chunk ends lines in CR CR LF (a CRLF file converted once more)."""
    first = next(iter(_chunks(path, gzipped)), b"")
    return b"\r\r\n" in first


def normalise_newlines(path: Path, gzipped: bool) -> Path:
    """A temporary copy with every CRLF (or CR CR LF) turned into LF (for files mixing them)."""
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="vigie-import-")
    carry = b""
    with os.fdopen(handle, "wb") as out:
        for chunk in _chunks(path, gzipped):
            chunk = carry + chunk
            body = chunk.rstrip(b"\r")
            carry = chunk[len(body):]  # a run of CR at the end: its LF may start the next chunk
            out.write(_CR_LF.sub(b"\n", body))
        out.write(carry)
    return Path(name)
