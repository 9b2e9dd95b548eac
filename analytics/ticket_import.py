"""Import of tickets from the canonical CSV (the contract in the README).

Rows are read with Python's csv module (line numbers survive quoted newlines),
staged as text, then validated and upserted in DuckDB SQL inside one
transaction: either the whole import lands with its report, or nothing does.
Every rejected row is kept in ``import_rejections`` with its line and reason;
``read = inserted + updated + unchanged + rejected`` always holds. The import is
idempotent on ``reference``: re-importing a file changes nothing.

``stage_and_apply`` takes an already-mapped staging frame, so importers of other
formats (source profiles) reuse the same validation and upsert.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from analytics import audit
from analytics.access import Actor, require_role

CANONICAL_COLUMNS = (
    "reference", "company", "contact_name", "contact_email", "contact_phone", "user_id", "channel",
    "severity", "category", "platform", "status", "opened_at", "first_response_at", "resolved_at",
    "closed_at", "assignee", "team", "resolution_code", "description",
)
CHANNELS = ("phone", "email", "portal", "voicemail", "remote_session")
DEFAULTED_CHANNELS = ("email", "voicemail")  # a blank severity means 4 on these
TIMESTAMP_COLUMNS = ("opened_at", "first_response_at", "resolved_at", "closed_at")


class ImportFileError(ValueError):
    """The file cannot be read as an import at all (nothing was written)."""


@dataclass
class ImportReport:
    """Counts in and out of one import, with the rejection reasons."""

    file_name: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None

    def summary(self) -> str:
        """One line a person reads after the import."""
        line = (f"{self.file_name}: {self.read} read, {self.inserted} inserted, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected")
        if self.reasons:
            line += " (" + "; ".join(f"{n} × {r}" for r, n in sorted(self.reasons.items())) + ")"
        return line


def read_canonical_csv(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Staging frame (text columns plus ``line``) and the rows rejected while parsing."""
    if not path.is_file():
        raise ImportFileError(f"cannot read {path}: no such file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(f"cannot read {path}: not a UTF-8 CSV file") from None
    if "\x00" in text:
        raise ImportFileError(f"cannot read {path}: binary content, not a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise ImportFileError(f"cannot read {path}: empty file, expected a CSV header") from None
    missing = [c for c in CANONICAL_COLUMNS if c not in header]
    if missing:
        raise ImportFileError(f"cannot read {path}: header lacks column(s) {', '.join(missing)}")
    positions = [header.index(c) for c in CANONICAL_COLUMNS]
    rows, lines, parse_rejects = [], [], []
    line_no = reader.line_num
    while True:
        start = line_no + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parse_rejects.append((start, f"malformed CSV: {exc}", ""))
            line_no = reader.line_num
            continue
        line_no = reader.line_num
        if not record:
            continue
        if len(record) != len(header):
            parse_rejects.append((start, f"expected {len(header)} fields, found {len(record)}",
                                  ",".join(record)[:500]))
            continue
        rows.append([record[i].strip() for i in positions])
        lines.append(start)
    frame = pd.DataFrame(rows, columns=list(CANONICAL_COLUMNS), dtype="string")
    frame.insert(0, "line", pd.Series(lines, dtype="int64"))
    return frame, parse_rejects


VALIDATE_SQL = f"""
CREATE OR REPLACE TEMP TABLE staged AS
WITH typed AS (
    SELECT s.*,
           nullif(s.reference, '') AS ref,
           try_cast(nullif(s.severity, '') AS INTEGER) AS sev_num,
           {", ".join(f"try_cast(nullif(s.{c}, '') AS TIMESTAMPTZ) AS {c}_ts" for c in TIMESTAMP_COLUMNS)},
           row_number() OVER (PARTITION BY nullif(s.reference, '') ORDER BY s.line DESC) AS dup_rank,
           max(s.line) OVER (PARTITION BY nullif(s.reference, '')) AS last_line
    FROM staging s
)
SELECT *,
    CASE
      WHEN ref IS NULL THEN 'missing reference'
      WHEN dup_rank > 1 THEN 'duplicate reference in file (kept line ' || last_line || ')'
      WHEN nullif(company, '') IS NULL THEN 'missing company'
      WHEN NOT list_contains({list(CHANNELS)}, lower(channel)) THEN 'unknown channel ''' || channel || ''''
      WHEN nullif(severity, '') IS NULL AND NOT list_contains({list(DEFAULTED_CHANNELS)}, lower(channel))
           THEN 'missing severity (required for ' || lower(channel) || ')'
      WHEN nullif(severity, '') IS NOT NULL AND (sev_num IS NULL OR sev_num NOT BETWEEN 1 AND 4)
           THEN 'severity must be 1, 2, 3 or 4, not ''' || severity || ''''
      WHEN nullif(opened_at, '') IS NULL THEN 'missing opened_at'
      {"".join(f"WHEN nullif({c}, '') IS NOT NULL AND {c}_ts IS NULL THEN 'unreadable {c} (ISO 8601 expected)' " for c in TIMESTAMP_COLUMNS)}
      WHEN first_response_at_ts < opened_at_ts THEN 'first_response_at before opened_at'
      WHEN resolved_at_ts < opened_at_ts THEN 'resolved_at before opened_at'
      WHEN closed_at_ts < coalesce(resolved_at_ts, opened_at_ts) THEN 'closed_at before resolved_at'
      WHEN nullif(contact_email, '') IS NOT NULL AND contact_email NOT LIKE '%_@_%' THEN 'invalid contact_email'
    END AS reject_reason
FROM typed
"""

UPSERT_SQL = """
CREATE OR REPLACE TEMP TABLE incoming AS
SELECT st.ref AS reference, co.id AS company_id,
       nullif(st.contact_name, '') AS contact_name, nullif(st.contact_email, '') AS contact_email,
       nullif(st.contact_phone, '') AS contact_phone, nullif(st.user_id, '') AS user_id,
       ct.is_admin AS raised_by_admin, lower(st.channel) AS channel,
       coalesce(st.sev_num, $default_severity)::SMALLINT AS severity,
       nullif(st.category, '') AS category, nullif(st.platform, '') AS platform,
       coalesce(nullif(lower(st.status), ''),
                CASE WHEN st.closed_at_ts IS NOT NULL THEN 'closed'
                     WHEN st.resolved_at_ts IS NOT NULL THEN 'resolved' ELSE 'open' END) AS status,
       st.opened_at_ts AS opened_at, st.first_response_at_ts AS first_response_at,
       st.resolved_at_ts AS resolved_at, st.closed_at_ts AS closed_at,
       nullif(st.assignee, '') AS assignee, nullif(st.team, '') AS team,
       nullif(st.resolution_code, '') AS resolution_code, nullif(st.description, '') AS description,
       t.id AS existing_id
FROM staged st
JOIN companies co ON co.name = st.company
LEFT JOIN (SELECT email, bool_or(is_admin) AS is_admin FROM contacts GROUP BY email) ct
       ON ct.email = nullif(st.contact_email, '')
LEFT JOIN tickets t ON t.reference = st.ref
WHERE st.reject_reason IS NULL
"""
COMPARED = ("company_id", "contact_name", "contact_email", "contact_phone", "user_id", "channel",
            "severity", "category", "platform", "status", "opened_at", "first_response_at",
            "resolved_at", "closed_at", "assignee", "team", "resolution_code", "description")


def stage_and_apply(cur, staging: pd.DataFrame, parse_rejects: list[tuple[int, str, str]], *,
                    report: ImportReport, source: str, actor: Actor, default_severity: int = 4) -> ImportReport:
    """Validate the staging frame and upsert it, inside the caller's transaction."""
    started = datetime.now(timezone.utc)
    cur.register("staging", staging)
    cur.execute(VALIDATE_SQL)
    cur.execute("INSERT INTO companies (id, name) SELECT (SELECT coalesce(max(id), 0) FROM companies) "
                "+ row_number() OVER (ORDER BY company), company FROM (SELECT DISTINCT company FROM staged "
                "WHERE reject_reason IS NULL AND company NOT IN (SELECT name FROM companies))")
    cur.execute(UPSERT_SQL, {"default_severity": default_severity})
    changed = " OR ".join(f"i.{c} IS DISTINCT FROM t.{c}" for c in COMPARED)
    report.updated = cur.execute(f"SELECT count(*) FROM incoming i JOIN tickets t ON t.id = i.existing_id "
                                 f"WHERE {changed}").fetchone()[0]
    report.inserted = cur.execute("SELECT count(*) FROM incoming WHERE existing_id IS NULL").fetchone()[0]
    incoming = cur.execute("SELECT count(*) FROM incoming").fetchone()[0]
    report.unchanged = incoming - report.inserted - report.updated
    _record_changes(cur, changed)
    sets = ", ".join(f"{c} = i.{c}" for c in COMPARED)
    cur.execute(f"UPDATE tickets t SET {sets}, raised_by_admin = i.raised_by_admin, updated_at = now() "
                f"FROM incoming i WHERE t.id = i.existing_id AND ({changed})")
    cur.execute(f"""
        INSERT INTO tickets (id, reference, raised_by_admin, initial_severity, source, {", ".join(COMPARED)})
        SELECT (SELECT coalesce(max(id), 0) FROM tickets) + row_number() OVER (ORDER BY opened_at, reference),
               reference, raised_by_admin, severity, $source, {", ".join(COMPARED)}
        FROM incoming WHERE existing_id IS NULL""", {"source": source})
    _insert_lifecycle_events(cur)
    rejects = cur.execute("SELECT line, reject_reason, concat_ws(',', reference, company, channel, severity, "
                          "opened_at) FROM staged WHERE reject_reason IS NOT NULL ORDER BY line").fetchall()
    rejects = sorted(parse_rejects + rejects)
    report.rejected = len(rejects)
    report.read = incoming + report.rejected
    for _, reason, _ in rejects:
        key = reason.split(" (kept line")[0].split(" '")[0]
        report.reasons[key] = report.reasons.get(key, 0) + 1
    report.import_id = cur.execute(
        "INSERT INTO import_runs (kind, source, file_name, actor, started_at, finished_at, rows_read, "
        "inserted, updated, unchanged, rejected) VALUES ('tickets', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [source, report.file_name, actor.label, started, datetime.now(timezone.utc), report.read,
         report.inserted, report.updated, report.unchanged, report.rejected]).fetchone()[0]
    if rejects:
        cur.executemany("INSERT INTO import_rejections VALUES (?, ?, ?, ?)",
                        [(report.import_id, line, reason, raw) for line, reason, raw in rejects])
    audit.record(cur, actor=actor, action="import", entity="import_run", entity_id=report.import_id,
                 after={"file": report.file_name, "source": source, "read": report.read,
                        "inserted": report.inserted, "updated": report.updated,
                        "unchanged": report.unchanged, "rejected": report.rejected})
    for name in ("staged", "incoming"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    cur.unregister("staging")
    return report


def _record_changes(cur, changed: str) -> None:
    """Severity, team and status changes of known tickets become ticket events."""
    for kind, column in (("severity", "severity"), ("reassigned", "team"), ("status", "status")):
        cur.execute(f"""
            INSERT INTO ticket_events (ticket_id, occurred_at, kind, from_value, to_value, actor)
            SELECT t.id, now(), '{kind}', t.{column}::VARCHAR, i.{column}::VARCHAR, 'import'
            FROM incoming i JOIN tickets t ON t.id = i.existing_id
            WHERE i.{column} IS DISTINCT FROM t.{column}""")


def _insert_lifecycle_events(cur) -> None:
    cur.execute("""
        INSERT INTO ticket_events (ticket_id, occurred_at, kind, from_value, to_value, actor)
        SELECT t.id, e.happened, e.kind, NULL, e.value, 'import'
        FROM incoming i JOIN tickets t ON t.reference = i.reference AND i.existing_id IS NULL,
             LATERAL (VALUES ('opened', i.opened_at, i.team), ('response', i.first_response_at, NULL),
                             ('resolved', i.resolved_at, NULL), ('closed', i.closed_at, NULL)) e(kind, happened, value)
        WHERE e.happened IS NOT NULL""")


def import_tickets(db, path: str | Path, *, actor: Actor, default_severity: int = 4) -> ImportReport:
    """Import a canonical CSV in one transaction; raises ImportFileError for an unreadable file."""
    require_role(actor, "admin", action="import tickets")
    path = Path(path)
    staging, parse_rejects = read_canonical_csv(path)
    report = ImportReport(file_name=path.name)
    return db.write(stage_and_apply, staging, parse_rejects, report=report, source="canonical",
                    actor=actor, default_severity=default_severity)
