"""Importing tickets from any export with a source profile, in one transaction, with a report.

:func:`import_file` reads a file (``analytics/imports/files.py``), maps its rows with a
profile (``analytics/imports/mapping.py``), folds event logs, validates and applies the
tickets (``analytics/imports/staging.py``) and records the run with every rejected row,
its line and its reason, all in one transaction: a failure or a crash leaves the
database as it was. ``dry_run=True`` does the same work and rolls it back, returning a
preview (mapped tickets, rejections, counts) for the Import page. :func:`resolve_profile`
picks the profile: a mapping file, a named source, or the one recognised from the header.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analytics.imports.checks import (
    rejected_share_warning,
    timestamp_warnings,
    unreadable_warnings,
    value_map_warnings,
)
from analytics.imports.files import ImportFileError, open_export, peek_header
from analytics.imports.fold import NOTES, drop_fold_tables, fold_events, fold_warnings, insert_folded_events
from analytics.imports.header import column_positions, defaulted_columns, detect_profile
from analytics.imports.mapping import map_rows, staging_select
from analytics.imports.profiles import Profile, ProfileError, get_profile, load_profile
from analytics.imports.rows import drop_rows, load_rows
from analytics.imports.staging import (
    TicketImportReport,
    apply_staged,
    drop_work_tables,
    record_run,
    validate_staging,
)
from analytics.kernel.roles import ADMIN, Actor, require_role
from analytics.settings.queries import earliest_accepted
from analytics.sla.calendars import ensure_intervals
from analytics.store.database import Database
from analytics.store.errors import QueryFailed

# share of the progress bar each step takes, in order
STEPS = {"scanning": (0.0, 0.30), "converting to UTF-8": (0.0, 0.30), "parsing": (0.30, 0.55),
         "mapping": (0.55, 0.62), "folding": (0.62, 0.70), "validating": (0.70, 0.75),
         "writing": (0.75, 0.95), "recording": (0.95, 1.0)}
PREVIEW_COLUMNS = ("line", "reference", "company", "channel", "severity", "status", "opened_at_ts",
                   "first_response_at_ts", "resolved_at_ts", "closed_at_ts", "team", "assignee",
                   "source_made_sla", "reject_reason")


@dataclass
class ImportPreview:
    """What an import would do, computed by running it and rolling it back."""

    report: TicketImportReport
    profile: Profile
    header: list[str]
    details: dict
    tickets: pd.DataFrame = field(default_factory=pd.DataFrame)
    rejections: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    disagreements: pd.DataFrame = field(default_factory=pd.DataFrame)   # reference, note (event logs)


def _overall(progress: Callable[[str, float], None] | None) -> Callable[[str, float], None]:
    """Turn per-step fractions into one fraction of the whole import."""
    def report(step: str, fraction: float) -> None:
        if progress is not None:
            low, high = STEPS.get(step, (0.0, 1.0))
            progress(step, low + (high - low) * max(0.0, min(fraction, 1.0)))
    return report


def resolve_profile(path: str | Path, *, source: str | None = None, mapping: str | Path | None = None) -> Profile:
    """The mapping file, else the named source, else the shipped profile recognised from the header."""
    if mapping is not None:
        return load_profile(mapping)
    if source is not None:
        return get_profile(source)
    header = peek_header(path)
    found = detect_profile(header)
    if found is None:
        canonical = get_profile("canonical")
        try:
            column_positions(canonical, header)
        except ProfileError as exc:
            raise ImportFileError(f"cannot read {path}: {exc}; it matches no source profile either "
                                  "(see --source, --mapping and 'import inspect')") from None
    return found


def check_formats(cur, profile: Profile) -> None:
    """Refuse a timestamp format DuckDB cannot use, naming it."""
    formats = set(profile.timestamp_formats)
    for spec in profile.fields:
        formats |= set(spec.formats or ())
    for fmt in sorted(formats):
        try:
            cur.execute("SELECT try_strptime('2024-01-01', $f)", {"f": fmt})
        except QueryFailed as exc:
            raise ProfileError(f"timestamp format {fmt!r} is not usable: {str(exc).splitlines()[0]}") from None


def _collect_rejects(cur, parse_rejects: pd.DataFrame, *, delimiter: str, width: int, folded: bool) -> None:
    """TEMP TABLE import_rejects (line, reason, raw): parser, row and ticket rejections."""
    cur.register("parse_rejects", parse_rejects)
    if folded:
        ticket_rows = ("SELECT r.line, s.reject_reason FROM staged s JOIN fold_rows r ON r.reference = s.reference "
                       "WHERE s.reject_reason IS NOT NULL UNION ALL SELECT line, reason FROM row_rejects")
    else:
        ticket_rows = "SELECT line, reject_reason FROM staged WHERE reject_reason IS NOT NULL"
    cur.execute(f"CREATE OR REPLACE TEMP TABLE rejected AS {ticket_rows}")
    raw = "SELECT NULL::BIGINT AS line, NULL::VARCHAR AS raw WHERE false"
    if cur.execute("SELECT count(*) FROM rejected").fetchone()[0]:
        columns = ", ".join(f"c{i}" for i in range(width))
        raw = (f"SELECT line, left(concat_ws($delim, {columns}), 500) AS raw FROM raw_rows "
               f"WHERE line IN (SELECT line FROM rejected)")
    sql = f"""
        CREATE OR REPLACE TEMP TABLE import_rejects AS
        WITH raw AS ({raw})
        SELECT line::BIGINT AS line, reason::VARCHAR AS reason, raw::VARCHAR AS raw FROM parse_rejects
        UNION ALL
        SELECT r.line, r.reject_reason, w.raw FROM rejected r LEFT JOIN raw w USING (line)"""
    cur.execute(sql, {"delim": delimiter or ","} if "$delim" in sql else {})
    cur.execute("DROP TABLE rejected")
    cur.unregister("parse_rejects")


class ImportRefused(ImportFileError):
    """``strict``: the mapping does not fit the file; nothing was written. Holds the warnings."""

    def __init__(self, warnings: list[str]):
        self.warnings = list(warnings)
        count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
        super().__init__(f"import refused (--strict), nothing written: {count}: {'; '.join(warnings)}")


def _run(cur, db: Database, path: Path, profile: Profile, *, actor: Actor, default_severity: int,
         progress: Callable[[str, float], None], preview_rows: int | None, strict: bool = False):
    started = datetime.now(UTC)
    report = TicketImportReport(file_name=path.name, source=profile.name)
    check_formats(cur, profile)
    with open_export(cur, path, strict_utf8=profile.strict_utf8, progress=progress) as export:
        try:
            positions = column_positions(profile, export.header)
        except ProfileError as exc:
            raise ImportFileError(f"cannot read {path}: {exc}") from None
        parse_rejects = load_rows(cur, export, progress=progress)
    # the rows are loaded (their file order fixed their lines): the rest may run in any order
    cur.execute("SET preserve_insertion_order = false")
    details = {"format": export.format, "encoding": export.encoding, "delimiter": export.delimiter,
               "title": profile.title, "mapping": profile.text}
    progress("mapping", 0.0)
    zone = profile.timezone or db.timezone
    earliest = earliest_accepted(db)
    folded = profile.events is not None
    warnings = defaulted_columns(profile, export.header) + value_map_warnings(cur, profile, positions, zone)
    if folded:
        hint = map_rows(cur, profile, positions, timezone=zone)
        progress("folding", 0.0)
        fold_events(cur, profile, hint)
        warnings += fold_warnings(cur)
        progress("validating", 0.0)
        validate_staging(cur, hint=hint, earliest=earliest)
    else:
        sql, params, hint = staging_select(profile, positions, timezone=zone)
        progress("validating", 0.0)
        validate_staging(cur, hint=hint, source=(sql, params), earliest=earliest)
    read_rows = "mapped" if folded else "staged"   # the texts the mapping read, beside their parsed values
    warnings += timestamp_warnings(cur, profile, table=read_rows) + unreadable_warnings(cur, profile, table=read_rows)
    report.read = cur.execute("SELECT count(*) FROM raw_parsed").fetchone()[0] + len(parse_rejects)
    _collect_rejects(cur, parse_rejects, delimiter=export.delimiter, width=len(export.header), folded=folded)
    rejected = cur.execute("SELECT count(*) FROM import_rejects").fetchone()[0]
    report.warnings = warnings + rejected_share_warning(report.read, rejected)
    if strict and report.warnings:
        raise ImportRefused(report.warnings)
    progress("writing", 0.0)
    apply_staged(cur, report, source=profile.name, default_severity=default_severity, record_changes=not folded,
                 actor=actor)
    if folded:
        report.events += insert_folded_events(cur)
        report.tickets = report.inserted + report.updated + report.unchanged
    progress("recording", 0.0)
    record_run(cur, report, actor=actor, started=started, details=details)
    result = report
    if preview_rows is not None:
        result = _preview(cur, report, profile, export.header, details, preview_rows, folded)
    drop_work_tables(cur)
    drop_fold_tables(cur)
    drop_rows(cur)
    progress("recording", 1.0)
    return result


def _preview(cur, report, profile, header, details, limit: int, folded: bool) -> ImportPreview:
    columns = ", ".join(PREVIEW_COLUMNS)
    tickets = cur.execute(f"SELECT {columns} FROM staged ORDER BY reject_reason NULLS FIRST, line LIMIT $n",
                          {"n": limit}).df()
    rejections = cur.execute("SELECT line, reason, raw FROM import_rejects ORDER BY line LIMIT $n",
                             {"n": limit}).df()
    events = (cur.execute("SELECT reference, happened AS occurred_at, kind, from_value, to_value FROM fold_events "
                          "ORDER BY reference, happened, kind LIMIT $n", {"n": limit}).df()
              if folded else pd.DataFrame())
    disagreements = pd.DataFrame()
    if folded:
        disagreements = cur.execute("SELECT reference, note FROM fold_notes ORDER BY reference, note LIMIT $n",
                                    {"n": limit}).df()
        disagreements["note"] = disagreements["note"].map(NOTES)
    return ImportPreview(report=report, profile=profile, header=header, details=details, tickets=tickets,
                         rejections=rejections, events=events, disagreements=disagreements)


def import_file(db: Database, path: str | Path, *, profile: Profile, actor: Actor, default_severity: int = 4,
                progress: Callable[[str, float], None] | None = None, dry_run: bool = False,
                preview_rows: int = 200, strict: bool = False) -> TicketImportReport | ImportPreview:
    """Import a file with a profile in one transaction (or, with ``dry_run``, preview it and roll back).
    The report's ``warnings`` say what in the mapping does not fit the file (``analytics/imports/checks.py``);
    ``strict`` refuses the import (:class:`ImportRefused`, nothing written) when there is any."""
    require_role(actor, ADMIN, action="import tickets")
    ensure_intervals(db)  # a new database gets its calendars' working intervals, for the SLA figures
    path = Path(path)
    step = _overall(progress)
    if not dry_run:
        check_free_space(db, path)
        return db.write(_run, db, path, profile, actor=actor, default_severity=default_severity,
                        progress=step, preview_rows=None, strict=strict)
    with db.rehearsal() as cur:  # the whole import, rolled back
        return _run(cur, db, path, profile, actor=actor, default_severity=default_severity,
                    progress=step, preview_rows=preview_rows)


GROWTH_PER_INPUT_BYTE = {"gz": 2.0, "parquet": 1.5, "xlsx": 1.0}  # else 0.5 (a CSV: measured about 0.25)


def check_free_space(db: Database, path: Path) -> None:
    """Refuse, before writing anything, an import that could fill the embedded store's disk.

    A write that fails for want of space leaves the database file at the size it reached, and then
    even a one-row change cannot commit. So an import needs twice the space its rows may take
    (about half the size of a CSV, measured at a quarter) plus a megabyte, free on the disk that
    holds the database."""
    if db.postgres or not path.is_file():  # no file: reading it says so, in words
        return
    factor = GROWTH_PER_INPUT_BYTE.get(path.suffix.lower().lstrip("."), 0.5)
    need = int(2 * factor * path.stat().st_size) + 2**20
    free = shutil.disk_usage(Path(db.path).resolve().parent).free
    if free < need:
        raise ImportFileError(
            f"not enough free disk space to import {path.name}: the disk holding {db.path} has {free / 2**20:,.0f} MB "
            f"free and this import may need up to {need / 2**20:,.0f} MB. Nothing was written; free space on that "
            f"disk and import again.")


def import_tickets(db: Database, path: str | Path, *, actor: Actor, default_severity: int = 4,
                   progress=None) -> TicketImportReport:
    """Import a canonical CSV in one transaction; raises ImportFileError for an unreadable file."""
    require_role(actor, ADMIN, action="import tickets")
    return import_file(db, path, profile=get_profile("canonical"), actor=actor,
                       default_severity=default_severity, progress=progress)
