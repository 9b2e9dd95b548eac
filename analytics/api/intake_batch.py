"""Applying pushed events in batches: one write transaction for the events that arrive together.

An event is one ticket row; applying it costs some sixty statements (validation, upsert, change events,
the SLA ledger, the audit), almost all of them the same for one row or a hundred. So :class:`IntakeWriter`
(one per server process, started by the routes) takes every event waiting, up to :data:`BATCH_MAX`, and
applies them with :func:`apply_events` in one transaction; each request is answered with its own outcome
once that transaction committed. Within a batch a ticket appears once: a second event for the same ticket
goes into the next transaction, in arrival order, so the later event wins as it would one by one. A
refused event (the import's validation) is answered 422 and the others still land; an event id already
applied, or repeated in the batch, is answered as a duplicate and changes nothing.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.api.intake import Applied, IntakeRefused
from analytics.audit import service as audit
from analytics.imports.columns import CANONICAL_COLUMNS, ISO_HINT, TIMESTAMP_COLUMNS
from analytics.imports.staging import TicketImportReport, apply_staged, drop_work_tables, validate_staging
from analytics.kernel.roles import system_actor
from analytics.settings.queries import earliest_accepted, get_setting
from analytics.store.database import Database

log = logging.getLogger(__name__)
BATCH_MAX = 200
Event = tuple[str, str, dict]   # source, event id, the ticket's canonical column texts


def _instant(text: str, zone: ZoneInfo) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None   # kept as text: the validation rejects it as unreadable, naming the field
    return value if value.tzinfo else value.replace(tzinfo=zone)


def rounds(events: list[Event]) -> list[list[int]]:
    """The events' positions split into rounds where each (source, ticket) and each event id appears once,
    in arrival order (the k-th event of a ticket goes to round k)."""
    seen: dict[tuple, int] = {}
    out: list[list[int]] = []
    for position, (source, event_id, row) in enumerate(events):
        key = (source, row.get("reference", ""))
        index = max(seen.get(key, -1), seen.get(("id", source, event_id), -1)) + 1
        seen[key] = seen[("id", source, event_id)] = index
        while len(out) <= index:
            out.append([])
        out[index].append(position)
    return out


def apply_events(db: Database, events: list[Event], *, now: datetime | None = None) -> list[Applied | IntakeRefused]:
    """Apply ``events`` (a transaction per source and round); each one's outcome, in their order."""
    now = now or datetime.now(UTC)
    zone = ZoneInfo(db.timezone)
    earliest = earliest_accepted(db)
    default_severity = int(get_setting(db, "sla.email_default_severity"))
    results: list[Applied | IntakeRefused | None] = [None] * len(events)
    for positions in rounds(events):
        for source in dict.fromkeys(events[p][0] for p in positions):
            group = [p for p in positions if events[p][0] == source]
            done = db.write(_apply, source=source, events=[events[p] for p in group], zone=zone, earliest=earliest,
                            default_severity=default_severity, now=now)
            for p, result in zip(group, done, strict=True):
                results[p] = result
    return results


def _staging_frame(events: list[Event], zone: ZoneInfo) -> pd.DataFrame:
    frame = pd.DataFrame([{c: row[c] for c in CANONICAL_COLUMNS} for _, _, row in events], columns=CANONICAL_COLUMNS,
                         dtype=object)
    frame.insert(0, "line", range(1, len(events) + 1))
    for column in TIMESTAMP_COLUMNS:
        frame[f"{column}_ts"] = pd.to_datetime([_instant(row[column], zone) for _, _, row in events], utc=True)
    return frame


