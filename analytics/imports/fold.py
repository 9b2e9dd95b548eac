"""Folding an event log (one row per update of a ticket) into one staged row per ticket and its events.

The rows mapped by ``analytics/imports/mapping.py`` (TEMP TABLE ``mapped``) are ordered per
ticket by the profile's ``events.order``, then by line, and folded:

- a ticket takes the values of its last update, its earliest ``opened_at`` and its first severity;
  its state is the status of its last update that has one, bookkeeping statuses
  (``ignored_statuses``: a note, an attachment, a survey logged after closing) left out;
- **the file's columns win over the fold**: a ``resolved_at`` / ``closed_at`` on the last update
  resolves / closes the ticket whatever its last status; only without them does the time it last
  entered a resolved / closed status count, and such a derived time never contradicts a column
  (a resolving update logged after the file's closing time is taken at that closing time);
- first response: the mapped column, else the first update out of ``new_statuses``;
- events: each status change, each change of team (``reassigned``) and of severity, and
  each ``reopened`` (leaving a resolved state), at the update's time (never before opening);
- waiting on the customer: the time spent in ``waiting_statuses`` between updates.

Every ticket on which the fold and the columns disagree is noted in TEMP TABLE ``fold_notes``
(reference, note), which the import reports as warnings.
"""
from __future__ import annotations

