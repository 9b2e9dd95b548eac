"""What in a mapping does not fit the file: the warnings an import shows before it is confirmed.

Each check reads the whole file (TEMP VIEW ``raw_rows``), never a sample, in one scan per kind:

- a value-map key, or a status of ``[events]``, that matches no value in the file while a value
  nothing matches is close to it (a typo: "Close" for "Closed" leaves every ticket open), or a
  map or status list none of whose entries is in the file;
- a named column missing from the file whose ``default`` then stands in on every row
  (``analytics/imports/header.py``);
- a timestamp format that does not read every non-empty value (how many fell back to
  ISO 8601, or were unreadable, with examples);
- day and month: the order the values show over the whole column (a value above 12 in one
  place) against the format's, or the fact that no value tells them apart;
- a share of rejected rows above :data:`REJECTED_SHARE_WARNING`.

``import tickets --strict`` (and ``strict=True``) refuses an import with any warning.
"""
from __future__ import annotations

import difflib
import re

from analytics.imports.columns import OPTIONAL_COLUMNS
from analytics.imports.mapping import FieldExpressions
from analytics.imports.profiles import BOOLEAN_FIELDS, BOOLEAN_WORDS_TEXT, TIMESTAMP_FIELDS, Profile

REJECTED_SHARE_WARNING = 0.05      # more rejected rows than this share of the file: a warning
SHOWN_VALUES = 8                   # distinct values named in a warning
DAY_MONTH = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}"


def _quoted(values, limit: int = SHOWN_VALUES) -> str:
    values = sorted(v for v in values if v is not None)
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit:,} more" if len(values) > limit else "") if values else "none"


def value_map_warnings(cur, profile: Profile, positions: dict[str, int], timezone: str) -> list[str]:
    """Map keys (and ``[events]`` statuses) that match no value of their column anywhere in the file."""
    ex = FieldExpressions(profile, positions, timezone)
    specs = [s for s in profile.fields if s.value_map and ex.values(s) != "NULL::VARCHAR"
             and not (s.name in BOOLEAN_FIELDS and s.value_map == BOOLEAN_WORDS_TEXT)]
    status = profile.field("status")
    lists = {}
    if profile.events is not None and status is not None:
        lists = {k: getattr(profile.events, k) for k in
                 ("new_statuses", "resolved_statuses", "closed_statuses", "waiting_statuses", "ignored_statuses")}
    wanted = [(s.name, f"lower({ex.values(s)})") for s in specs]
    if any(lists.values()):
        wanted.append(("events", f"lower({ex.text(status)})"))
    if not wanted:
        return []
    sql = ("SELECT " + ", ".join(f"list(DISTINCT w{i})" for i in range(len(wanted))) + " FROM (SELECT "
           + ", ".join(f"{expr} AS w{i}" for i, (_, expr) in enumerate(wanted)) + " FROM raw_rows)")
    seen = dict(zip([n for n, _ in wanted], cur.execute(sql, _used(sql, ex.params)).fetchone(), strict=True))
    found = []
    for spec in specs:
        if spec.name in OPTIONAL_COLUMNS and not set(seen[spec.name] or ()) - {None}:
            continue  # an optional column left empty (no survey): nothing to match, no typo to find
        keys = [k for k, _ in spec.value_map]
        columns = " / ".join(repr(c) for c in (spec.column, *spec.fallbacks) if c in positions)
        found += _unmatched(f"fields.{spec.name}.map", keys, set(seen[spec.name] or ()),
                            f"value of column {columns}", f"no key matches a value of column {columns}")
    statuses = set(seen.get("events") or ())
    for name, entries in lists.items():
        found += _unmatched(f"events.{name}", list(entries), statuses, "status in the file",
                            "none of these statuses is in the file")
    return found


def _unmatched(where: str, keys: list[str], values: set, what: str, none: str) -> list[str]:
    """A typo (a key matching nothing, close to a value nothing matches), or a list matching nothing at all.
    A key matching nothing is otherwise fine: a vendor's profile maps values a given file may not use."""
    if not keys:
        return []
    unmatched = [k for k in keys if k not in values]
    if len(unmatched) == len(keys):
        return [f"{where}: {none} ({_quoted(keys)}; values in the file: {_quoted(values)})"]
    free = sorted(v for v in values - set(keys) if v is not None)
    found = []
    for key in unmatched:
        close = difflib.get_close_matches(key, free, n=1, cutoff=0.75)
        if close:
            found.append(f"{where}: {key!r} matches no {what}; did you mean {close[0]!r}?")
    return found


def _used(sql: str, params: dict) -> dict:
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def _format_order(formats) -> str | None:
    """'day' or 'month' for the first format that has both, read left to right; None without one."""
    for fmt in formats:
        day, month = fmt.find("%d"), fmt.find("%m")
        if day >= 0 and month >= 0 and fmt.find("%Y") > max(day, month):
            return "day" if day < month else "month"
    return None


def _iso_like(formats) -> bool:
    return any(f.startswith(("%Y-", "%Y/")) for f in formats)


