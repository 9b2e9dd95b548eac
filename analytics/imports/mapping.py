"""SQL built from a checked source profile: export rows -> mapped rows -> one staged row per ticket.

Columns are referred to by position (``c0`` .. ``cN`` of ``raw_rows``), never by the
header's text, and every literal of the profile (value maps, defaults, formats, time
zone, status lists) travels as a bound parameter. :func:`mapping_select` is the SELECT of
one row per export row (Vigie's fields as text plus parsed ``*_ts`` timestamps);
:func:`staging_select` is what validation reads for a one-row-per-ticket export;
:func:`map_rows` materialises an event log's rows and :func:`fold_events` folds them (one
row per update) into ``staging`` and ``fold_events``:

- a ticket takes the values of its last update (rows ordered by the profile's
  ``events.order``, then by line), its earliest ``opened_at`` and its first severity;
- first response: the mapped column, else the first update out of ``new_statuses``;
- resolution / closing: the mapped column when the final state is in
  ``resolved_statuses`` / ``closed_statuses``, else the last time it entered one; a ticket
  whose final state is outside them is open (reopened) and has neither;
- events: each status change, each change of team (``reassigned``) and of severity, and
  each ``reopened`` (leaving a resolved state), at the update's time (never before opening);
- waiting on the customer: the time spent in ``waiting_statuses`` between updates.
"""
from __future__ import annotations

import re

from analytics.imports.columns import CANONICAL_COLUMNS, TIMESTAMP_COLUMNS
from analytics.imports.profiles import BOOLEAN_FIELDS, NUMBER_FIELDS, TEXT_FIELDS, TIMESTAMP_FIELDS, FieldSpec, Profile

WHITESPACE = " \t\r\n"


def stripped(column: str) -> str:
    """The column without surrounding whitespace; only values that have some are trimmed (much faster)."""
    edges = " OR ".join(f"{column} LIKE '{w}%' OR {column} LIKE '%{w}'" for w in WHITESPACE)
    return f"CASE WHEN {edges} THEN trim({column}, '{WHITESPACE}') ELSE {column} END"


def bound(sql: str, params: dict) -> dict:
    """The parameters the SQL uses (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


class _Expressions:
    """SQL expressions for a profile's fields over ``raw_rows``, collecting their parameters."""

    def __init__(self, profile: Profile, positions: dict[str, int], timezone: str):
        self.profile, self.positions = profile, positions
        missing = sorted(set(profile.missing) | {""})
        self.params: dict = {"tz": timezone, "missing": missing}
        self.only_blank_missing = missing == [""]

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
                and self.only_blank_missing)

    def plain(self, spec: FieldSpec) -> str:
        return f"coalesce({stripped(f'c{self.positions[spec.column]}')}, '')"

    def text(self, spec: FieldSpec) -> str:
        expr = self.value(spec.column)
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
    ex = _Expressions(profile, positions, timezone)
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


def row_rejects_sql(profile: Profile, hint: str) -> tuple[str, dict]:
    """Rows of an event log that cannot fold: no reference, an unreadable update time or sequence."""
    checks = ["WHEN reference = '' THEN 'missing reference'"]
    if profile.field("updated_at"):
        checks.append("WHEN updated_at <> '' AND updated_at_ts IS NULL THEN 'unreadable updated_at (' || $hint || ')'")
    if profile.field("sequence"):
        checks.append("WHEN sequence_text IS NOT NULL AND sequence IS NULL THEN 'unreadable sequence (a number expected)'")
    sql = (f"CREATE OR REPLACE TEMP TABLE row_rejects AS SELECT line, reason FROM "
           f"(SELECT line, CASE {' '.join(checks)} END AS reason FROM mapped) WHERE reason IS NOT NULL")
    return sql, {"hint": hint}


