"""The read-only ``sla``, ``escalations`` and ``incidents`` commands beside a running dashboard: the embedded file
is held by the server, so the
command reads the same rows through its API with a read token and says so; without a token, or with a
refused one, it ends in one line naming what to set, exit 2."""
from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.api.tokens import create_token
from analytics.domains import build_demo, open_store
from analytics.kernel.roles import Actor
from tests.browser_support import start_dashboard

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
SLA = ["sla", "--from", "2026-09-01", "--to", "2026-11-01", "--as-of", "2026-11-15T12:00:00"]
ESCALATIONS = ["escalations", "--as-of", "2026-11-15T12:00:00"]
INCIDENTS = ["incidents", "--from", "2026-08-01", "--to", "2026-11-16", "--as-of", "2026-11-15T12:00:00"]


def cli(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("VIGIE_API_TOKEN", "VIGIE_API_URL")}
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, env={**full, **(env or {})},
                          capture_output=True, text=True, timeout=300, check=False)


@contextlib.contextmanager
def other_api(body: bytes):
    """An HTTP server on loopback answering every GET with ``body`` as JSON: a dashboard of another version."""
    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("held") / "held.duckdb"
    db = open_store(path)
    build_demo(db, tickets=600, seed=5, now=NOW, months=3, companies=6)
    admin = Actor("Ada Admin", "ada@example.test", frozenset({"admin"}))
    _, secret = create_token(db, actor=admin, name="command line", scope="read")
    db.close()
    return path, secret


def test_sla_reads_through_the_running_dashboard_the_rows_it_reads_from_the_file(store):
    path, secret = store
    direct = {form: cli(*SLA, "--db", str(path), "--format", form) for form in ("json", "csv", "table")}
    assert all(run.returncode == 0 and run.stderr == "" for run in direct.values()), direct
    assert direct["csv"].stdout.count("\n") == 9           # the header and 4 severities x 2 measures
    with start_dashboard(path, timeout=120) as url:
        env = {"VIGIE_API_URL": url, "VIGIE_API_TOKEN": secret}
        for form, expected in direct.items():
            run = cli(*SLA, "--db", str(path), "--format", form, env=env)
            assert (run.returncode, run.stdout) == (0, expected.stdout), run.stderr
            assert run.stderr == f"note: {path} is held by a running dashboard; read through its API at {url}\n"
        without = cli(*SLA, "--db", str(path), "--format", "json", env={"VIGIE_API_URL": url})
        assert without.returncode == 2 and without.stdout == "" and len(without.stderr.splitlines()) == 1
        assert f"error: The database {path} is in use by process" in without.stderr
        assert "set VIGIE_API_TOKEN to a read token (Settings page, API tokens)" in without.stderr
        wrong = cli(*SLA, "--db", str(path), env={"VIGIE_API_URL": url, "VIGIE_API_TOKEN": "vigie_not-a-token"})
        assert wrong.returncode == 2 and len(wrong.stderr.splitlines()) == 1
        assert wrong.stderr.startswith(f"error: the store is held by a running dashboard and its API at {url} "
                                       "refused the read (401")
        with other_api(b'[{"severity": 1, "measure": "response"}]') as elsewhere:   # another version's answer
            odd = cli(*SLA, "--db", str(path), env={"VIGIE_API_URL": elsewhere, "VIGIE_API_TOKEN": secret})
        assert (odd.returncode, odd.stdout) == (2, "")
        assert odd.stderr.splitlines()[-1] == ("error: the running dashboard's /api/v1/sla answered without breached, "
                                               "compliance_pct, met, pending; is it the same version of Vigie as this "
                                               "command?")
        with other_api(b'{"error": "none"}') as elsewhere:
            odd = cli(*ESCALATIONS, "--db", str(path), env={"VIGIE_API_URL": elsewhere, "VIGIE_API_TOKEN": secret})
        assert odd.returncode == 2 and odd.stderr.splitlines()[-1] == (
            "error: the running dashboard's /api/v1/escalations did not answer a list of records; is it the same "
            "version of Vigie as this command?")


