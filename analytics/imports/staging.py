"""Validating and applying the staged tickets of an import, and recording the run.

Every importer (the canonical CSV, the source profiles of ``analytics/imports/service.py``)
fills the temporary table ``staging``: one row per ticket with the canonical columns as
text (for the rejection messages), their parsed timestamps (``opened_at_ts`` ...), the
source's own SLA verdict and counters, and the ``line`` the ticket comes from. Here that
table is validated in SQL (one reason per rejected row), upserted into ``tickets`` with
its lifecycle events, and the run is recorded with its rejections in ``import_runs`` /
``import_rejections`` and the audit log, all inside the caller's transaction: either the
whole import lands with its report, or nothing does. The import is idempotent on
``reference``: re-importing a file changes nothing.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from analytics.audit import service as audit
from analytics.imports.columns import CHANNELS, DEFAULTED_CHANNELS, ISO_HINT, SATISFACTION_SCORES, TIMESTAMP_COLUMNS
from analytics.imports.contract_column import UNKNOWN_CONTRACT_SQL, apply_contracts, names_contracts
from analytics.kernel.reports import ImportReport
from analytics.kernel.roles import Actor, system_actor
from analytics.settings.queries import DEFAULT_EARLIEST
from analytics.sla import ledger


@dataclass
class TicketImportReport(ImportReport):
    """An import of tickets: for a one-row-per-ticket file ``accepted = inserted + updated + unchanged``;
    for an event log the accepted rows fold into ``tickets`` tickets."""

    source: str = "canonical"
    tickets: int | None = None     # set when rows fold into tickets (event logs)
    events: int = 0                # ticket events written
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)   # what in the mapping does not fit the file
    contracts: list[str] = field(default_factory=list)  # companies put under a contract: "Acme: Premium from 2026-03-04"

    def summary(self) -> str:
        """One line a person reads after the import."""
        contracts = f"; contracts set: {', '.join(self.contracts)}" if self.contracts else ""
        if self.tickets is None:
            return super().summary() + contracts
        return (f"{self.file_name}: {self.read} rows read, {self.accepted} accepted into {self.tickets} "
                f"tickets ({self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged), "
                f"{self.rejected} rejected{self.reasons_text()}{contracts}")


# what the upsert, the report and the preview read from the validated rows (the rest is left behind)
STAGED_COLUMNS = ("line", "reference", "ref", "company", "contact_name", "contact_email", "contact_phone",
                  "user_id", "channel", "severity", "sev_num", "category", "platform", "status", "opened_at_ts",
                  "first_response_at_ts", "resolved_at_ts", "closed_at_ts", "assignee", "team", "resolution_code",
                  "description", "source_made_sla", "initial_severity", "initial_team", "reopen_count",
                  "reassignment_count", "waiting_s", "opened_at", "first_response_at", "resolved_at", "closed_at",
                  "satisfaction", "score", "contract")


def validate_sql(hint: str, source: str | None = None, *, earliest: datetime | None = None,
                 latest: datetime | None = None) -> tuple[str, dict]:
    """SQL turning ``staging`` (or the ``source`` SELECT) into ``staged`` with a ``reject_reason``
    per row (NULL = accepted). A time before ``earliest`` (1990-01-01 by default: the setting
    ``imports.earliest_date``) or after ``latest`` (a day from now) is implausible: the row is
    rejected with that reason rather than stored (a year 1 or 9999 broke pages)."""
    earliest = earliest or DEFAULT_EARLIEST
    latest = latest or datetime.now(UTC) + timedelta(days=1)
    low, high = SATISFACTION_SCORES
    unreadable = "".join(
        f"WHEN nullif({c}, '') IS NOT NULL AND {c}_ts IS NULL THEN 'unreadable {c} (' || $hint || ')' "
        f"WHEN {c}_ts < $earliest THEN '{c} before ' || $earliest_text || ' (implausible)' "
        f"WHEN {c}_ts > $latest THEN '{c} more than a day in the future' "
        for c in TIMESTAMP_COLUMNS)
    sql = f"""
    CREATE OR REPLACE TEMP TABLE staged AS
    WITH {f"staging AS ({source})," if source else ""}
    repeated AS (  -- references on several rows: the last occurrence is kept
        SELECT nullif(reference, '') AS ref, max(line) AS last_line FROM staging GROUP BY 1 HAVING count(*) > 1
    ),
    typed AS (
        SELECT s.*, nullif(s.reference, '') AS ref,
               try_cast(nullif(s.severity, '') AS INTEGER) AS sev_num,
               try_cast(nullif(s.satisfaction, '') AS DOUBLE) AS score,
               CASE WHEN s.line < r.last_line THEN 2 ELSE 1 END AS dup_rank, r.last_line
        FROM staging s LEFT JOIN repeated r ON r.ref = nullif(s.reference, '')
    )
    SELECT {", ".join(STAGED_COLUMNS)},
        CASE
          WHEN ref IS NULL THEN 'missing reference'
          WHEN dup_rank > 1 THEN 'duplicate reference in file (kept line ' || last_line || ')'
          WHEN nullif(company, '') IS NULL THEN 'missing company'
          WHEN NOT list_contains({list(CHANNELS)}, lower(channel)) THEN 'unknown channel ''' || channel || ''''
          WHEN nullif(severity, '') IS NULL AND NOT list_contains({list(DEFAULTED_CHANNELS)}, lower(channel))
               THEN 'missing severity (required for ' || lower(channel) || ')'
          WHEN nullif(severity, '') IS NOT NULL AND (sev_num IS NULL OR sev_num NOT BETWEEN 1 AND 4)
               THEN 'severity must be 1, 2, 3 or 4, not ''' || severity || ''''
          WHEN nullif(satisfaction, '') IS NOT NULL AND (score IS NULL OR score NOT BETWEEN {low} AND {high}
               OR score <> floor(score)) THEN 'satisfaction must be a whole score from {low} to {high} '
               || '(empty: not surveyed), not ''' || satisfaction || ''''
          {UNKNOWN_CONTRACT_SQL}
          WHEN nullif(opened_at, '') IS NULL AND opened_at_ts IS NULL THEN 'missing opened_at'
          {unreadable}
          WHEN first_response_at_ts < opened_at_ts THEN 'first_response_at before opened_at'
          WHEN resolved_at_ts < opened_at_ts THEN 'resolved_at before opened_at'
          WHEN closed_at_ts < coalesce(resolved_at_ts, opened_at_ts) THEN 'closed_at before resolved_at'
          WHEN nullif(contact_email, '') IS NOT NULL AND contact_email NOT LIKE '%_@_%' THEN 'invalid contact_email'
        END AS reject_reason
    FROM typed
    """
    return sql, {"hint": hint, "earliest": earliest, "latest": latest,
                 "earliest_text": earliest.strftime("%Y-%m-%d")}


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
       -- a row without a score leaves the stored one: an update that does not carry the survey keeps its answer
       coalesce(st.score, t.satisfaction)::SMALLINT AS satisfaction,
       st.source_made_sla, st.initial_severity, st.initial_team, st.reopen_count, st.reassignment_count, st.waiting_s,
       t.id AS existing_id,
       -- a new ticket's id: the highest id so far plus its (unique) line in the file; no sort needed
       coalesce(t.id, (SELECT coalesce(max(id), 0) FROM tickets) + st.line) AS ticket_id
FROM staged st
JOIN companies co ON co.name = st.company
LEFT JOIN (SELECT email, bool_or(is_admin) AS is_admin FROM contacts GROUP BY email) ct
       ON ct.email = nullif(st.contact_email, '')
LEFT JOIN tickets t ON t.reference = st.ref
WHERE st.reject_reason IS NULL
"""
COMPARED = ("company_id", "contact_name", "contact_email", "contact_phone", "user_id", "channel",
            "severity", "category", "platform", "status", "opened_at", "first_response_at",
            "resolved_at", "closed_at", "assignee", "team", "resolution_code", "description", "source_made_sla",
            "satisfaction")
EXTRA_STAGING = {"satisfaction": "''::VARCHAR", "contract": "''::VARCHAR", "source_made_sla": "NULL::BOOLEAN",
                 "initial_severity": "NULL::SMALLINT",
                 "initial_team": "NULL::VARCHAR",
                 "reopen_count": "NULL::DOUBLE", "reassignment_count": "NULL::DOUBLE", "waiting_s": "NULL::DOUBLE"}


def validate_staging(cur, *, hint: str = ISO_HINT, source: tuple[str, dict] | None = None,
                     earliest: datetime | None = None) -> None:
    """Create ``staged`` from the table ``staging`` (adding absent optional columns) or from a
    ``(SELECT, parameters)`` giving every staging column."""
    if source is not None:
        sql, params = validate_sql(hint, source[0], earliest=earliest)
        cur.execute(sql, {**params, **source[1]})
        return
    present = {r[0] for r in cur.execute("DESCRIBE staging").fetchall()}
    missing = {k: v for k, v in EXTRA_STAGING.items() if k not in present}
    if missing:
        extra = ", ".join(f"{v} AS {k}" for k, v in missing.items())
        cur.execute(f"CREATE OR REPLACE TEMP TABLE staging_full AS SELECT *, {extra} FROM staging")
        drop_objects(cur, "staging")
        cur.execute("ALTER TABLE staging_full RENAME TO staging")
    sql, params = validate_sql(hint, earliest=earliest)
    cur.execute(sql, params)


def apply_staged(cur, report: TicketImportReport, *, source: str, default_severity: int = 4,
                 record_changes: bool = True, actor: Actor | None = None) -> None:
    """Add new companies, insert new tickets, update changed ones (with change events), and put companies
    under the contracts their tickets name (audited as ``actor``'s, the source's when none)."""
    cur.execute("INSERT INTO companies (id, name) SELECT (SELECT coalesce(max(id), 0) FROM companies) "
                "+ row_number() OVER (ORDER BY company), company FROM (SELECT DISTINCT company FROM staged "
                "WHERE reject_reason IS NULL AND company NOT IN (SELECT name FROM companies))")
    cur.execute(UPSERT_SQL, {"default_severity": default_severity})
    ledger.touch(cur, "SELECT coalesce(existing_id, ticket_id) FROM incoming")  # the SLA ledger compares only these
    changed = " OR ".join(f"i.{c} IS DISTINCT FROM t.{c}" for c in COMPARED)
    cur.execute(f"CREATE OR REPLACE TEMP TABLE changed_ids AS SELECT t.id FROM incoming i "
                f"JOIN tickets t ON t.id = i.existing_id WHERE {changed}")
    report.updated = cur.execute("SELECT count(*) FROM changed_ids").fetchone()[0]
    report.inserted = cur.execute("SELECT count(*) FROM incoming WHERE existing_id IS NULL").fetchone()[0]
    incoming = cur.execute("SELECT count(*) FROM incoming").fetchone()[0]
    report.unchanged = incoming - report.inserted - report.updated
    if record_changes:
        _record_changes(cur)
    sets = ", ".join(f"{c} = i.{c}" for c in COMPARED)
    cur.execute(f"UPDATE tickets t SET {sets}, raised_by_admin = i.raised_by_admin, updated_at = now() "
                f"FROM incoming i WHERE t.id = i.existing_id AND t.id IN (SELECT id FROM changed_ids)")
    cur.execute(f"""
        INSERT INTO tickets (id, reference, raised_by_admin, initial_severity, source, {", ".join(COMPARED)})
        SELECT ticket_id, reference, raised_by_admin, coalesce(initial_severity, severity), $source,
               {", ".join(COMPARED)}
        FROM incoming WHERE existing_id IS NULL""", {"source": source})
    before = cur.execute("SELECT count(*) FROM ticket_events").fetchone()[0]
    _insert_lifecycle_events(cur)
    report.events += cur.execute("SELECT count(*) FROM ticket_events").fetchone()[0] - before
    _store_source_facts(cur)
    if names_contracts(cur):
        report.contracts, warnings = apply_contracts(cur, actor or system_actor(source))
        report.warnings += warnings


def _record_changes(cur) -> None:
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
        SELECT ticket_id, happened, kind, NULL, value, 'import' FROM (
            SELECT ticket_id, opened_at AS happened, 'opened' AS kind, coalesce(initial_team, team) AS value
            FROM incoming WHERE existing_id IS NULL
            UNION ALL SELECT ticket_id, first_response_at, 'response', NULL FROM incoming
            WHERE existing_id IS NULL AND first_response_at IS NOT NULL
            UNION ALL SELECT ticket_id, resolved_at, 'resolved', NULL FROM incoming
            WHERE existing_id IS NULL AND resolved_at IS NOT NULL
            UNION ALL SELECT ticket_id, closed_at, 'closed', NULL FROM incoming
            WHERE existing_id IS NULL AND closed_at IS NOT NULL)""")


def _store_source_facts(cur) -> None:
    """The source's own counters (reopenings, reassignments, time waiting on the customer)."""
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE incoming_facts AS
        SELECT i.ticket_id, i.reopen_count::INTEGER AS reopen_count,
               i.reassignment_count::INTEGER AS reassignment_count, i.waiting_s
        FROM incoming i
        WHERE i.reopen_count IS NOT NULL OR i.reassignment_count IS NOT NULL OR i.waiting_s IS NOT NULL""")
    cur.execute("""
        UPDATE ticket_source_facts f SET reopen_count = n.reopen_count,
               reassignment_count = n.reassignment_count, waiting_s = n.waiting_s
        FROM incoming_facts n
        WHERE f.ticket_id = n.ticket_id AND (f.reopen_count IS DISTINCT FROM n.reopen_count
              OR f.reassignment_count IS DISTINCT FROM n.reassignment_count OR f.waiting_s IS DISTINCT FROM n.waiting_s)""")
    cur.execute("INSERT INTO ticket_source_facts SELECT * FROM incoming_facts "
                "WHERE ticket_id NOT IN (SELECT ticket_id FROM ticket_source_facts)")


def record_run(cur, report: TicketImportReport, *, actor: Actor, started: datetime, details: dict) -> None:
    """Write the run, its rejections (temp table ``import_rejects``) and the audit row."""
    report.rejected = cur.execute("SELECT count(*) FROM import_rejects").fetchone()[0]
    report.reasons = {}
    for reason, count in cur.execute(
            "SELECT regexp_replace(split_part(reason, ' (kept line', 1), '(,? not)? ''.*$', '') AS r, count(*) "
            "FROM import_rejects GROUP BY r").fetchall():
        report.reasons[reason] = count
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    report.import_id = cur.execute(
        "INSERT INTO import_runs (kind, source, file_name, actor, started_at, finished_at, rows_read, "
        "inserted, updated, unchanged, rejected) VALUES ('tickets', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [report.source, report.file_name, actor.label, started, datetime.now(UTC), report.read,
         report.inserted, report.updated, report.unchanged, report.rejected]).fetchone()[0]
    cur.execute("INSERT INTO import_rejections SELECT $id, line, reason, raw FROM import_rejects",
                {"id": report.import_id})
    cur.execute(
        "INSERT INTO import_run_details (import_id, tickets, accepted, events, reasons, seconds, file_format, "
        "encoding, delimiter, profile_title, mapping, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [report.import_id, report.tickets if report.tickets is not None else report.accepted, report.accepted,
         report.events, json.dumps(report.reasons), report.seconds, details.get("format"),
         details.get("encoding"), details.get("delimiter"), details.get("title"), details.get("mapping"),
         json.dumps(report.warnings)])
    audit.record(cur, actor=actor, action="import", entity="import_run", entity_id=report.import_id,
                 after={"file": report.file_name, "source": report.source, "read": report.read,
                        "inserted": report.inserted, "updated": report.updated,
                        "unchanged": report.unchanged, "rejected": report.rejected,
                        "warnings": len(report.warnings)})


def drop_objects(cur, *names: str) -> None:
    """Drop temporary tables or views by name (names from this code, never from user text)."""
    kinds = dict(cur.execute("SELECT table_name, table_type FROM information_schema.tables "
                             "WHERE table_schema = 'main' AND table_catalog = 'temp'").fetchall())
    for name in names:
        if name in kinds:
            cur.execute(f"DROP {'VIEW' if kinds[name] == 'VIEW' else 'TABLE'} {name}")


def drop_work_tables(cur) -> None:
    """Remove the temporary tables of one import."""
    drop_objects(cur, "staging", "staged", "incoming", "changed_ids", "incoming_facts", "import_rejects")