def _apply(cur, *, source, events, zone, earliest, default_severity, now) -> list[Applied | IntakeRefused]:
    ids = [event_id for _, event_id, _ in events]
    known = {r[0]: (r[1], r[2]) for r in cur.execute(
        "SELECT event_id, reference, outcome FROM api_events WHERE source = ? AND list_contains(?, event_id)",
        [source, ids]).fetchall()}
    fresh = [e for e in events if e[1] not in known]
    outcomes: dict[str, Applied | IntakeRefused] = {
        event_id: Applied(source, event_id, *known[event_id], True) for event_id in known}
    if fresh:
        cur.register("intake_rows", _staging_frame(fresh, zone))
        texts = ", ".join(f"{c}::VARCHAR AS {c}" for c in CANONICAL_COLUMNS)
        stamps = ", ".join(f"{c}_ts::TIMESTAMPTZ AS {c}_ts" for c in TIMESTAMP_COLUMNS)
        cur.execute(f"CREATE OR REPLACE TEMP TABLE staging AS SELECT line::INTEGER AS line, {texts}, {stamps} "
                    "FROM intake_rows")
        cur.unregister("intake_rows")
        validate_staging(cur, hint=ISO_HINT, earliest=earliest)
        reasons = dict(cur.execute("SELECT line, reject_reason FROM staged WHERE reject_reason IS NOT NULL").fetchall())
        report = TicketImportReport(file_name=f"api:{source}", source=f"api:{source}")
        accepted = [e for line, e in enumerate(fresh, start=1) if line not in reasons]
        if accepted:
            apply_staged(cur, report, source=f"api:{source}", default_severity=default_severity,
                         actor=system_actor(f"api:{source}"))
            applied = dict(cur.execute("""
                SELECT i.reference, CASE WHEN i.existing_id IS NULL THEN 'inserted'
                                         WHEN i.existing_id IN (SELECT id FROM changed_ids) THEN 'updated'
                                         ELSE 'unchanged' END FROM incoming i""").fetchall())
        drop_work_tables(cur)
        for line, (_, event_id, row) in enumerate(fresh, start=1):
            if line in reasons:
                outcomes[event_id] = IntakeRefused(422, f"ticket refused: {reasons[line]}")
                continue
            reference = row["reference"]
            outcomes[event_id] = Applied(source, event_id, reference, applied[reference], False)
        rows = [(source, o.event_id, now, o.reference, o.outcome) for o in outcomes.values()
                if isinstance(o, Applied) and not o.duplicate]
        if rows:   # one statement each, not one per event: a batch costs about what one event does
            cur.execute("INSERT INTO api_events (source, event_id, received_at, reference, outcome) VALUES "
                        + ", ".join(["(?, ?, ?, ?, ?)"] * len(rows)), [value for row in rows for value in row])
        audit.record_many(cur, actor=system_actor(f"api:{source}"), action="api.event", entity="ticket",
                          rows=[(r[3], {"event_id": r[1], "outcome": r[4]}) for r in rows])
    return [outcomes[event_id] for event_id in ids]


def apply_event(db: Database, *, source: str, event_id: str, row: dict[str, str],
                now: datetime | None = None) -> Applied:
    """Validate and apply one ticket row in its own transaction (a batch of one); IntakeRefused when the
    import's validation rejects it."""
    [done] = apply_events(db, [(source, event_id, row)], now=now)
    if isinstance(done, IntakeRefused):
        raise done
    return done


def changed(result: Applied | IntakeRefused) -> bool:
    """Whether an event's outcome inserted or changed a ticket (not a duplicate, unchanged or refused)."""
    return isinstance(result, Applied) and not result.duplicate and result.outcome != "unchanged"


class IntakeWriter:
    """One thread applying the events handed to :meth:`submit`, a batch per transaction.

    ``after_write`` is called once per batch that inserted or changed a ticket, after its commit and before
    any of its requests is answered (the server clears the pages' caches with it: once per batch, not per
    event, so a burst does not clear them hundreds of times a second).
    """

    def __init__(self, open_database, *, capacity: int, after_write=None):
        self._open = open_database
        self._after_write = after_write
        self._queue: queue.Queue = queue.Queue(maxsize=capacity)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def waiting(self) -> int:
        return self._queue.qsize()

    def submit(self, event: Event) -> Future:
        """Queue one event; its future is set once its transaction committed (queue.Full when over capacity)."""
        future: Future = Future()
        with self._lock:
            self._queue.put_nowait((event, future))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="vigie-intake", daemon=True)
                self._thread.start()
        return future

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=30)]
            except queue.Empty:
                with self._lock:   # idle: stop, unless an event came in meanwhile (submit holds this lock)
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            while len(batch) < BATCH_MAX:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                results = apply_events(self._open(), [event for event, _ in batch])
            except Exception as exc:  # noqa: BLE001 - every request of the batch is answered with it
                for _, future in batch:
                    future.set_exception(exc)
                continue
            if self._after_write and any(changed(result) for result in results):
                try:
                    self._after_write()
                except Exception:  # noqa: BLE001 - committed: the requests are still answered with their outcome
                    log.exception("clearing the pages' caches after a batch of events failed")
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)
