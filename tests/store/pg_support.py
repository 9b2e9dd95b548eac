"""A throwaway PostgreSQL server for tests and benchmarks, from Debian's ``postgresql`` package.

``cluster()`` starts one server per test process on first use: ``initdb`` into a fresh
directory under /tmp, ``pg_ctl start`` on a free loopback port (trust authentication, on
127.0.0.1 only), stopped and deleted at exit. PostgreSQL refuses to run as root, so as root
(CI) every server command runs as the ``postgres`` user through ``runuser``.

``fresh_database_url()`` hands out a new, migrated database, cloned from a template
migrated once per process. With ``VIGIE_TEST_BACKEND=postgres`` the ``db`` fixture of
``tests/conftest.py`` uses one (``backend_target``), so the data-layer tests run on PostgreSQL.
"""
from __future__ import annotations

import atexit
import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

BACKEND_ENV = "VIGIE_TEST_BACKEND"
SERVER_SETTINGS = {"listen_addresses": "127.0.0.1", "max_connections": "300", "fsync": "off",
                   "synchronous_commit": "off", "full_page_writes": "off"}
_counter = itertools.count(1)
_state: dict = {}


def use_postgres() -> bool:
    """Whether this test run targets PostgreSQL (``VIGIE_TEST_BACKEND=postgres``)."""
    return os.environ.get(BACKEND_ENV, "duckdb") == "postgres"


def backend_target(path):
    """The store a test opens: ``path`` (a DuckDB file), or a fresh PostgreSQL database."""
    return fresh_database_url() if use_postgres() else path


def server_bindir() -> Path:
    """The newest PostgreSQL server binaries installed (``$PG_BINDIR`` overrides)."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL server binaries not found: run scripts/install.sh --dev "
                       "(Debian package postgresql)")


def _as_owner(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One running PostgreSQL server on loopback."""

    def __init__(self, *, settings: dict | None = None):
        self.bindir = server_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="vigie-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.data = self.root / "data"
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        options = {**SERVER_SETTINGS, **(settings or {})}
        for attempt in range(3):
            self.port = _free_port()
            opts = " ".join(f"-c {k}={v}" for k, v in options.items())
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                          "-o", f"-p {self.port} -k {self.root} {opts}", "start")
                break
            except subprocess.CalledProcessError:
                if attempt == 2:
                    raise RuntimeError("PostgreSQL did not start: " + self.log_tail()) from None

    def _run(self, program: str, *args: str) -> str:
        done = subprocess.run(_as_owner([str(self.bindir / program), *args]), cwd=self.root,
                              capture_output=True, text=True)
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, program, done.stdout, done.stderr)
        return done.stdout

    def log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text()[-2000:] if log.exists() else "(no server log)"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL with psql; returns the unaligned, tuples-only output."""
        done = subprocess.run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-d", self.url(dbname), "-c", sql], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new database (optionally a copy of ``template``); returns its URL."""
        self.psql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def cluster() -> Cluster:
    """The server of this process, started on first use and stopped at exit."""
    if "cluster" not in _state:
        _state["cluster"] = Cluster()
        atexit.register(_state["cluster"].stop)
    return _state["cluster"]


def _migrated_template() -> str:
    if "template" not in _state:
        from analytics.domains import open_store
        from analytics.sla.calendars import ensure_intervals

        server = cluster()
        name = f"vigie_template_{os.getpid()}"
        database = open_store(server.create_database(name))
        ensure_intervals(database)  # what the db fixture adds to every new database
        database.close()
        _state["template"] = name
    return _state["template"]


def fresh_database_url(prefix: str = "vigie_test") -> str:
    """A new database with every migration applied and the calendar intervals derived."""
    template = _migrated_template()
    return cluster().create_database(f"{prefix}_{os.getpid()}_{next(_counter)}", template=template)


def empty_database_url(prefix: str = "vigie_empty") -> str:
    """A new database with nothing in it (to test migrations themselves)."""
    return cluster().create_database(f"{prefix}_{os.getpid()}_{next(_counter)}")
