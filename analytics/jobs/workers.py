"""Background workers: a thread that runs one task every few seconds until it is told to stop.

A :class:`Worker` waits on its stop event between runs (so a stop is seen at once, not after
the interval), logs an error of its task and goes on (an exception never kills the thread), and
is joined on :meth:`Worker.stop`. :func:`server_workers` are those the server starts: the
outbox delivery and the scheduled jobs.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from analytics.store.database import Database

LOG = logging.getLogger("vigie.workers")
SCHEDULE_TICK_SECONDS = 30.0


class Worker:
    """Runs ``task()`` now, then every ``interval()`` seconds (read again after each run)."""

    def __init__(self, name: str, task: Callable[[], object], interval: Callable[[], float]):
        self.name, self.task, self.interval = name, task, interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"vigie-{name}", daemon=True)
        self.runs = 0

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                self.task()
            except Exception:  # noqa: BLE001 - a worker logs its task's failure and goes on
                LOG.exception("worker %s: run failed", self.name)
            self.runs += 1
            try:
                wait = max(float(self.interval()), 0.05)
            except Exception:  # noqa: BLE001 - an unreadable interval (store busy): try again soon
                LOG.exception("worker %s: interval unreadable", self.name)
                wait = SCHEDULE_TICK_SECONDS
            self.stopping.wait(wait)

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the thread to stop and join it; False when it is still running after ``timeout``."""
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        return not self.thread.is_alive()


def server_workers(store: Callable[[], Database]) -> list[Worker]:
    """The workers of the server: outbox delivery (when a provider is configured) and the schedules.

    ``store()`` gives the process's store, asked at each run (a store that cannot be opened yet,
    busy or migrating, is a failed run, logged, tried again at the next).
    """
    from analytics.jobs.tasks import deliver_outbox, run_schedules
    from analytics.settings.queries import get_setting

    return [Worker("outbox", lambda: deliver_outbox(store()),
                   lambda: float(get_setting(store(), "notices.delivery_interval_seconds"))),
            Worker("schedules", lambda: run_schedules(store()), lambda: SCHEDULE_TICK_SECONDS)]


def start_all(workers: list[Worker]) -> None:
    for worker in workers:
        worker.start()
    LOG.info("vigie workers started: %s", ", ".join(w.name for w in workers))


def stop_all(workers: list[Worker], timeout: float = 30.0) -> None:
    stopped = [w.stop(timeout) for w in workers]
    LOG.info("vigie workers stopped: %s", ", ".join(f"{w.name}{'' if ok else ' (still running)'}"
                                                        for w, ok in zip(workers, stopped)))