def fold_events(cur, profile: Profile, hint: str) -> None:
    """Fold the accepted rows of an event log into ``staging`` (one row per ticket) and ``fold_events``."""
    rules = profile.events
    sql, params = row_rejects_sql(profile, hint)
    cur.execute(sql, bound(sql, params))
    order = ", ".join(f"{'sequence' if k == 'sequence' else 'updated_at_ts'} NULLS FIRST" for k in rules.order)
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE fold_rows AS
        SELECT m.*, nullif(lower(m.status), '') AS st, nullif(m.team, '') AS team_v, nullif(m.severity, '') AS sev_v,
               row_number() OVER (PARTITION BY m.reference ORDER BY {order}, m.line) AS step,
               min(m.opened_at_ts) OVER (PARTITION BY m.reference) AS first_opened
        FROM mapped m WHERE m.line NOT IN (SELECT line FROM row_rejects)""")
    lists = {"new": list(rules.new_statuses), "resolved": list(rules.resolved_statuses),
             "closed": list(rules.closed_statuses), "waiting": list(rules.waiting_statuses)}
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE fold_steps AS
        SELECT reference, step, line, st, team_v, sev_v, first_opened,
               greatest(coalesce(updated_at_ts, first_opened), first_opened) AS happened,
               lag(st) OVER w AS prev_st, lag(team_v) OVER w AS prev_team, lag(sev_v) OVER w AS prev_sev,
               lead(greatest(coalesce(updated_at_ts, first_opened), first_opened)) OVER w AS next_happened
        FROM fold_rows WINDOW w AS (PARTITION BY reference ORDER BY step)""")
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE fold_events AS
        SELECT reference, happened, kind, from_value, to_value FROM (
            SELECT reference, happened, 'status' AS kind, prev_st AS from_value, st AS to_value FROM fold_steps
            WHERE st IS NOT NULL AND (step = 1 OR st IS DISTINCT FROM prev_st)
            UNION ALL
            SELECT reference, happened, 'reassigned', prev_team, team_v FROM fold_steps
            WHERE step > 1 AND team_v IS DISTINCT FROM prev_team
            UNION ALL
            SELECT reference, happened, 'severity', prev_sev, sev_v FROM fold_steps
            WHERE step > 1 AND sev_v IS DISTINCT FROM prev_sev
            UNION ALL
            SELECT reference, happened, 'reopened', prev_st, st FROM fold_steps
            WHERE step > 1 AND list_contains($resolved::VARCHAR[], prev_st)
              AND NOT list_contains($resolved::VARCHAR[], coalesce(st, ''))
        ) WHERE happened IS NOT NULL""", {"resolved": lists["resolved"]})
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE fold_facts AS
        SELECT reference,
               min(happened) FILTER (WHERE st IS NOT NULL AND len($new::VARCHAR[]) > 0
                                     AND NOT list_contains($new::VARCHAR[], st)) AS derived_response,
               max(happened) FILTER (WHERE list_contains($resolved::VARCHAR[], st)
                                     AND NOT list_contains($resolved::VARCHAR[], coalesce(prev_st, ''))) AS entered_resolved,
               max(happened) FILTER (WHERE list_contains($closed::VARCHAR[], st)
                                     AND NOT list_contains($closed::VARCHAR[], coalesce(prev_st, ''))) AS entered_closed,
               count(*) FILTER (WHERE step > 1 AND list_contains($resolved::VARCHAR[], prev_st)
                                AND NOT list_contains($resolved::VARCHAR[], coalesce(st, ''))) AS reopenings,
               count(*) FILTER (WHERE step > 1 AND team_v IS DISTINCT FROM prev_team) AS reassignments,
               CASE WHEN len($waiting::VARCHAR[]) > 0 THEN
                    coalesce(sum(epoch(next_happened) - epoch(happened))
                             FILTER (WHERE list_contains($waiting::VARCHAR[], st)), 0) END AS waiting,
               arg_min(sev_v, step) AS first_severity, arg_min(team_v, step) AS first_team
        FROM fold_steps GROUP BY reference""", lists)
    _stage_folded(cur, lists)


def _stage_folded(cur, lists: dict) -> None:
    keep = [c for c in CANONICAL_COLUMNS if c not in TIMESTAMP_COLUMNS]
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE staging AS
        WITH last AS (SELECT * FROM fold_rows QUALIFY step = max(step) OVER (PARTITION BY reference)),
        judged AS (
            SELECT l.*, f.*  EXCLUDE (reference),
                   len($resolved::VARCHAR[]) = 0 OR list_contains($resolved::VARCHAR[], l.st) AS is_resolved,
                   len($closed::VARCHAR[]) = 0 OR list_contains($closed::VARCHAR[], l.st) AS is_closed
            FROM last l JOIN fold_facts f ON f.reference = l.reference
        )
        SELECT line, {', '.join(keep)},
               opened_at, first_opened AS opened_at_ts,
               first_response_at,
               CASE WHEN first_response_at <> '' THEN first_response_at_ts
                    WHEN derived_response IS NOT NULL THEN greatest(derived_response, first_opened)
               END AS first_response_at_ts,
               CASE WHEN is_resolved THEN resolved_at ELSE '' END AS resolved_at,
               CASE WHEN NOT is_resolved THEN NULL WHEN resolved_at <> '' THEN resolved_at_ts
                    ELSE entered_resolved END AS resolved_at_ts,
               CASE WHEN is_closed THEN closed_at ELSE '' END AS closed_at,
               CASE WHEN NOT is_closed THEN NULL WHEN closed_at <> '' THEN closed_at_ts
                    ELSE entered_closed END AS closed_at_ts,
               source_made_sla, try_cast(first_severity AS SMALLINT) AS initial_severity, first_team AS initial_team,
               coalesce(reopen_count, reopenings) AS reopen_count,
               coalesce(reassignment_count, reassignments) AS reassignment_count,
               coalesce(waiting_minutes * 60, waiting) AS waiting_s
        FROM judged""", {"resolved": lists["resolved"], "closed": lists["closed"]})


def insert_folded_events(cur) -> int:
    """Add the folded events of accepted tickets that are not recorded yet; returns how many."""
    before = cur.execute("SELECT count(*) FROM ticket_events").fetchone()[0]
    cur.execute("""
        INSERT INTO ticket_events (ticket_id, occurred_at, kind, from_value, to_value, actor)
        SELECT t.id, e.happened, e.kind, e.from_value, e.to_value, 'import'
        FROM fold_events e JOIN incoming i ON i.reference = e.reference JOIN tickets t ON t.reference = e.reference
        WHERE NOT EXISTS (SELECT 1 FROM ticket_events x WHERE x.ticket_id = t.id AND x.kind = e.kind
                          AND x.occurred_at = e.happened AND x.from_value IS NOT DISTINCT FROM e.from_value
                          AND x.to_value IS NOT DISTINCT FROM e.to_value)""")
    return cur.execute("SELECT count(*) FROM ticket_events").fetchone()[0] - before


def drop_fold_tables(cur) -> None:
    """Remove the temporary tables of this module."""
    for name in ("mapped", "row_rejects", "fold_rows", "fold_steps", "fold_events", "fold_facts"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
