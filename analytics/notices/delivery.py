"""Delivering the outbox: claim a due message, hand it to the SMTP server, store the outcome.

One run (:func:`deliver`) takes the queued messages whose next attempt is due, oldest first,
at most ``notices.rate_limit_per_run`` of them. Each message is

1. **claimed** in its own write transaction (``queued`` -> ``sending``, the run's name, the
   attempt counted): writers are serialised (in the process; on PostgreSQL by the store's
   cross-replica write lock, taken first in every write transaction), so exactly one run
   claims a message and a message is never handed to a server twice;
2. **sent** outside any transaction (``analytics.notices.smtp.send``);
3. **recorded** in one transaction with the attempt row: accepted (the time the server's
   reply came back, and that reply), or queued again after :func:`rules.backoff` when it may
   succeed later (unreachable server, 4xx), or failed (5xx, or ``notices.max_attempts`` used).
   An unreachable server ends the run: the other messages wait for the next one (a page that
   delivers after queueing is not held by a dead server once per message).
   An accepted incident notice records the incident's notification in the same transaction
   (``analytics.incidents.delivered``): the first accepted delivery is the notification instant;
   an accepted RCA copy records its request as delivered (``analytics.notices.rca_copy``).

A run that dies between 1 and 3 leaves the message ``sending``: never sent again by itself
(it may have reached the server), shown by ``notices status`` for an operator to check in the
server's log and settle (:func:`settle`, ``notices settle ID --as accepted|queued|failed``).
Addresses in domains reserved for examples (the demo's) are never handed to a server unless
the configuration says ``allow_example_domains`` (a test server on loopback).
"""
from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import uuid4

from analytics.audit import service as audit
from analytics.incidents.delivered import record_delivery
from analytics.kernel.errors import RuleRefused
from analytics.kernel.roles import system_actor
from analytics.kernel.times import utc_now
from analytics.notices import rca_copy
from analytics.notices.rules import backoff, permanent, reserved_domain
from analytics.notices.smtp import Outgoing, Rejected, SmtpConfig, send
from analytics.settings.queries import get_setting
from analytics.store.database import Database

OUTBOX_ACTOR = system_actor("outbox")


@dataclass
class Run:
    """What one delivery run did."""

    worker: str
    accepted: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    left_due: int = 0      # due messages left for the next run by the rate limit

    def line(self) -> str:
        """One line for the command line and the logs."""
        return (f"{len(self.accepted)} accepted, {len(self.retrying)} to retry, {len(self.failed)} failed, "
                f"{self.left_due} left for the next run")