def timestamp_warnings(cur, profile: Profile, *, table: str) -> list[str]:
    """Values that the formats do not read but ISO 8601 does, and the order of day and month over each
    whole column, in one scan of ``table`` (``mapped`` or ``staged``: the texts the mapping read).

    A value falls back to ISO 8601 when it is shaped like one
    (``YYYY-MM-DD``) under formats that are not (checked by parsing only where the formats are ISO-like
    themselves); day and month are read from the distinct ``d/m/yyyy`` prefixes, not from every value.
    Values that nothing reads are counted after validation (:func:`unreadable_warnings`)."""
    present = {r[0] for r in cur.execute(f"DESCRIBE {table}").fetchall()}
    texts, names, params = [], [], {}
    for name in TIMESTAMP_FIELDS:
        spec = profile.field(name)
        if spec is None or name not in present:
            continue
        texts.append(f"nullif({name}, '') AS v{len(names)}")
        names.append((name, spec, list(spec.formats if spec.formats is not None else profile.timestamp_formats)))
    if not names:
        return []
    checks = []
    for n, (name, _, formats) in enumerate(names):
        if formats and _iso_like(formats):
            params[f"f_{name}"] = formats
            fell = f"v{n} IS NOT NULL AND try_strptime(v{n}, $f_{name}::VARCHAR[]) IS NULL " \
                   f"AND try_cast(v{n} AS TIMESTAMPTZ) IS NOT NULL"
        elif formats:
            fell = f"regexp_matches(v{n}, '^\\d{{4}}-\\d{{2}}-\\d{{2}}') AND try_cast(v{n} AS TIMESTAMPTZ) IS NOT NULL"
        else:
            fell = "false"
        shaped = f"(substr(v{n}, 2, 1) IN ('/', '.', '-') OR substr(v{n}, 3, 1) IN ('/', '.', '-'))"
        checks.append(f"count(v{n}), count(*) FILTER (WHERE {fell}), "
                      f"[min(v{n}) FILTER (WHERE {fell}), max(v{n}) FILTER (WHERE {fell})], "
                      f"list(DISTINCT CASE WHEN {shaped} THEN left(v{n}, 10) END)")
    sql = f"SELECT {', '.join(checks)} FROM (SELECT {', '.join(texts)} FROM {table})"
    row = cur.execute(sql, params).fetchone()
    found = []
    for index, (name, spec, formats) in enumerate(names):
        filled, fell_back, examples, prefixes = row[index * 4:(index + 1) * 4]
        if fell_back:
            found.append(f"{name}: {fell_back:,} of {filled:,} values do not match the format(s) "
                         f"{_quoted(formats)} and were read as ISO 8601 instead (e.g. {_quoted(set(examples), 3)})")
        parts = [(int(m.group(1)), int(m.group(2)), m.group(0).strip()) for p in prefixes or () if p
                 for m in [re.match(DAY_MONTH, p)] if m]
        if parts:
            top1, top2 = max(parts, key=lambda t: t[0]), max(parts, key=lambda t: t[1])
            found += _day_month(name, spec.column, _format_order(formats), top1[0], top2[1], top1[2], top2[2])
    return found


def unreadable_warnings(cur, profile: Profile, *, table: str) -> list[str]:
    """Timestamp values that neither the formats nor ISO 8601 read (their rows are rejected), per field,
    counted over ``table`` (``mapped`` or ``staged``: their texts beside their parsed values)."""
    found = []
    fields = [n for n in TIMESTAMP_FIELDS if profile.field(n) is not None
              and n in {r[0] for r in cur.execute(f"DESCRIBE {table}").fetchall()}]
    if not fields:
        return []
    row = cur.execute("SELECT " + ", ".join(
        f"count(nullif({n}, '')), count(*) FILTER (WHERE {n} <> '' AND {n}_ts IS NULL), "
        f"[min({n}) FILTER (WHERE {n} <> '' AND {n}_ts IS NULL), max({n}) FILTER (WHERE {n} <> '' AND {n}_ts IS NULL)]"
        for n in fields) + f" FROM {table}").fetchone()
    for index, name in enumerate(fields):
        filled, unreadable, examples = row[index * 3:(index + 1) * 3]
        spec = profile.field(name)
        formats = list(spec.formats if spec.formats is not None else profile.timestamp_formats)
        if unreadable and formats:
            found.append(f"{name}: {unreadable:,} of {filled:,} values match neither the format(s) "
                         f"{_quoted(formats)} nor ISO 8601 and reject their rows (e.g. {_quoted(set(examples), 3)})")
    return found


def _day_month(name: str, column: str, order: str | None, top1: int, top2: int, ex1, ex2) -> list[str]:
    if top1 > 12 and top2 > 12:
        return []
    where = f"{name} (column {column!r})"
    if top1 > 12 and order != "day":
        return [f"{where}: the values are day-first (e.g. {ex1!r}) but "
                + ("the format reads the month first" if order else "no timestamp format says so")
                + "; use e.g. timestamp_formats = [\"%d/%m/%Y %H:%M\"]"]
    if top2 > 12 and order != "month":
        return [f"{where}: the values are month-first (e.g. {ex2!r}) but "
                + ("the format reads the day first" if order else "no timestamp format says so")
                + "; use e.g. timestamp_formats = [\"%m/%d/%Y %H:%M\"]"]
    if top1 <= 12 and top2 <= 12:
        read = f"they are read {order}-first by the format" if order else "no format says which comes first"
        return [f"{where}: day and month cannot be told apart (no value has either above 12); {read}: "
                "check one date you know"]
    return []


def rejected_share_warning(read: int, rejected: int) -> list[str]:
    """A warning when more than :data:`REJECTED_SHARE_WARNING` of the rows are rejected."""
    if read and rejected / read > REJECTED_SHARE_WARNING:
        return [f"{rejected:,} of {read:,} rows ({rejected / read:.0%}) are rejected, more than "
                f"{REJECTED_SHARE_WARNING:.0%}: check the mapping against the reasons below"]
    return []
