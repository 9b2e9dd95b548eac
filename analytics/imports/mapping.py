"""SQL built from a checked source profile: export rows -> mapped rows -> one staged row per ticket.

Columns are referred to by position (``c0`` .. ``cN`` of ``raw_rows``), never by the
header's text, and every literal of the profile (value maps, defaults, formats, time
zone, status lists) travels as a bound parameter. :func:`mapping_select` is the SELECT of
one row per export row (Vigie's fields as text plus parsed ``*_ts`` timestamps);
:func:`staging_select` is what validation reads for a one-row-per-ticket export;
:func:`map_rows` materialises an event log's rows for ``analytics/imports/fold.py``.
A field read from several columns takes the first of them that has a value (``column = [...]``)
or all of them that have one, joined with its separator (``join = [...]``).
"""
from __future__ import annotations

import re

from analytics.imports.profiles import BOOLEAN_FIELDS, NUMBER_FIELDS, TEXT_FIELDS, TIMESTAMP_FIELDS, FieldSpec, Profile

WHITESPACE = " \t\r\n"


def stripped(column: str) -> str:
    """The column without surrounding whitespace; only values that have some are trimmed (much faster)."""
    edges = " OR ".join(f"{column} LIKE '{w}%' OR {column} LIKE '%{w}'" for w in WHITESPACE)
    return f"CASE WHEN {edges} THEN trim({column}, '{WHITESPACE}') ELSE {column} END"


def bound(sql: str, params: dict) -> dict:
    """The parameters the SQL uses (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


class FieldExpressions:
    """SQL expressions for a profile's fields over ``raw_rows``, collecting their parameters."""

    def __init__(self, profile: Profile, positions: dict[str, int], timezone: str):
        self.profile, self.positions = profile, positions
        missing = sorted(set(profile.missing) | {""})
        self.params: dict = {"tz": timezone, "missing": missing}
        self.only_blank_missing = missing == [""]

    def values(self, spec: FieldSpec) -> str:
        """The field's column, else its fallback columns in order (the first with a value), or joined."""
        present = [self.value(c) for c in (spec.column, *spec.fallbacks) if c in self.positions]
        if spec.separator is not None and present:   # join: the values that are there, separated
            self.params[f"sep_{spec.name}"] = spec.separator
            return f"nullif(concat_ws($sep_{spec.name}, {', '.join(present)}), '')"
        if len(present) > 1:
            return f"coalesce({', '.join(present)})"
        return present[0] if present else "NULL::VARCHAR"

    def value(self, column: str | None) -> str:
        if column is None or column not in self.positions:
            return "NULL::VARCHAR"
        c = f"c{self.positions[column]}"
        if self.only_blank_missing:
            return f"nullif({stripped(c)}, '')"
        return (f"CASE WHEN list_contains($missing::VARCHAR[], lower({stripped(c)})) THEN NULL "
                f"ELSE nullif({stripped(c)}, '') END")

    def is_plain(self, spec: FieldSpec | None) -> bool:
        """A column read as it is: no map, no default, only blanks meaning 'no value'."""
        return (spec is not None and spec.column in self.positions and not spec.value_map and not spec.default
                and not spec.fallbacks and self.only_blank_missing)

    def plain(self, spec: FieldSpec) -> str:
        return f"coalesce({stripped(f'c{self.positions[spec.column]}')}, '')"

    def text(self, spec: FieldSpec) -> str:
        expr = self.values(spec)
        if spec.value_map:
            self.params[f"k_{spec.name}"] = [k for k, _ in spec.value_map]
            self.params[f"v_{spec.name}"] = [v for _, v in spec.value_map]
            expr = f"coalesce(($v_{spec.name}::VARCHAR[])[list_position($k_{spec.name}::VARCHAR[], lower({expr}))], {expr})"
        if spec.default:
            self.params[f"d_{spec.name}"] = spec.default
            expr = f"coalesce({expr}, $d_{spec.name})"
        return expr

    def timestamp(self, spec: FieldSpec) -> tuple[str, str]:
        """(text, parsed TIMESTAMPTZ) of a timestamp field."""
        text = self.text(spec)
        formats = spec.formats if spec.formats is not None else self.profile.timestamp_formats
        naive = [f for f in formats if "%z" not in f and "%Z" not in f]
        zoned = [f for f in formats if f not in naive]
        terms = []
        if naive:
            self.params[f"fn_{spec.name}"] = naive
            terms.append(f"timezone($tz, try_strptime({text}, $fn_{spec.name}::VARCHAR[]))")
        if zoned:
            self.params[f"fz_{spec.name}"] = zoned
            terms.append(f"try_strptime({text}, $fz_{spec.name}::VARCHAR[])::TIMESTAMPTZ")
        terms.append(f"try_cast({text} AS TIMESTAMPTZ)")
        parsed = f"coalesce({', '.join(terms)})" if len(terms) > 1 else terms[0]
        if spec.add_minutes:
            minutes = f"try_cast(replace({self.value(spec.add_minutes)}, ',', '.') AS DOUBLE)"
            parsed = f"({parsed} + to_seconds({minutes} * 60))"
            text = f"CASE WHEN {minutes} IS NULL THEN NULL ELSE {text} END"
        return text, parsed

    def hint(self) -> str:
        formats = list(self.profile.timestamp_formats)
        return "ISO 8601 expected" if not formats else f"expected {' or '.join(formats)} or ISO 8601"


