"""Every table of every page, shown one way: human headers, one format per kind of value, a dash for empty.

A page hands its frame to :func:`show_table` with the frame's own column names; each name is
looked up in ``ui.columns.COLUMNS`` (or in the ``columns`` the page passes for a name that
means something else in its table) for its label, its kind and its help. The kind decides what
the reader sees:

- ``COUNT`` thousands separators; ``INTEGER`` (severity, level, rank) as is; ``PERCENT`` one
  decimal and a % sign; ``HOURS`` / ``DAYS`` one decimal, ``MINUTES`` none (the unit is in the
  label); ``NUMBER`` as written (30, 0.75);
- ``TIMESTAMP`` in the deployment time zone (``Database.timezone``, ``$VIGIE_TIMEZONE``) as
  ``YYYY-MM-DD HH:MM``, without seconds, microseconds or offset; ``DATE`` as ``YYYY-MM-DD``;
  ``MONTH`` as a date shown "Nov 2026" (still sorted as a date);
- ``CODE`` through ``ui.labels`` (its vocabulary), ``YES_NO`` as Yes / No, ``TEXT`` as typed
  (user text is data: the grid draws it as plain text, never as Markdown).

An empty cell shows a dash, never None, nan, NaT or <NA>: a numeric column with an empty cell is
therefore shown as formatted text, right-aligned (sorted as text). The CSV download holds what is
shown, under the same labels, so that a file forwarded to someone reads like the page; the
command line keeps the machine-readable columns (``--format csv``).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from analytics.kernel.times import to_utc
from ui.columns import (
    CODE,
    COLUMNS,
    COUNT,
    DATE,
    DAYS,
    HOURS,
    INTEGER,
    MINUTES,
    MONTH,
    NUMBER,
    PERCENT,
    TIMESTAMP,
    YES_NO,
    Col,
)
from ui.labels import code_label
from ui.text import DASH

_LOG = logging.getLogger(__name__)
PIN_FIRST_FROM = 7  # columns: about what a 1280 px page shows without scrolling sideways
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M"
DATE_FORMAT = "%Y-%m-%d"
# kind -> (Streamlit's printf format for a full column, Python's format for one value)
NUMBER_FORMATS = {COUNT: ("%,d", "{:,.0f}"), INTEGER: ("%d", "{:.0f}"), PERCENT: ("%.1f%%", "{:.1f}%"),
                  HOURS: ("%.1f", "{:.1f}"), DAYS: ("%.1f", "{:.1f}"), MINUTES: ("%.0f", "{:.0f}"),
                  NUMBER: ("%g", "{:g}")}


def _empty(value: object) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array in a cell
        return False


def local_time(value: object, tz: str, fmt: str = TIMESTAMP_FORMAT) -> str:
    """An instant as the reader's wall clock in ``tz`` (a naive one is taken as already local); a dash when empty."""
    if _empty(value):
        return DASH
    if isinstance(value, str):
        value = pd.Timestamp(value)
    aware = to_utc(value, tz)
    return aware.astimezone(ZoneInfo(tz)).strftime(fmt)


def _as_dates(series: pd.Series) -> pd.Series:
    return series.map(lambda v: pd.Timestamp(v).date() if not _empty(v) else None)


def _shown(series: pd.Series, col: Col, tz: str):
    """The column as shown and its ``st.column_config`` entry."""
    common = {"label": col.label, "help": col.help, "width": col.width}
    if col.kind in NUMBER_FORMATS:
        numbers = pd.to_numeric(series, errors="coerce")
        streamlit_format, python_format = NUMBER_FORMATS[col.kind]
        if numbers.isna().any():
            text = numbers.map(lambda v: DASH if pd.isna(v) else python_format.format(v))
            return text, st.column_config.TextColumn(alignment="right", **common)
        return numbers, st.column_config.NumberColumn(format=streamlit_format, **common)
    if col.kind == TIMESTAMP:
        return series.map(lambda v: local_time(v, tz)), st.column_config.TextColumn(**common)
    if col.kind == DATE:
        return series.map(lambda v: DASH if _empty(v) else pd.Timestamp(v).strftime(DATE_FORMAT)), \
            st.column_config.TextColumn(**common)
    if col.kind == MONTH:
        if any(_empty(v) for v in series):  # not series.map(...).any(): an empty datetime column maps to datetimes
            return series.map(lambda v: DASH if _empty(v) else pd.Timestamp(v).strftime("%b %Y")), \
                st.column_config.TextColumn(**common)
        return _as_dates(series), st.column_config.DateColumn(format="MMM YYYY", **common)
    if col.kind == CODE:
        return series.map(lambda v: code_label(v, col.codes)), st.column_config.TextColumn(**common)
    if col.kind == YES_NO:
        return series.map(lambda v: DASH if _empty(v) else ("Yes" if bool(v) else "No")), \
            st.column_config.TextColumn(**common)
    return series.map(lambda v: DASH if _empty(v) else str(v)), st.column_config.TextColumn(**common)


def table_view(frame: pd.DataFrame, tz: str, columns: Mapping[str, Col] | None = None):
    """``frame`` as shown and its column configuration (a column with no known label is left unlabelled, so that
    the AppTest check of every page finds it). From ``PIN_FIRST_FROM`` columns on, the first one (what a row is
    about: the ticket, company, team or setting) is pinned, so that it stays in view while the others scroll."""
    shown, config = pd.DataFrame(index=frame.index), {}
    for name in frame.columns:
        col = (columns or {}).get(name) or COLUMNS.get(name)
        if col is None:
            _LOG.warning("Column %r has no label in ui/columns.py", name)
            shown[name] = frame[name]
            continue
        shown[name], config[name] = _shown(frame[name], col, tz)
    first = next(iter(frame.columns), None)
    if len(frame.columns) >= PIN_FIRST_FROM and first in config:
        config[first]["pinned"] = True
    return shown.reset_index(drop=True), config


def as_csv(shown: pd.DataFrame, config: Mapping) -> str:
    """The table as shown, headed by its labels (what a CSV download holds)."""
    return shown.rename(columns={name: c["label"] for name, c in config.items() if c.get("label")}).to_csv(index=False)


def show_table(frame: pd.DataFrame, *, key: str, tz: str, columns: Mapping[str, Col] | None = None,
               csv: str | None = None, select: bool = False, csv_label: str = "Download CSV") -> list[int]:
    """Show ``frame`` (and its CSV download when ``csv`` names the file); returns the selected row positions."""
    shown, config = table_view(frame, tz, columns)
    options = {"on_select": "rerun", "selection_mode": "single-row"} if select else {}
    event = st.dataframe(shown, column_config=config, hide_index=True, width="stretch", key=key, **options)
    if csv:
        st.download_button(csv_label, as_csv(shown, config), file_name=csv, mime="text/csv", key=f"{key}_csv")
    return list(event.selection.rows) if select and event else []


def download_table(frame: pd.DataFrame, *, key: str, tz: str, file_name: str, label: str = "Download CSV",
                   columns: Mapping[str, Col] | None = None) -> None:
    """A CSV download of a table that is not shown (the same labels and formats as a shown one)."""
    shown, config = table_view(frame, tz, columns)
    st.download_button(label, as_csv(shown, config), file_name=file_name, mime="text/csv", key=key)


def code_choices(label: str, vocabulary: str, options, **kwargs):
    """An editor's column of codes picked from ``options``, each shown as its word."""
    return st.column_config.SelectboxColumn(label, options=list(options),
                                            format_func=lambda value: code_label(value, vocabulary), **kwargs)
