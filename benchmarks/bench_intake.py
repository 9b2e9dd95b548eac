"""Throughput of the event intake: signed canonical events POSTed to a real server (``python -m ui.serve``).

    python benchmarks/bench_intake.py [--events 500] [--threads 1 8] [--db PATH]

``--threads`` with no count skips the HTTP runs (to time the batches on a big store given by ``--db``).

Starts the README's server on a new store (or ``--db``, which must not be open elsewhere) on a
free loopback port with a webhook secret, then for each thread count sends ``--events`` distinct events
(each a new ticket, then as many updates resolving them) and prints events per second and the p50 / p95
latency of a request; then the same events applied in process one per transaction (``intake_batch.apply_event``,
no HTTP) as the peer that shows what batching the concurrent ones gains and what HTTP and signing cost; then
five batches of 50 new tickets applied in process (``intake_batch.apply_events``), the median time of a batch:
its fixed cost on that store.
Each run ends with the ticket count the store holds, to show nothing was dropped.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support import ROOT  # first: puts the repository on sys.path

from analytics.api.intake import parse_event, sign_canonical
from analytics.api.intake_batch import apply_event, apply_events
from analytics.domains import open_store
from analytics.sla.calendars import ensure_intervals

SECRET = "bench-secret"
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def event(run: str, n: int, resolved: bool) -> bytes:
    ticket = {"reference": f"{run}-{n}", "company": f"Company {n % 40}", "channel": "portal",
              "severity": str(1 + n % 4), "status": "resolved" if resolved else "open", "team": f"Team {n % 7}",
              "opened_at": (OPENED + timedelta(minutes=n)).isoformat()}
    if resolved:
        ticket["first_response_at"] = (OPENED + timedelta(minutes=n + 20)).isoformat()
        ticket["resolved_at"] = (OPENED + timedelta(minutes=n + 300)).isoformat()
    return json.dumps({"event_id": f"{run}-{n}-{int(resolved)}", "ticket": ticket}).encode()


def post(url: str, body: bytes) -> float:
    stamp = int(time.time())
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "X-Vigie-Timestamp": str(stamp), "X-Vigie-Signature": sign_canonical(SECRET, stamp, body)})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 202:
            raise RuntimeError(f"{response.status}: {response.read()[:200]!r}")
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(path: Path):
    port = free_port()
    env = {**os.environ, "VIGIE_DB": str(path), "VIGIE_WEBHOOK_SECRET_CANONICAL": SECRET}
    proc = subprocess.Popen([sys.executable, "-m", "ui.serve", "--server.headless", "true", "--server.port", str(port),
                             "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def http_runs(path: Path, args: argparse.Namespace) -> None:
    """The HTTP runs: a server on ``path``, each thread count sending its events."""
    proc, url = serve(path)
    try:
        with urllib.request.urlopen(url + "/api/v1/health", timeout=30) as response:
            before = json.loads(response.read())["tickets"]
        for threads in args.threads:
            run = f"T{threads}-{time.time_ns()}"   # new event ids on every run: a reused --db store answers no duplicate
            bodies = [event(run, n, False) for n in range(args.events)] + [event(run, n, True) for n in range(args.events)]
            started = time.perf_counter()
            with ThreadPoolExecutor(threads) as pool:
                created = list(pool.map(lambda b: post(url + "/api/v1/events/canonical", b), bodies[:args.events]))
                updated = list(pool.map(lambda b: post(url + "/api/v1/events/canonical", b), bodies[args.events:]))
            seconds = time.perf_counter() - started
            latencies = sorted(created + updated)
            print(f"intake over HTTP, {threads} sender thread(s): {len(bodies)} events in {seconds:.2f} s = "
                  f"{len(bodies) / seconds:,.0f} events/s; latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
                  f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms")
        with urllib.request.urlopen(url + "/api/v1/health", timeout=30) as response:
            print(f"tickets in the store after the HTTP runs: {json.loads(response.read())['tickets']:,} "
                  f"(expected {before + args.events * len(args.threads):,})")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 8])
    parser.add_argument("--db")
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "intake-bench.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    db.close()
    if args.threads:
        http_runs(path, args)
    db = open_store(path)
    if args.threads:
        peer = f"P{time.time_ns()}"
        bodies = [event(peer, n, False) for n in range(args.events)] + [event(peer, n, True) for n in range(args.events)]
        started = time.perf_counter()
        for body in bodies:
            event_id, row = parse_event("canonical", {}, body)
            apply_event(db, source="canonical", event_id=event_id, row=row)
        seconds = time.perf_counter() - started
        print(f"peer: the same events applied in process one per transaction (no HTTP, no signature, no batching): "
              f"{len(bodies) / seconds:,.1f} events/s")
    tickets = db.scalar("SELECT count(*) FROM tickets")
    times = []
    run = f"B{time.time_ns()}"   # new tickets on every run, so a reused --db store never answers duplicates
    for k in range(5):
        batch = [("canonical", *parse_event("canonical", {}, event(f"{run}-{k}", n, False))) for n in range(50)]
        started = time.perf_counter()
        apply_events(db, batch)
        times.append(time.perf_counter() - started)
    print(f"a batch of 50 new tickets in process on a store of {tickets:,} tickets: median "
          f"{statistics.median(times) * 1000:.0f} ms ({50 / statistics.median(times):,.0f} events/s in such batches)")
    db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
