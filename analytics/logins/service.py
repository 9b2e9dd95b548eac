"""Import of login events from the canonical CSV (the README's contract).

The file has the columns ``occurred_at, user_id, company, ip, outcome, actor``
(extra columns are ignored). Rows are read with Python's csv module (line numbers
survive quoted newlines), staged as text, validated in DuckDB SQL and merged into
``login_events`` inside one transaction: either the whole import lands with its
report, or nothing does. Every rejected row is kept in ``import_rejections`` with
its line and reason; ``read = inserted + updated + unchanged + rejected``. An
event is identified by its user, instant and outcome, so re-importing a file
changes nothing. IP addresses are validated and canonicalised here; the trusted
zone is never read from the file but derived on read from the policy.
"""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from analytics.audit import service as audit
from analytics.kernel.reports import ImportReport
from analytics.kernel.roles import ADMIN, Actor, require_role
from analytics.logins.rollups import BASE_COLUMNS, merge_events
from analytics.logins.rules import ADMIN_ACTIONS, OUTCOMES, canonical_ip, ip_number
from analytics.settings.queries import DEFAULT_EARLIEST, earliest_accepted
from analytics.store.database import Database

LOGIN_COLUMNS = ("occurred_at", "user_id", "company", "ip", "outcome", "actor")


class LoginImportFileError(ValueError):
    """The file cannot be read as a login import at all (nothing was written)."""