def mapping_select(profile: Profile, positions: dict[str, int], *, timezone: str) -> tuple[str, dict, str]:
    """The SELECT mapping ``raw_rows`` to Vigie's fields, its parameters and the timestamp hint."""
    ex = FieldExpressions(profile, positions, timezone)
    select = ["line"]
    for name in TEXT_FIELDS:
        spec = profile.field(name)
        select.append(f"{ex.plain(spec)} AS {name}" if ex.is_plain(spec) else
                      f"coalesce({ex.text(spec) if spec else 'NULL'}, '') AS {name}")
    for name in TIMESTAMP_FIELDS:
        spec = profile.field(name)
        text, parsed = ex.timestamp(spec) if spec else ("NULL", "NULL::TIMESTAMPTZ")
        shown = ex.plain(spec) if ex.is_plain(spec) and not spec.add_minutes else f"coalesce({text}, '')"
        select += [f"{shown} AS {name}", f"{parsed} AS {name}_ts"]
    for name in BOOLEAN_FIELDS:
        spec = profile.field(name)
        select.append(f"try_cast({ex.text(spec)} AS BOOLEAN) AS {name}" if spec else f"NULL::BOOLEAN AS {name}")
    for name in NUMBER_FIELDS:
        spec = profile.field(name)
        select.append(f"try_cast(replace({ex.text(spec)}, ',', '.') AS DOUBLE) AS {name}" if spec
                      else f"NULL::DOUBLE AS {name}")
        if spec:
            select.append(f"{ex.text(spec)} AS {name}_text")
    sql = f"SELECT {', '.join(select)} FROM raw_rows"
    return sql, bound(sql, ex.params), ex.hint()


def map_rows(cur, profile: Profile, positions: dict[str, int], *, timezone: str) -> str:
    """Fill TEMP TABLE ``mapped`` (an event log's rows, read several times); returns the timestamp hint."""
    sql, params, hint = mapping_select(profile, positions, timezone=timezone)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE mapped AS {sql}", params)
    return hint


def staging_select(profile: Profile, positions: dict[str, int], *, timezone: str) -> tuple[str, dict, str]:
    """One export row per ticket: the mapped rows with the counters in their final units, as a SELECT
    (validation reads it directly, so the rows are not copied once more)."""
    sql, params, hint = mapping_select(profile, positions, timezone=timezone)
    return (f"SELECT * EXCLUDE (waiting_minutes), waiting_minutes * 60 AS waiting_s, "
            f"NULL::SMALLINT AS initial_severity, NULL::VARCHAR AS initial_team FROM ({sql})"), params, hint
