"""The SLA ledger: every ticket's measures computed once per version of the rules, kept current on write.

A row per ticket, measure and version (``sla_ledger``). A measure that ended carries its
decision as the on-read engine gives it at any instant after its end (state met or breached,
elapsed and paused working time, deadline, decided_at): it never changes until the ticket or
the rules do. A measure still open carries who it is; its state is derived when asked
(:mod:`analytics.sla.measures`).

Kept current inside the writer's transaction: the store runs :func:`on_tickets_written` before
COMMIT of any transaction that wrote ``tickets`` or ``ticket_events`` (and
:func:`on_rules_written` for the rule tables). The tickets to recompute are those whose inputs
changed: their fingerprint (severity, times, company, channel, team, the source's verdict, and
the status events when pause statuses are set) differs from the ledger's. A writer that knows
which tickets it may have changed says so with :func:`touch`, so the comparison is limited to them.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics.kernel.sql import identifier
from analytics.kernel.times import local_day_of_seconds
from analytics.sla import rollups, versions
from analytics.sla.engine import any_assigned, measures_sql
from analytics.sla.filters import TicketFilter
from analytics.sla.versions import Version
from analytics.store.cursor import Cursor

FAR = datetime(2099, 12, 31, tzinfo=UTC)  # an instant after every end: a decided measure is final there
TICKET_TABLES = ("tickets", "ticket_events")
LEDGER_COLUMNS = ("version, ticket_id, measure, severity, company_id, contract_id, channel, team, calendar_id, "
                  "target_seconds, "
                  "opened_at, ended_at, elapsed_s, paused_s, deadline, state, decided_s, "
                  "decided_day, ended_day, source_made_sla, first_response_at, resolved_at, fingerprint")
TICKET_INPUTS = "t.severity, t.opened_at, t.first_response_at, t.resolved_at, t.company_id, t.channel, t.team, " \
                "t.source_made_sla"
STATUS_EVENTS = ("LEFT JOIN (SELECT ticket_id, hash(string_agg(coalesce(to_value, '') || '@' || occurred_at::VARCHAR, "
                 "'|' ORDER BY occurred_at, id)) AS events_hash FROM ticket_events WHERE kind = 'status' {among} "
                 "GROUP BY ticket_id) ev ON ev.ticket_id = t.id")


def fingerprint_sql(version: Version, among: str = "") -> tuple[str, str]:
    """The fingerprint of a ticket ``t`` under a version, and the join it needs.

    ``among`` (a condition on ``ticket_id`` written by this code) limits the status events read to the
    tickets the caller reads anyway, so a write of 50 tickets does not aggregate every ticket's events.
    """
    if version.pause_statuses:
        return f"(hash({TICKET_INPUTS}, ev.events_hash) >> 1)::BIGINT", STATUS_EVENTS.format(among=among)
    return f"(hash({TICKET_INPUTS}) >> 1)::BIGINT", ""


def _local_days(cur: Cursor, tickets: str, params: dict) -> tuple[str, str]:
    """The local-day expressions of the decision and of the end, exact over the span of these tickets' times
    (arithmetic on the epoch: a time-zone conversion per row is the slowest part of a build)."""
    tz = cur.execute("SELECT current_setting('TimeZone')").fetchone()[0]
    bounds = {k: params[k] for k in ("id_low", "id_high") if k in params}
    first, last = cur.execute(f"SELECT min(t.opened_at), max(greatest(t.opened_at, t.first_response_at, t.resolved_at)) "
                              f"FROM tickets t WHERE {tickets}", bounds).fetchone()
    first, last = first or FAR, (last or FAR) + timedelta(days=1)
    decided, decided_params = local_day_of_seconds("m.decided_s", tz, first - timedelta(days=1), last, "dd")
    ended, ended_params = local_day_of_seconds("epoch(m.ended_at)", tz, first - timedelta(days=1), last, "de")
    params.update({**decided_params, **ended_params})
    return decided, ended


def compute(cur: Cursor, version: Version, restrict: str | tuple[int, int]) -> None:
    """Insert the version's ledger rows of the tickets in the relation ``restrict`` (``sla_touched``: ids in
    ``ticket_id``) or with an id in the range ``(low, high]`` (a chunk of a build: read by zone maps)."""
    if isinstance(restrict, tuple):
        relation, tickets = None, "t.id > $id_low AND t.id <= $id_high"
    else:
        relation = identifier(restrict, ("sla_touched",))
        tickets = f"t.id IN (SELECT ticket_id FROM {relation})"
    sql, params = measures_sql(TicketFilter(), prune=False, pauses=version.pause_statuses, versioned=True,
                               restrict=relation, id_range=restrict if relation is None else None,
                               contracted=any_assigned(cur, version.version))
    fingerprint, join = fingerprint_sql(version, "AND " + tickets.replace("t.id", "ticket_id"))
    params.update({"as_of": FAR, "at_risk": 0.75, "rules_version": version.version})
    decided_day, ended_day = _local_days(cur, tickets, params)
    cur.execute(f"""
        INSERT INTO sla_ledger ({LEDGER_COLUMNS})
        SELECT $rules_version, m.ticket_id, m.measure, m.severity, m.company_id, m.contract_id, m.channel, m.team,
               m.calendar_id,
               m.target_seconds, m.opened_at, m.ended_at,
               CASE WHEN m.ended_at IS NOT NULL THEN m.elapsed_s END,
               CASE WHEN m.ended_at IS NOT NULL THEN m.paused_s END,
               CASE WHEN m.ended_at IS NOT NULL THEN m.deadline END,
               CASE WHEN m.ended_at IS NOT NULL THEN m.state END,
               CASE WHEN m.ended_at IS NOT NULL THEN m.decided_s END,
               CASE WHEN m.ended_at IS NOT NULL THEN {decided_day} END, {ended_day},
               m.source_made_sla, f.first_response_at, f.resolved_at, f.fingerprint
        FROM ({sql}) m
        JOIN (SELECT t.id, t.first_response_at, t.resolved_at, {fingerprint} AS fingerprint FROM tickets t {join}
              WHERE {tickets}) f
          ON f.id = m.ticket_id
        ORDER BY m.ticket_id, m.measure""", params)
    bounds = {k: params[k] for k in ("id_low", "id_high") if k in params}
    cur.execute(f"UPDATE sla_versions SET max_end_s = greatest(coalesce(max_end_s, 0), (SELECT coalesce(max(epoch(ended_at)), 0) "
                f"FROM sla_ledger t WHERE version = $v AND {tickets.replace('t.id', 't.ticket_id')})) "
                "WHERE version = $v", {"v": version.version, **bounds})


def touch(cur: Cursor, candidates_sql: str) -> None:
    """Say which tickets a write may have changed (a query of ticket ids written by code, never user text).

    The ledger then compares only those with what it holds, instead of every ticket.
    """
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS sla_candidates (ticket_id BIGINT)")
    cur.execute(f"INSERT INTO sla_candidates {candidates_sql}")


def _has_candidates(cur: Cursor) -> bool:
    return bool(cur.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'sla_candidates'")
                .fetchone()[0])


def refresh(cur: Cursor, version: Version, *, candidates: bool) -> int:
    """Recompute the version's rows of every ticket whose inputs changed (among the candidates); how many.

    A version still building is kept current up to the tickets it has reached; the build does the rest.
    """
    among = "AND t.id IN (SELECT ticket_id FROM sla_candidates)" if candidates else ""
    among_ledger = "AND ticket_id IN (SELECT ticket_id FROM sla_candidates)" if candidates else ""
    if version.state == "building":
        among += f" AND t.id <= {int(version.next_ticket_id)}"
        among_ledger += f" AND ticket_id <= {int(version.next_ticket_id)}"
    fingerprint, join = fingerprint_sql(version, among_ledger)
    cur.execute(f"""
        CREATE OR REPLACE TEMP TABLE sla_touched AS
        SELECT t.id AS ticket_id FROM tickets t {join}
        LEFT JOIN (SELECT ticket_id, any_value(fingerprint) AS fingerprint FROM sla_ledger
                   WHERE version = $v {among_ledger} GROUP BY ticket_id) l ON l.ticket_id = t.id
        WHERE l.fingerprint IS DISTINCT FROM {fingerprint} {among}
        UNION
        SELECT DISTINCT ticket_id FROM sla_ledger WHERE version = $v {among_ledger}
          AND ticket_id NOT IN (SELECT t.id FROM tickets t WHERE true {among})""", {"v": version.version})
    touched = cur.execute("SELECT count(*) FROM sla_touched").fetchone()[0]
    if touched:
        rollups.note_days(cur, version.version)
        cur.execute("DELETE FROM sla_ledger WHERE version = ? AND ticket_id IN (SELECT ticket_id FROM sla_touched)",
                    [version.version])
        compute(cur, version, "sla_touched")
        rollups.note_days(cur, version.version)
        rollups.update_days(cur, version)
    cur.execute("DROP TABLE sla_touched")
    return touched


def maintained(cur: Cursor) -> list[Version]:
    """The versions a ticket write must keep current: the one in force and the one building."""
    return [v for v in (versions.in_force(cur), versions.building(cur)) if v is not None]


def on_tickets_written(cur: Cursor) -> None:
    """Before COMMIT of a write to tickets or their events: recompute what changed, in every maintained version."""
    candidates = _has_candidates(cur)
    for version in maintained(cur):
        refresh(cur, version, candidates=candidates)
    if candidates:
        cur.execute("DROP TABLE sla_candidates")
