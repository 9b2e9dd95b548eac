"""The dashboard's memory with every page opened once: the server's resident memory after each page, and its peak.

    python benchmarks/bench_memory.py [--tickets N] [--db data/bench/vigie-10000000.duckdb]

Starts the README's server (``python -m ui.serve``, dashboard and workers) on the benchmark database of that
size (built once by ``support.sla_database``, shared with ``benchmarks/bench.py``), opens every page in
Debian's Chromium one after the other, as a user going through the menu, and prints after each the seconds
until the page is idle and the server process's resident memory (``VmRSS``) and peak (``VmHWM``). The chart
browser the Monthly report page starts is a process of its own, not counted. Issue 13's target: under 4 GiB at
10M tickets.
"""
from __future__ import annotations

import time
from pathlib import Path

from support import parser, sla_database  # first: puts the repository on sys.path

from analytics.domains import all_pages
from tests.browser_support import open_browser, start_dashboard, wait_for_app


def memory_mib(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of process ``pid``, in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    cli = parser(__doc__, tickets="one")
    cli.add_argument("--db", type=Path, help="an existing benchmark database (default: the one of --tickets)")
    args = cli.parse_args()
    path = args.db or sla_database(args.tickets)
    server: list = []
    with start_dashboard(path, process=server, timeout=300) as url, open_browser() as page:
        pid = server[0].pid
        print(f"{path.name}: server started, resident {memory_mib(pid)[0]:,.0f} MiB", flush=True)
        for spec in all_pages():
            start = time.perf_counter()
            page.goto(f"{url}/{spec.url_path}")
            wait_for_app(page, timeout=300_000)
            resident, peak = memory_mib(pid)
            print(f"memory  {spec.title:<28} {time.perf_counter() - start:6.1f} s   resident {resident:7,.0f} MiB"
                  f"   peak {peak:7,.0f} MiB", flush=True)
        resident, peak = memory_mib(pid)
        print(f"memory  after every page: resident {resident:,.0f} MiB, peak {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