def test_escalations_read_through_the_running_dashboard_as_from_the_file(store):
    path, secret = store
    runs = [(form, flagged) for form in ("json", "csv", "table") for flagged in ((), ("--flagged",))]
    direct = {run: cli(*ESCALATIONS, *run[1], "--db", str(path), "--format", run[0]) for run in runs}
    assert all(r.returncode == 0 for r in direct.values()), direct
    assert direct[("csv", ())].stdout.count("\n") > direct[("csv", ("--flagged",))].stdout.count("\n") > 1
    with start_dashboard(path, timeout=120) as url:
        env = {"VIGIE_API_URL": url, "VIGIE_API_TOKEN": secret}
        for (form, flagged), expected in direct.items():
            run = cli(*ESCALATIONS, *flagged, "--db", str(path), "--format", form, env=env)
            assert (run.returncode, run.stdout) == (0, expected.stdout), (form, flagged, run.stderr)
            assert "read through its API" in run.stderr


def test_incidents_read_through_the_running_dashboard_as_from_the_file(store):
    path, secret = store
    runs = [(form, by) for form in ("json", "csv", "table") for by in ("month,severity", "none")]
    direct = {run: cli(*INCIDENTS, "--by", run[1], "--db", str(path), "--format", run[0]) for run in runs}
    assert all(r.returncode == 0 and r.stderr == "" for r in direct.values()), direct
    overall = json.loads(direct[("json", "none")].stdout)
    assert len(overall) == 1 and overall[0]["incidents"] == sum(
        row["incidents"] for row in json.loads(direct[("json", "month,severity")].stdout)) > 0
    with start_dashboard(path, timeout=120) as url:
        env = {"VIGIE_API_URL": url, "VIGIE_API_TOKEN": secret}
        for (form, by), expected in direct.items():
            run = cli(*INCIDENTS, "--by", by, "--db", str(path), "--format", form, env=env)
            assert (run.returncode, run.stdout) == (0, expected.stdout), (form, by, run.stderr)
            assert run.stderr == f"note: {path} is held by a running dashboard; read through its API at {url}\n"
        with other_api(b'[{"month": "2026-09", "severity": 1}]') as elsewhere:   # another version's answer
            odd = cli(*INCIDENTS, "--db", str(path), env={"VIGIE_API_URL": elsewhere, "VIGIE_API_TOKEN": secret})
        assert (odd.returncode, odd.stdout) == (2, "")
        assert odd.stderr.splitlines()[-1].startswith(
            "error: the running dashboard's /api/v1/incident-figures answered without incidents, mtta_min, mttr_h")


def known_at(document: bytes) -> bytes:
    return re.sub(rb"Figures as known on [^(]*\(", b"Figures as known on (", document)


def test_the_monthly_report_is_made_by_the_running_dashboard_as_from_the_file(store, tmp_path):
    path, secret = store
    direct = cli("report", "monthly", "--month", "2026-10", "--db", str(path), "--out", str(tmp_path / "direct.html"))
    assert direct.returncode == 0 and direct.stderr == "", direct.stderr
    expected = (tmp_path / "direct.html").read_bytes()
    with start_dashboard(path, timeout=120) as url:
        env = {"VIGIE_API_URL": url, "VIGIE_API_TOKEN": secret}
        out = tmp_path / "through.html"
        run = cli("report", "monthly", "--month", "2026-10", "--db", str(path), "--out", str(out), env=env)
        assert run.returncode == 0, run.stderr
        assert run.stdout == direct.stdout.replace("direct.html", "through.html")
        assert run.stdout.startswith("monthly report 2026-10 written to ") and " tickets, " in run.stdout
        assert run.stderr == f"note: {path} is held by a running dashboard; read through its API at {url}\n"
        # the same document, but for the minute it was made at ("Figures as known on 02 December 2026 at 15:22")
        assert known_at(out.read_bytes()) == known_at(expected)
        pdf = cli("report", "monthly", "--month", "2026-10", "--db", str(path), "--out", str(tmp_path / "r.pdf"),
                  env=env)
        assert pdf.returncode == 0 and (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
        future = cli("report", "monthly", "--month", "2099-01", "--db", str(path), "--out", str(out), env=env)
        assert (future.returncode, future.stderr) == (2, "error: January 2099 has not started yet\n")
        with other_api(b"[]") as elsewhere:   # another version: no account of the report in the answer
            odd = cli("report", "monthly", "--month", "2026-10", "--db", str(path), "--out", str(out),
                      env={"VIGIE_API_URL": elsewhere, "VIGIE_API_TOKEN": secret})
        assert odd.returncode == 2 and odd.stderr.splitlines()[-1] == (
            "error: the running dashboard's /api/v1/reports/monthly answered without its X-Vigie-Report header; "
            "is it the same version of Vigie as this command?")