from analytics.imports.columns import CANONICAL_COLUMNS, TIMESTAMP_COLUMNS
from analytics.imports.mapping import bound
from analytics.imports.profiles import Profile


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
    lists = {"new": list(rules.new_statuses), "resolved": list(rules.resolved_statuses),
             "closed": list(rules.closed_statuses), "waiting": list(rules.waiting_statuses),
             "ignored": list(rules.ignored_statuses)}
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE fold_rows AS
        SELECT m.*, CASE WHEN NOT list_contains($ignored::VARCHAR[], lower(m.status)) THEN nullif(lower(m.status), '')
                    END AS st, nullif(m.team, '') AS team_v, nullif(m.severity, '') AS sev_v,
               row_number() OVER (PARTITION BY m.reference ORDER BY {order}, m.line) AS step,
               min(m.opened_at_ts) OVER (PARTITION BY m.reference) AS first_opened
        FROM mapped m WHERE m.line NOT IN (SELECT line FROM row_rejects)""", {"ignored": lists["ignored"]})
    # an update without a status (blank, or bookkeeping) leaves the ticket in the state it was in
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE fold_steps AS
        WITH carried AS (
            SELECT reference, step, line, team_v, sev_v, first_opened, updated_at_ts, st AS own_st,
                   last_value(st IGNORE NULLS) OVER (PARTITION BY reference ORDER BY step
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS st
            FROM fold_rows)
        SELECT reference, step, line, st, own_st, team_v, sev_v, first_opened,
               greatest(coalesce(updated_at_ts, first_opened), first_opened) AS happened,
               lag(st) OVER w AS prev_st, lag(team_v) OVER w AS prev_team, lag(sev_v) OVER w AS prev_sev,
               lead(greatest(coalesce(updated_at_ts, first_opened), first_opened)) OVER w AS next_happened
        FROM carried WINDOW w AS (PARTITION BY reference ORDER BY step)""")
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE fold_events AS
        SELECT reference, happened, kind, from_value, to_value FROM (
            SELECT reference, happened, 'status' AS kind, prev_st AS from_value, st AS to_value FROM fold_steps
            WHERE own_st IS NOT NULL AND (step = 1 OR st IS DISTINCT FROM prev_st)
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
               arg_min(sev_v, step) AS first_severity, arg_min(team_v, step) AS first_team,
               arg_max(st, step) AS final_st
        FROM fold_steps GROUP BY reference""", {k: v for k, v in lists.items() if k != "ignored"})
    _stage_folded(cur, lists)


NOTES = {
    "resolved_by_column": "resolved by their resolved_at column although their last status is not a resolved status",
    "closed_by_column": "closed by their closed_at column although their last status is not a closed status",
    "resolution_capped": "resolved at their closed_at: the update entering a resolved status came after it",
    "closing_raised": "closed at their resolved_at: the update entering a closed status came before it",
}


def _stage_folded(cur, lists: dict) -> None:
    keep = [c for c in CANONICAL_COLUMNS if c not in TIMESTAMP_COLUMNS and c != "status"]
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE fold_judged AS
        WITH last AS (SELECT * FROM fold_rows QUALIFY step = max(step) OVER (PARTITION BY reference))
        SELECT l.* EXCLUDE (st), f.* EXCLUDE (reference),
               len($resolved::VARCHAR[]) = 0 OR list_contains($resolved::VARCHAR[], f.final_st) AS is_resolved,
               len($closed::VARCHAR[]) = 0 OR list_contains($closed::VARCHAR[], f.final_st) AS is_closed,
               l.resolved_at <> '' AS resolved_col, l.closed_at <> '' AS closed_col
        FROM last l JOIN fold_facts f ON f.reference = l.reference""",
                {"resolved": lists["resolved"], "closed": lists["closed"]})
    cur.execute("""
        CREATE OR REPLACE TEMP TABLE fold_notes AS
        SELECT reference, note FROM (
            SELECT reference, 'resolved_by_column' AS note FROM fold_judged WHERE resolved_col AND NOT is_resolved
            UNION ALL SELECT reference, 'closed_by_column' FROM fold_judged WHERE closed_col AND NOT is_closed
            UNION ALL SELECT reference, 'resolution_capped' FROM fold_judged
            WHERE NOT resolved_col AND is_resolved AND closed_col AND entered_resolved > closed_at_ts
            UNION ALL SELECT reference, 'closing_raised' FROM fold_judged
            WHERE NOT closed_col AND is_closed AND resolved_col AND entered_closed < resolved_at_ts)""")
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE staging AS
        WITH timed AS (
            SELECT *,
                   CASE WHEN resolved_col THEN resolved_at_ts
                        WHEN is_resolved THEN CASE WHEN closed_col THEN least(entered_resolved, closed_at_ts)
                                                   ELSE entered_resolved END
                   END AS resolved_v,
                   CASE WHEN closed_col THEN closed_at_ts
                        WHEN is_closed THEN CASE WHEN resolved_col THEN greatest(entered_closed, resolved_at_ts)
                                                 ELSE entered_closed END
                   END AS closed_v
            FROM fold_judged)
        SELECT line, {', '.join(keep)}, coalesce(final_st, '') AS status,
               opened_at, first_opened AS opened_at_ts,
               first_response_at,
               CASE WHEN first_response_at <> '' THEN first_response_at_ts
                    WHEN derived_response IS NOT NULL THEN greatest(derived_response, first_opened)
               END AS first_response_at_ts,
               CASE WHEN resolved_col THEN resolved_at ELSE '' END AS resolved_at, resolved_v AS resolved_at_ts,
               CASE WHEN closed_col THEN closed_at ELSE '' END AS closed_at, closed_v AS closed_at_ts,
               source_made_sla, try_cast(first_severity AS SMALLINT) AS initial_severity, first_team AS initial_team,
               coalesce(reopen_count, reopenings) AS reopen_count,
               coalesce(reassignment_count, reassignments) AS reassignment_count,
               coalesce(waiting_minutes * 60, waiting) AS waiting_s
        FROM timed""")


def fold_warnings(cur) -> list[str]:
    """One warning per kind of disagreement between the fold and the file's columns, with examples."""
    found = []
    for note, count, examples in cur.execute(
            "SELECT note, count(*), list(reference ORDER BY reference)[1:3] FROM fold_notes GROUP BY note "
            "ORDER BY note").fetchall():
        found.append(f"{count:,} {'ticket' if count == 1 else 'tickets'} {NOTES[note]} "
                     f"(e.g. {', '.join(examples)})")
    return found


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
    for name in ("mapped", "row_rejects", "fold_rows", "fold_steps", "fold_events", "fold_facts", "fold_judged",
                 "fold_notes"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
