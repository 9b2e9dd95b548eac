"""The real ServiceNow event log (UCI, 141,712 updates of 24,918 incidents) end to end.

Read where it lies (``/work/shared/realdata``, never copied into the repository): every
incident is accounted for, re-importing changes nothing, and the SLA figures, the
monthly trend and the comparison with ServiceNow's own ``made_sla`` work on it.
"""
from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from analytics.domains import open_store
from analytics.imports.queries import agreement_share, verdict_comparison, verdict_figure
from analytics.imports.service import import_file, resolve_profile
from analytics.kernel.periods import Period
from analytics.kernel.roles import system_actor
from analytics.sla.filters import TicketFilter
from analytics.sla.stats import monthly_trend, severity_table, tickets_behind

REAL_LOG = Path("/work/shared/realdata/servicenow-incident-event-log.csv.gz")
AS_OF = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The real log imported once for the module into a file: (its path, the import's report)."""
    if not REAL_LOG.exists():
        pytest.fail(f"the real event log is missing at {REAL_LOG}")
    path = tmp_path_factory.mktemp("real") / "real.duckdb"
    database = open_store(path)
    report = import_file(database, REAL_LOG, profile=resolve_profile(REAL_LOG), actor=system_actor("test"))
    database.close()
    return path, report


@pytest.fixture(scope="module")
def real_db(imported):
    """The imported database, read-only: no test of the module changes what another one reads."""
    database = open_store(imported[0], read_only=True)
    database.first_report = imported[1]
    yield database
    database.close()


@pytest.fixture
def own_copy(imported, tmp_path):
    """A copy of the imported database for a test that writes (the re-import adds an import run)."""
    path = tmp_path / "real.duckdb"
    shutil.copyfile(imported[0], path)
    database = open_store(path)
    yield database
    database.close()


def test_every_incident_is_accounted_for(real_db):
    report = real_db.first_report
    assert report.source == "servicenow-events"
    assert (report.read, report.accepted, report.rejected) == (141_712, 141_712, 0)
    assert (report.tickets, report.inserted) == (24_918, 24_918)
    assert report.warnings == ["fields.company: column 'company' is not in the file, so its default "
                               "('Unknown company') is used for every row"]
    assert real_db.scalar("SELECT count(DISTINCT reference) FROM tickets") == 24_918
    assert real_db.rows("SELECT rows_read, inserted, rejected FROM import_runs") == [(141_712, 24_918, 0)]
    assert real_db.scalar("SELECT tickets FROM import_run_details") == 24_918
    # everything the fold promises is there: opened, first response, resolution and closing. Every
    # incident ends closed: INC0000135 has two updates numbered 7, and the later one closes it.
    assert real_db.rows("SELECT count(*), count(first_response_at), count(resolved_at), count(closed_at), "
                        "count(source_made_sla) FROM tickets") == [(24_918, 24_918, 24_918, 24_918, 24_918)]
    assert real_db.rows("SELECT status, count(*) FROM tickets GROUP BY 1") == [("closed", 24_918)]
    assert real_db.scalar("SELECT count(*) FROM tickets WHERE source_made_sla = false") == 9_115


def test_the_log_folds_into_events_and_facts(real_db):
    kinds = dict(real_db.rows("SELECT kind, count(*) FROM ticket_events GROUP BY 1"))
    assert kinds["opened"] == kinds["closed"] == kinds["resolved"] == kinds["response"] == 24_918
    assert kinds["severity"] == 436 and kinds["reopened"] == 332
    assert kinds["reassigned"] == 23_322
    facts = real_db.rows("SELECT count(*), sum(reopen_count), count(*) FILTER (WHERE waiting_s > 0) "
                         "FROM ticket_source_facts")[0]
    assert facts[0] == 24_918 and facts[1] == 331                  # ServiceNow's own reopen_count
    # exact: the log is a fixed file (the same figures from two imports)
    assert facts[2] == 5_464                                        # incidents that waited on the user
    priorities = dict(real_db.rows("SELECT severity, count(*) FROM tickets GROUP BY 1"))
    assert priorities == {1: 270, 2: 408, 3: 23_466, 4: 774}       # "3 - Moderate" dominates


def test_reimporting_the_log_changes_nothing(own_copy):
    before = [own_copy.table_count(t) for t in ("tickets", "ticket_events", "ticket_source_facts")]
    again = import_file(own_copy, REAL_LOG, profile=resolve_profile(REAL_LOG), actor=system_actor("test"))
    assert (again.inserted, again.updated, again.unchanged, again.events) == (0, 0, 24_918, 0)
    assert [own_copy.table_count(t) for t in ("tickets", "ticket_events", "ticket_source_facts")] == before


def test_sla_and_trend_views_work_on_it(real_db):
    period = Period(date(2016, 2, 1), date(2017, 4, 1), real_db.timezone)
    table = severity_table(real_db, period, as_of=AS_OF)
    resolution = table[table["measure"] == "resolution"]
    # every incident is decided once, in the period
    assert int(resolution["met"].sum() + resolution["breached"].sum()) == 24_918
    assert resolution["compliance_pct"].notna().all()
    trend = monthly_trend(real_db, period, as_of=AS_OF)
    months = sorted({m.date() if hasattr(m, "date") else m for m in trend["month"]})
    # the log's resolutions run from February 2016 to February 2017: 13 months, none missing
    assert months == [date(2016 + (1 + k) // 12, (1 + k) % 12 + 1, 1) for k in range(13)]
    behind = tickets_behind(real_db, period, TicketFilter(severities=(1,)), as_of=AS_OF, measure="resolution",
                            states=("breached",))
    assert len(behind) == 249 and behind["source_made_sla"].notna().all()   # the source's verdict beside Vigie's


def test_the_source_verdict_beside_vigies(real_db):
    comparison = verdict_comparison(real_db, as_of=AS_OF, source="servicenow-events")
    assert int(comparison["tickets"].sum()) == 24_918
    share = agreement_share(comparison)
    assert share == 19_500 / 24_918  # Vigie and ServiceNow agree on 19,500 of the 24,918 incidents
    figure = verdict_figure(comparison)
    assert {trace.name for trace in figure.data} >= {"both met", "both breached", "source met, Vigie breached"}
    assert sum(sum(trace.y) for trace in figure.data) == 24_918