def worker_name() -> str:
    """This run's name: host, process and a random part (two runs of one process differ)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"


def deliver(db: Database, *, config: SmtpConfig, now: Callable[[], datetime] = utc_now, limit: int | None = None,
            worker: str | None = None) -> Run:
    """Send the due messages (at most ``limit``, default ``notices.rate_limit_per_run``)."""
    run = Run(worker or worker_name())
    limit = int(get_setting(db, "notices.rate_limit_per_run")) if limit is None else limit
    max_attempts = int(get_setting(db, "notices.max_attempts"))
    interval = int(get_setting(db, "incident.status_update_minutes"))
    for _ in range(limit):
        claimed = db.write(_claim, worker=run.worker, at=now())
        if claimed is None:
            break
        started = now()
        addresses = tuple(a for a in claimed["recipients"] if config.allow_example_domains or not reserved_domain(a))
        try:
            if not addresses:
                raise Rejected("not sent: every recipient is in a domain reserved for examples", 550)
            reply = send(config, Outgoing(claimed["id"], addresses, claimed["subject"], claimed["body_text"],
                                          claimed["body_html"], attached_files(db, claimed["attachments"])))
        except Rejected as exc:
            outcome = "failed" if permanent(exc.code) or claimed["attempts"] >= max_attempts else "retry"
            db.write(_record, message=claimed, worker=run.worker, started=started, finished=now(),
                     outcome=outcome, reply=exc.reply, interval=interval)
            (run.failed if outcome == "failed" else run.retrying).append(claimed["id"])
            if exc.code is None:  # the server is unreachable: the others wait for the next run
                break
        else:
            db.write(_record, message=claimed, worker=run.worker, started=started, finished=now(),
                     outcome="accepted", reply=reply, interval=interval)
            run.accepted.append(claimed["id"])
    run.left_due = int(db.scalar("SELECT count(*) FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?",
                                 [now()]) or 0)
    return run


SETTLED = {"accepted": "accepted", "queued": "retry", "failed": "failed"}


def settle(db: Database, *, message_id: int, outcome: str, operator: str, note: str = "",
           now: Callable[[], datetime] = utc_now) -> str:
    """Settle a message left ``sending`` by a run killed between its claim and its record, as the operator
    found it in the server's log: ``accepted`` (it reached the server: recorded as delivered then, with what
    depends on it), ``queued`` (it did not: sent again by the next run) or ``failed``. One line saying what was
    done; RuleRefused for a message that is not ``sending``."""
    if outcome not in SETTLED:
        raise RuleRefused(f"Settle a message as accepted, queued or failed, not {outcome!r}.")
    interval = int(get_setting(db, "incident.status_update_minutes"))
    return db.write(_settle, message_id=message_id, outcome=outcome, operator=operator, note=note, at=now(),
                    interval=interval)


def _settle(cur, *, message_id, outcome, operator, note, at, interval) -> str:
    row = cur.execute(f"SELECT status, claimed_by, {', '.join(COLUMNS)} FROM outbox WHERE id = ?",
                      [message_id]).fetchone()
    if row is None:
        raise RuleRefused(f"No outbox message {message_id}.")
    if row[0] != "sending":
        raise RuleRefused(f"Outbox message {message_id} is {row[0]}, not sending: nothing to settle.")
    message = dict(zip(COLUMNS, row[2:]))
    message["recipients"] = list(message["recipients"])
    reply = f"settled as {outcome} by {operator}" + (f": {note.strip()}" if note.strip() else "")
    _record(cur, message=message, worker=str(row[1] or "unknown run"), started=at, finished=at,
            outcome=SETTLED[outcome], reply=reply, interval=interval)
    if outcome == "queued":
        cur.execute("UPDATE outbox SET next_attempt_at = ? WHERE id = ?", [at, message_id])
    audit.record(cur, actor=system_actor(operator), action="notice.settle", entity=message["entity"],
                 entity_id=message["entity_id"], after={"message_id": message_id, "as": outcome, "note": note})
    return f"outbox message {message_id} settled as {outcome}"


COLUMNS = ("id", "batch", "entity", "entity_id", "company_id", "recipients", "subject", "body_text", "body_html",
           "attempts", "queued_by", "attachments")


def attached_files(db: Database, attachments) -> tuple[tuple[str, str, bytes], ...]:
    """The files an outbox row refers to (``[{"kind": "file", "ref": id}]``): (filename, type, bytes)."""
    refs = json.loads(attachments) if isinstance(attachments, str) else list(attachments or [])
    files = []
    for ref in refs:
        found = db.rows("SELECT filename, content_type, content FROM outbox_files WHERE id = ?", [int(ref["ref"])])
        if not found:
            raise Rejected(f"attachment {ref['ref']} is missing from the store", 554)
        files.append((str(found[0][0]), str(found[0][1]), bytes(found[0][2])))
    return tuple(files)


def _claim(cur, *, worker: str, at: datetime) -> dict | None:
    row = cur.execute(f"SELECT {', '.join(COLUMNS)} FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? "
                      "ORDER BY next_attempt_at, id LIMIT 1", [at]).fetchone()
    if row is None:
        return None
    message = dict(zip(COLUMNS, row))
    cur.execute("UPDATE outbox SET status = 'sending', claimed_by = ?, claimed_at = ?, attempts = attempts + 1 "
                "WHERE id = ? AND status = 'queued'", [worker, at, message["id"]])
    message["attempts"] = int(message["attempts"]) + 1
    message["recipients"] = list(message["recipients"])
    return message


def _record(cur, *, message: dict, worker: str, started: datetime, finished: datetime, outcome: str, reply: str,
            interval: int) -> None:
    mid, attempts = message["id"], message["attempts"]
    cur.execute("INSERT INTO outbox_attempts (message_id, attempt, claimed_by, started_at, finished_at, outcome, "
                "reply) VALUES (?, ?, ?, ?, ?, ?, ?)", [mid, attempts, worker, started, finished, outcome, reply])
    if outcome == "accepted":
        cur.execute("UPDATE outbox SET status = 'accepted', accepted_at = ?, last_reply = ? WHERE id = ?",
                    [finished, reply, mid])
        if message["entity"] == "incident":
            record_delivery(cur, actor=OUTBOX_ACTOR, incident_id=int(message["entity_id"]), sent_at=finished,
                            sent_by=message["queued_by"], company_ids=_batch_companies(cur, message["batch"]),
                            message=message["body_text"], token=f"outbox:{message['batch']}",
                            interval_minutes=interval)
        elif message["entity"] == rca_copy.ENTITY:
            rca_copy.record_copy_delivered(cur, actor=OUTBOX_ACTOR, message=message, accepted_at=finished)
    elif outcome == "retry":
        cur.execute("UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_reply = ? WHERE id = ?",
                    [finished + backoff(attempts), reply, mid])
    else:
        cur.execute("UPDATE outbox SET status = 'failed', last_reply = ? WHERE id = ?", [reply, mid])
    if outcome != "retry":
        audit.record(cur, actor=OUTBOX_ACTOR, action=f"notice.{outcome}", entity=message["entity"],
                     entity_id=message["entity_id"], after={"message_id": mid, "attempt": attempts, "reply": reply,
                                                            "at": finished})


def _batch_companies(cur, batch: str) -> list[int]:
    return [int(r[0]) for r in cur.execute("SELECT company_id FROM outbox WHERE batch = ? AND company_id IS NOT NULL",
                                           [batch]).fetchall()]
