"""Loading an export's rows into DuckDB: the temporary view ``raw_rows (line, c0 .. cN)``, all text.

CSV is parsed by DuckDB's ``read_csv`` in one call (no Python per row), with the
rows its parser refuses (wrong number of fields, unterminated quote) kept with their
line numbers; Excel sheets are read with openpyxl in batches; Parquet columns are cast
to text. Each row keeps the line it starts on (the sheet row for Excel, the row number
for Parquet).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analytics.imports.files import ExportFile, Progress, _cell_text, _silent, _xlsx_sheet

MAX_LINE_BYTES = 16 * 1024 * 1024
XLSX_BATCH = 50_000
EMPTY_REJECTS = {"line": "int64", "reason": "string", "raw": "string"}


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
        _line_view(cur, None)
        rejects = _no_rejects()
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
        {"path": str(export.readable), "compression": export.compression, "delim": export.delimiter,
         "columns": {n: "VARCHAR" for n in names}, "never": "\x01\x02", "max_line": MAX_LINE_BYTES})
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
    _line_view(cur, row_lines)
    for table in ("vigie_csv_errors", "vigie_csv_scans"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")
    reasons = [_parse_error_reason(kind, message, len(names)) for _, kind, message, _ in errors]
    raws = [(raw or "").strip("\r\n")[:500] for *_, raw in errors]
    return pd.DataFrame({"line": pd.Series(reject_lines, dtype="int64"), "reason": pd.Series(reasons, dtype="string"),
                         "raw": pd.Series(raws, dtype="string")})


def _no_rejects() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in EMPTY_REJECTS.items()})


def _line_view(cur, row_lines: np.ndarray | None) -> None:
    """VIEW raw_rows: raw_parsed with each row's line (row_lines in file order; None: row number + 1).

    Inside a transaction a temporary table's rowids start at a large offset, contiguous and
    in file order; the line of a row is its rowid plus the offset of the step it falls in.
    """
    # DuckDB plans an ASOF join against a small table as a nested loop: force the sorted merge
    cur.execute("SET asof_loop_join_threshold = 0")
    base = cur.execute("SELECT coalesce(min(rowid), 0) FROM raw_parsed").fetchone()[0]
    if row_lines is None:
        row_lines = np.arange(2, cur.execute("SELECT count(*) FROM raw_parsed").fetchone()[0] + 2, dtype=np.int64)
    offset = row_lines - np.arange(len(row_lines), dtype=np.int64) - base
    steps = np.flatnonzero(np.diff(offset, prepend=offset[0] - 1 if len(offset) else 0) != 0)
    cur.register("raw_steps_frame", pd.DataFrame({"first_rowid": steps + base, "line_offset": offset[steps]}))
    cur.execute("CREATE OR REPLACE TEMP TABLE raw_line_steps AS SELECT * FROM raw_steps_frame")
    cur.unregister("raw_steps_frame")
    cur.execute("CREATE OR REPLACE TEMP VIEW raw_rows AS SELECT p.rowid + s.line_offset AS line, p.* "
                "FROM raw_parsed p ASOF JOIN raw_line_steps s ON p.rowid >= s.first_rowid")


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
    return _no_rejects()


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
