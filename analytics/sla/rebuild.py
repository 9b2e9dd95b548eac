"""Building a version of the ledger: at once for a small store, in chunks in the background for a big one.

A change of the rules creates a new version (:mod:`analytics.sla.versions`); its ledger is built
in chunks of ticket ids, each chunk one transaction that also records how far it got, so a build
that fails or is killed leaves the previous version in force and resumes where it stopped. A
store of up to ``VIGIE_LEDGER_SYNC_TICKETS`` tickets (200,000 by default) is rebuilt at once,
right after the change commits; a bigger one by the dashboard's background worker
(:func:`start_worker`) or, on the command line, before the command answers (:func:`finish`,
with a progress bar). Until a version is complete the figures read the one before it.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import weakref
from collections.abc import Callable

from analytics.sla import ledger, rollups, versions
from analytics.sla.versions import Version
from analytics.store.cursor import Cursor
from analytics.store.database import Database

SYNC_MAX_TICKETS = int(os.environ.get("VIGIE_LEDGER_SYNC_TICKETS", "200000"))
CHUNK_TICKETS = int(os.environ.get("VIGIE_LEDGER_CHUNK_TICKETS", "500000"))
_LOG = logging.getLogger(__name__)
_background: weakref.WeakSet[Database] = weakref.WeakSet()  # stores whose versions build in the background
_running: set[int] = set()  # id() of the stores a thread is building now
_lock = threading.Lock()


def _step(cur: Cursor, number: int) -> Version | None:
    """One chunk of the building version ``number``; the version after it (None when it is no longer building)."""
    version = next((v for v in versions.versions(cur) if v.version == number and v.state == "building"), None)
    if version is None:
        return None
    last = cur.execute("SELECT max(id) FROM tickets").fetchone()[0]
    if last is None or last <= version.next_ticket_id:
        rollups.build(cur, number)
        versions.complete(cur, number)
        return None
    upper = min(version.next_ticket_id + CHUNK_TICKETS, last)  # a window of ids (read by zone maps)
    done = cur.execute("SELECT count(*) FROM tickets WHERE id > ? AND id <= ?", [version.next_ticket_id, upper]).fetchone()[0]
    cur.execute("DELETE FROM sla_ledger WHERE version = ? AND ticket_id > ? AND ticket_id <= ?",
                [number, version.next_ticket_id, upper])
    ledger.compute(cur, version, (version.next_ticket_id, upper))
    cur.execute("UPDATE sla_versions SET next_ticket_id = ?, tickets_done = tickets_done + ?, "
                "tickets_total = (SELECT count(*) FROM tickets) WHERE version = ?", [upper, done, number])
    return next(v for v in versions.versions(cur) if v.version == number)


def finish(db: Database, progress: Callable[[Version], None] | None = None) -> None:
    """Build the building version to the end, one chunk per transaction (``progress`` after each)."""
    version = versions.building(db)
    while version is not None:
        version = db.write(_step, version.version)
        if progress is not None and version is not None:
            progress(version)


def finish_with_progress(db: Database) -> Version | None:
    """:func:`finish`, with a progress bar on stderr when it is a terminal; the version it completed, if any."""
    pending = versions.building(db)
    if pending is None:
        return None
    from tqdm import tqdm

    with tqdm(total=pending.tickets_total, initial=pending.tickets_done, unit="tickets", file=sys.stderr,
              desc="SLA figures for the changed rules", disable=not sys.stderr.isatty()) as bar:
        finish(db, progress=lambda v: bar.update(v.tickets_done - bar.n))
    return versions.in_force(db)


def ensure_current(db: Database) -> None:
    """A new version when the rules in the tables differ from the newest one's; built at once when small."""
    def check(cur: Cursor) -> None:
        rules_hash, pauses = versions.current_rules(cur)
        newest = next(iter(versions.versions(cur)), None)
        if newest is None or newest.rules_hash != rules_hash:
            versions.create(cur, rules_hash, pauses)

    db.write(check)
    after_change(db)


def on_rules_written(db: Database, cur: Cursor) -> None:
    """Before COMMIT of a write to a rule table: a new version if the rules changed, built after the commit."""
    rules_hash, pauses = versions.current_rules(cur)
    newest = next(iter(versions.versions(cur)), None)
    if newest is None or newest.rules_hash != rules_hash:
        versions.create(cur, rules_hash, pauses)
        cur.after_commit.append(lambda: after_change(db))


def after_change(db: Database) -> None:
    """Build the new version now (small store) or hand it to the background worker when there is one."""
    pending = versions.building(db)
    if pending is None:
        return
    if pending.tickets_total <= SYNC_MAX_TICKETS:
        try:
            finish(db)
        except Exception:  # noqa: BLE001 - the change itself committed; the previous version stays in force
            _LOG.exception("SLA ledger build failed; the previous version stays in force until the next start")
    elif db in _background:
        _spawn(db)


def start_worker(db: Database) -> None:
    """From now on, build ``db``'s new versions in a background thread (the dashboard calls it once per store);
    a version left building by a build that stopped resumes now."""
    _background.add(db)
    _spawn(db)


def _spawn(db: Database) -> None:
    """One thread building ``db``'s building version, unless one already is."""
    with _lock:
        if id(db) in _running or versions.building(db) is None:
            return
        _running.add(id(db))
    threading.Thread(target=_build, args=(db,), name="sla-ledger", daemon=True).start()


def _build(db: Database) -> None:
    try:
        finish(db)
    except Exception:  # noqa: BLE001 - logged; the previous version stays in force, the next start resumes
        _LOG.exception("SLA ledger build failed; the previous version stays in force")
        return
    finally:
        with _lock:
            _running.discard(id(db))
    _spawn(db)  # the rules changed again while it built


def attach(db: Database) -> None:
    """Keep ``db``'s ledger current on every write, and bring it up to the rules in the tables."""
    db.watch(versions.RULE_TABLES, lambda cur: on_rules_written(db, cur))
    db.watch(ledger.TICKET_TABLES, ledger.on_tickets_written)
    ensure_current(db)