def read_login_csv(path: Path) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    """Staging frame (text columns plus ``line``) and the rows rejected while parsing."""
    if not path.is_file():
        raise LoginImportFileError(f"cannot read {path}: no such file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoginImportFileError(f"cannot read {path}: not a UTF-8 CSV file") from None
    if "\x00" in text:
        raise LoginImportFileError(f"cannot read {path}: binary content, not a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise LoginImportFileError(f"cannot read {path}: empty file, expected a CSV header") from None
    missing = [c for c in LOGIN_COLUMNS if c not in header]
    if missing:
        raise LoginImportFileError(f"cannot read {path}: header lacks column(s) {', '.join(missing)}")
    positions = [header.index(c) for c in LOGIN_COLUMNS]
    rows, lines, rejects = [], [], []
    line_no = reader.line_num
    while True:
        start = line_no + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rejects.append((start, f"malformed CSV: {exc}", ""))
            line_no = reader.line_num
            continue
        line_no = reader.line_num
        if not record:
            continue
        if len(record) != len(header):
            rejects.append((start, f"expected {len(header)} fields, found {len(record)}", ",".join(record)[:500]))
            continue
        rows.append([record[i].strip() for i in positions])
        lines.append(start)
    frame = pd.DataFrame(rows, columns=list(LOGIN_COLUMNS), dtype="string")
    frame.insert(0, "line", pd.Series(lines, dtype="int64"))
    return frame, rejects


def parse_addresses(raw: pd.Series) -> pd.DataFrame:
    """Each distinct address text with its canonical form and number (both NULL when invalid)."""
    rows = []
    for text in raw.dropna().unique():
        try:
            rows.append((text, canonical_ip(text), str(ip_number(text))))
        except ValueError:
            rows.append((text, None, None))
    return pd.DataFrame(rows, columns=["raw", "canonical", "ip_num"], dtype="string")


VALIDATE_SQL = f"""
CREATE OR REPLACE TEMP TABLE login_staged AS
WITH typed AS (
    SELECT s.*, try_cast(nullif(s.occurred_at, '') AS TIMESTAMPTZ) AS at_ts, lower(s.outcome) AS outcome_l,
           a.canonical, a.ip_num AS ip_number
    FROM login_staging s LEFT JOIN login_addresses a ON a.raw = s.ip
), reasoned AS (
    SELECT *, CASE
        WHEN nullif(occurred_at, '') IS NULL THEN 'missing occurred_at'
        WHEN at_ts IS NULL THEN 'unreadable occurred_at (ISO 8601 expected)'
        WHEN at_ts < $earliest THEN 'occurred_at before ' || strftime($earliest, '%Y-%m-%d') || ' (implausible)'
        WHEN at_ts > $latest THEN 'occurred_at more than a day in the future'
        WHEN nullif(user_id, '') IS NULL THEN 'missing user_id'
        WHEN nullif(company, '') IS NULL THEN 'missing company'
        WHEN nullif(ip, '') IS NULL THEN 'missing ip'
        WHEN canonical IS NULL THEN 'invalid ip address ''' || ip || ''''
        WHEN nullif(outcome, '') IS NULL THEN 'missing outcome'
        WHEN NOT list_contains({list(OUTCOMES)}, outcome_l) THEN 'unknown outcome ''' || outcome || ''''
        WHEN list_contains({list(ADMIN_ACTIONS)}, outcome_l) AND nullif(actor, '') IS NULL
             THEN 'missing actor (the administrator, required for ' || outcome_l || ')'
    END AS base_reason
    FROM typed
), ranked AS (
    SELECT *, row_number() OVER key_window AS dup_rank, max(line) OVER key_window AS last_line
    FROM reasoned
    WINDOW key_window AS (PARTITION BY base_reason IS NULL, user_id, at_ts, outcome_l ORDER BY line DESC)
)
SELECT *, CASE WHEN base_reason IS NOT NULL THEN base_reason
               WHEN dup_rank > 1 THEN 'duplicate event in file (kept line ' || last_line || ')' END AS reject_reason
FROM ranked
"""

INCOMING_SQL = """
CREATE OR REPLACE TEMP TABLE login_incoming AS
SELECT st.at_ts AS occurred_at, st.user_id, co.id AS company_id, st.canonical AS ip,
       st.ip_number::UHUGEINT AS ip_num, st.outcome_l AS outcome, nullif(st.actor, '') AS actor,
       'canonical' AS source, $import_id::BIGINT AS import_id,
       CASE WHEN e.user_id IS NULL THEN 'inserted'
            WHEN e.company_id IS DISTINCT FROM co.id OR e.ip IS DISTINCT FROM st.canonical
                 OR e.actor IS DISTINCT FROM nullif(st.actor, '') THEN 'updated'
            ELSE 'unchanged' END AS change
FROM login_staged st
JOIN companies co ON co.name = st.company
LEFT JOIN login_events e ON e.user_id = st.user_id AND e.occurred_at = st.at_ts AND e.outcome = st.outcome_l
WHERE st.reject_reason IS NULL
"""


def stage_and_apply(cur, staging: pd.DataFrame, parse_rejects: list[tuple[int, str, str]], *,
                    report: ImportReport, actor: Actor, tz: str,
                    earliest: datetime = DEFAULT_EARLIEST) -> ImportReport:
    """Validate the staging frame and merge it into ``login_events``, inside the caller's transaction."""
    started = datetime.now(UTC)
    import_id = cur.execute("SELECT nextval('import_runs_id')").fetchone()[0]
    cur.register("login_staging", staging)
    cur.register("login_addresses", parse_addresses(staging["ip"]))
    cur.execute(VALIDATE_SQL, {"earliest": earliest, "latest": datetime.now(UTC) + timedelta(days=1)})
    cur.execute("INSERT INTO companies (id, name) SELECT (SELECT coalesce(max(id), 0) FROM companies) "
                "+ row_number() OVER (ORDER BY company), company FROM (SELECT DISTINCT company FROM login_staged "
                "WHERE reject_reason IS NULL AND company NOT IN (SELECT name FROM companies))")
    cur.execute(INCOMING_SQL, {"import_id": import_id})
    counts = dict(cur.execute("SELECT change, count(*) FROM login_incoming GROUP BY change").fetchall())
    report.inserted, report.updated = counts.get("inserted", 0), counts.get("updated", 0)
    report.unchanged = counts.get("unchanged", 0)
    if report.inserted or report.updated:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE login_changed AS SELECT {', '.join(BASE_COLUMNS)} "
                    f"FROM login_incoming WHERE change <> 'unchanged'")
        merge_events(cur, "login_changed", tz=tz)
        cur.execute("DROP TABLE login_changed")
    rejects = cur.execute("SELECT line, reject_reason, concat_ws(',', occurred_at, user_id, company, ip, outcome, "
                          "actor) FROM login_staged WHERE reject_reason IS NOT NULL").fetchall()
    rejects = sorted(parse_rejects + rejects)
    report.rejected = len(rejects)
    report.read = report.inserted + report.updated + report.unchanged + report.rejected
    for _, reason, _ in rejects:
        key = reason.split(" (kept line")[0].split(" '")[0].split(" (the administrator")[0]
        report.reasons[key] = report.reasons.get(key, 0) + 1
    report.import_id = import_id
    cur.execute("INSERT INTO import_runs (id, kind, source, file_name, actor, started_at, finished_at, rows_read, "
                "inserted, updated, unchanged, rejected) VALUES (?, 'logins', 'canonical', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, report.file_name, actor.label, started, datetime.now(UTC), report.read,
                 report.inserted, report.updated, report.unchanged, report.rejected])
    if rejects:
        cur.executemany("INSERT INTO import_rejections VALUES (?, ?, ?, ?)",
                        [(import_id, line, reason, raw) for line, reason, raw in rejects])
    audit.record(cur, actor=actor, action="import", entity="import_run", entity_id=import_id,
                 after={"kind": "logins", "file": report.file_name, "read": report.read,
                        "inserted": report.inserted, "updated": report.updated,
                        "unchanged": report.unchanged, "rejected": report.rejected})
    for name in ("login_staged", "login_incoming"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    cur.unregister("login_staging")
    cur.unregister("login_addresses")
    return report


def import_logins(db: Database, path: str | Path, *, actor: Actor) -> ImportReport:
    """Import a canonical login CSV in one transaction; raises LoginImportFileError for an unreadable file."""
    require_role(actor, ADMIN, action="import login events")
    path = Path(path)
    staging, parse_rejects = read_login_csv(path)
    report = ImportReport(file_name=path.name)
    return db.write(stage_and_apply, staging, parse_rejects, report=report, actor=actor, tz=db.timezone,
                    earliest=earliest_accepted(db))
