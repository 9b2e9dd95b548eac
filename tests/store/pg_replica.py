"""A stand-in for one dashboard replica in the load tests: its own process, the real data layer.

    python -m tests.store.pg_replica URL --threads 25        # after "go" on stdin, 25 threads declare at once
    python -m tests.store.pg_replica URL --serial 10 --hang  # declare 10 one by one, then hang inside a write

It opens :class:`analytics.store.database.Database` on the PostgreSQL URL and declares major incidents
with :func:`analytics.incidents.service.declare`, exactly what the declare page calls, as a
supervisor. It prints ``ready`` once open, ``committed REFERENCE`` after each declaration
returns (flushed, so a killed replica has told what it committed), ``hanging`` once it holds
the write lock in the middle of an unfinished declaration, and ``done``.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from analytics.domains import open_store
from analytics.incidents import service as incidents
from analytics.store.database import Database
from tests.incidents.factories import SUPERVISOR, draft

_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        print(line, flush=True)


def declare_one(db: Database, tag: str, n: int, at: datetime | None = None) -> None:
    now = at or datetime.now(UTC)
    form = draft(db, defined=now - timedelta(minutes=5), title=f"Replica {tag}: incident {n:03d}")
    result = incidents.declare(db, actor=SUPERVISOR, draft=form, token=f"{tag}-{n}-{uuid4().hex}", now=now)
    say(f"committed {result.reference}")


def hang_inside_a_write(db: Database, tag: str) -> None:
    """Take the write lock, write half a declaration, and never commit."""
    now = datetime.now(UTC)
    form = draft(db, defined=now - timedelta(minutes=5), title=f"Replica {tag}: never committed")

    def work(cur):
        incidents._insert_incident(cur, actor=SUPERVISOR, draft=form.normalized(db.timezone),
                                   token=f"{tag}-hang", now=now)
        say("hanging")
        time.sleep(600)

    db.write(work)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--tag", default="r")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--serial", type=int, default=0)
    parser.add_argument("--hang", action="store_true")
    parser.add_argument("--now", type=datetime.fromisoformat, default=None,
                        help="the instant the declarations are made at (a test's fixed clock); default: now")
    args = parser.parse_args(argv)
    db = open_store(args.url)
    say("ready")
    if args.threads:
        sys.stdin.readline()  # "go": every replica starts at the same moment
        errors = []

        def run(n):
            try:
                declare_one(db, args.tag, n, args.now)
            except Exception as exc:  # reported, and the exit code says it
                errors.append(exc)
                say(f"error {type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=run, args=(n,)) for n in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            return 1
    for n in range(args.serial):
        declare_one(db, args.tag, n, args.now)
    if args.hang:
        hang_inside_a_write(db, args.tag)
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
