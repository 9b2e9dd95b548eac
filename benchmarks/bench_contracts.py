"""What contracts cost the on-read SLA engine: the severity table for 3 months with every ticket under Standard
(no contract join) against a fifth of the companies under a Premium contract (the join), interleaved.

    python benchmarks/bench_contracts.py [--tickets 1000000] [--repeat 5]

Works on a copy of the SLA benchmark's database (``data/bench/vigie-N.duckdb``, built once by ``support``), so the
benchmark database keeps only the contract its demo defines (Premium, 4 companies; none in a database built before
the demo had contracts): a fifth of the companies are put under that Premium too (created when missing).
"""
from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from support import NOW, parser, sla_database  # first: puts the repository on sys.path

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.kernel.roles import system_actor
from analytics.sla import measures, stats
from analytics.sla.contracts import assign_contract, contract_choices, create_contract
from analytics.sla.measures import ON_READ

cli = parser(__doc__, tickets="one")
cli.add_argument("--repeat", type=int, default=5)
args = cli.parse_args()
copy = Path(tempfile.mkdtemp()) / "contracts.duckdb"
shutil.copyfile(sla_database(args.tickets), copy)
db = open_store(copy)
quarter = Period(date(2026, 8, 1), date(2026, 11, 1), db.timezone)
admin = system_actor("bench")
number = {name: i for i, name in contract_choices(db).items()}.get("Premium") or create_contract(db, actor=admin, name="Premium")
companies = [r[0] for r in db.rows("SELECT id FROM companies ORDER BY id")]
for cid in companies[::5]:
    assign_contract(db, actor=admin, company_id=cid, contract_id=number, starts_on=date(2025, 1, 1))
print(f"{db.scalar('SELECT count(DISTINCT company_id) FROM company_contracts')} of {len(companies)} companies under Premium; "
      f"{db.scalar('SELECT count(*) FROM tickets'):,} tickets")
times = {"no contract (no join)": [], "a fifth of companies under Premium (join)": []}
for _ in range(args.repeat):
    for label, flag in (("no contract (no join)", False), ("a fifth of companies under Premium (join)", True)):
        measures.any_assigned = lambda *_, flag=flag: flag  # the SQL without or with the contract join
        started = time.perf_counter()
        stats.severity_table(db, quarter, as_of=NOW, version=ON_READ)
        times[label].append(time.perf_counter() - started)
for label, ts in times.items():
    print(f"on-read severity table, 3 months: {label}: median {statistics.median(ts):.2f} s "
          f"({', '.join(f'{x:.2f}' for x in ts)})")
a, b = (statistics.median(v) for v in times.values())
print(f"ratio join / no join: {b / a:.2f}")
