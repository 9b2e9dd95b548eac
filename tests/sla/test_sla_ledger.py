"""The SLA ledger gives exactly the on-read engine's figures, after every kind of change, on both backends.

Each test changes what a figure depends on (a target's value, unit or calendar, a closure, the
holiday country, the pause statuses, a ticket's severity or times, new status events, a
re-import), then reads every SLA figure twice: through the ledger (the version in force) and
through the on-read engine (``version=ON_READ``), and requires the same frames.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.domains import open_store
from analytics.kernel.periods import Period
from analytics.kernel.roles import system_actor
from analytics.settings.service import change_sla_target, put_setting
from analytics.sla import versions
from analytics.sla.calendars import load_calendars, rebuild_intervals
from analytics.sla.engine import STATES
from analytics.sla.measures import ON_READ, measures_of, reading_version
from analytics.sla.stats import compliance, monthly_trend, severity_table, tickets_behind
from tests.factories import add_ticket, paris
from tests.store.pg_support import backend_target

AS_OF = paris(2026, 6, 20, 12, 0)
PERIOD = Period(date(2026, 5, 1), date(2026, 7, 1))
ADMIN = system_actor("admin-test")


def figures(db, version, as_of=AS_OF) -> dict[str, pd.DataFrame]:
    """Every SLA figure of the period, read from ``version`` (ON_READ: the engine)."""
    frames = {
        "severity table": severity_table(db, PERIOD, as_of=as_of, version=version),
        "per severity": compliance(db, PERIOD, as_of=as_of, version=version),
        "by team": compliance(db, PERIOD, as_of=as_of, by="team", per_severity=False, version=version),
        "by company": compliance(db, PERIOD, as_of=as_of, by="company", per_severity=False, version=version),
        "by channel": compliance(db, PERIOD, as_of=as_of, by="channel", per_severity=False, version=version),
        "trend": monthly_trend(db, PERIOD, as_of=as_of, version=version),
        "tickets": tickets_behind(db, PERIOD, as_of=as_of, states=STATES, version=version),
        "measures": measures_of(db, as_of=as_of, version=version),
    }
    for name in ("tickets", "measures"):
        key = ["reference", "measure"] if name == "tickets" else ["ticket_id", "measure"]
        frames[name] = frames[name].sort_values(key).reset_index(drop=True)
    return frames


def assert_ledger_equals_engine(db, as_of=AS_OF) -> None:
    version = reading_version(db)
    assert version is not None, "the ledger must answer, not the fallback"
    assert version.rules_hash == versions.current_rules(db.cursor())[0]
    ledger, engine = figures(db, None, as_of), figures(db, ON_READ, as_of)
    for name in ledger:
        pd.testing.assert_frame_equal(ledger[name], engine[name], check_dtype=False, obj=name)


def some_tickets(db) -> None:
    """Tickets of every severity: decided, open, at risk, breached while open, on weekends, across teams."""
    day = paris(2026, 6, 1, 9, 0)
    for i in range(24):
        opened = day + timedelta(hours=7 * i + (i % 5))
        add_ticket(db, f"L-{i:02}", severity=1 + i % 4, opened=opened,
                   response=opened + timedelta(minutes=11 * (1 + i % 7)) if i % 6 else None,
                   resolved=opened + timedelta(hours=3 * (1 + i % 9)) if i % 5 else None,
                   channel=("phone", "email", "portal")[i % 3], company=("Alpha", "Beta")[i % 2],
                   team=("Service desk", "Network", "Platforms")[i % 3])
    # on business days around 8 May (a public holiday in France, not in Germany)
    add_ticket(db, "L-24", severity=4, opened=paris(2026, 5, 7, 17, 0), resolved=paris(2026, 5, 12, 17, 30))


def status_event(db, reference, at, status) -> None:
    with db.transaction() as cur:
        cur.execute("INSERT INTO ticket_events (ticket_id, occurred_at, kind, to_value) "
                    "SELECT id, ?, 'status', ? FROM tickets WHERE reference = ?", [at, status, reference])


def test_the_ledger_holds_every_ticket_and_measure_and_the_figures_equal_the_engine(db):
    some_tickets(db)
    version = versions.in_force(db)
    assert db.scalar("SELECT count(*) FROM sla_ledger WHERE version = ?", [version.version]) == 50
    assert db.scalar("SELECT count(*) FROM sla_ledger WHERE state IS NULL") == \
        db.scalar("SELECT count(*) FILTER (WHERE resolved_at IS NULL) + count(*) FILTER (WHERE resolved_at IS NULL "
                  "AND first_response_at IS NULL) FROM tickets")
    assert_ledger_equals_engine(db)
    assert_ledger_equals_engine(db, as_of=paris(2026, 6, 3, 12, 0))  # an instant before many ends
    assert_ledger_equals_engine(db, as_of=paris(2026, 12, 1, 12, 0))


CHANGES = {
    "target value": lambda db: change_sla_target(db, actor=ADMIN, severity=2, measure="resolution", target_value=1.5,
                                                 target_unit="hours", calendar_id=1),
    "target unit and calendar": lambda db: change_sla_target(db, actor=ADMIN, severity=3, measure="response",
                                                             target_value=1, target_unit="business_days",
                                                             calendar_id=2),
    "a closure added": lambda db: (db.write(lambda cur: cur.execute(
        "INSERT INTO calendar_closures VALUES (2, DATE '2026-06-03', 'Company day off')")),
        db.write(rebuild_intervals, load_calendars(db))),
    "holiday country changed": lambda db: (db.write(lambda cur: cur.execute(
        "UPDATE calendars SET holiday_country = 'DE' WHERE id = 2")), db.write(rebuild_intervals, load_calendars(db))),
    "pause statuses set": lambda db: (status_event(db, "L-03", paris(2026, 6, 1, 14, 0), "Awaiting customer"),
                                      status_event(db, "L-03", paris(2026, 6, 2, 10, 0), "In progress"),
                                      db.write(lambda cur: put_setting(cur, name="sla.pause_statuses",
                                                                       value=["Awaiting customer"], actor="t"))),
    "severity changed": lambda db: db.write(lambda cur: cur.execute(
        "UPDATE tickets SET severity = 1 WHERE reference IN ('L-05', 'L-06')")),
    "a ticket resolved later": lambda db: db.write(lambda cur: cur.execute(
        "UPDATE tickets SET resolved_at = resolved_at + INTERVAL 40 HOUR WHERE reference = 'L-07'")),
    "an open ticket resolved": lambda db: db.write(lambda cur: cur.execute(
        "UPDATE tickets SET resolved_at = opened_at + INTERVAL 2 HOUR WHERE reference = 'L-05'")),
    "a ticket deleted": lambda db: db.write(lambda cur: cur.execute("DELETE FROM tickets WHERE reference = 'L-08'")),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_after_each_kind_of_change_the_ledger_still_equals_the_engine(db, change):
    some_tickets(db)
    before = versions.in_force(db).version
    figures_before = figures(db, None)
    CHANGES[change](db)
    assert_ledger_equals_engine(db)
    rules_changed = change in ("target value", "target unit and calendar", "a closure added",
                               "holiday country changed", "pause statuses set")
    assert (versions.in_force(db).version > before) is rules_changed
    changed = any(not figures_before[n].equals(f) for n, f in figures(db, None).items())
    assert changed, f"{change} changed no figure: the test does not test it"


def test_new_status_events_move_the_resolution_clock_when_statuses_pause_it(db):
    some_tickets(db)
    CHANGES["pause statuses set"](db)
    status_event(db, "L-01", paris(2026, 6, 1, 17, 0), "Awaiting customer")
    assert_ledger_equals_engine(db)
    paused = db.scalar("SELECT paused_s FROM sla_ledger l JOIN tickets t ON t.id = l.ticket_id "
                       "WHERE t.reference = 'L-01' AND measure = 'resolution' AND version = ?",
                       [versions.in_force(db).version])
    assert paused == 6 * 3600  # from 17:00 to its resolution at 23:00, on the 24/7 calendar


def test_a_reimport_with_a_new_resolution_is_in_the_ledger(db, tmp_path):
    from analytics.imports.columns import CANONICAL_COLUMNS
    from analytics.imports.service import import_tickets

    def write(resolved: str):
        row = {c: "" for c in CANONICAL_COLUMNS} | {
            "reference": "R-1", "company": "Acme", "channel": "phone", "severity": "2", "status": "resolved",
            "opened_at": "2026-06-02T09:00:00+02:00", "first_response_at": "2026-06-02T09:20:00+02:00",
            "resolved_at": resolved}
        path = tmp_path / "t.csv"
        path.write_text(",".join(CANONICAL_COLUMNS) + "\n" + ",".join(row[c] for c in CANONICAL_COLUMNS) + "\n")
        return path

    import_tickets(db, write("2026-06-02T10:00:00+02:00"), actor=ADMIN)
    assert db.scalar("SELECT state FROM sla_ledger WHERE measure = 'resolution'") == "met"  # one version only
    import_tickets(db, write("2026-06-02T18:00:00+02:00"), actor=ADMIN)
    assert db.scalar("SELECT state FROM sla_ledger WHERE measure = 'resolution'") == "breached"
    assert_ledger_equals_engine(db)


def test_a_page_keeps_reading_the_version_it_started_with(db):
    some_tickets(db)
    started = versions.in_force(db).version
    old = figures(db, started)
    CHANGES["target value"](db)
    assert versions.in_force(db).version == started + 1
    still = figures(db, started)  # the replaced version is kept for the pages reading it
    for name in old:
        pd.testing.assert_frame_equal(old[name], still[name], obj=name)
    assert not old["severity table"].equals(figures(db, None)["severity table"])


def test_a_retired_version_leaves_no_ledger_rows_nor_rollups(db):
    some_tickets(db)
    first = versions.in_force(db).version
    CHANGES["target value"](db)  # first stays, complete, for the pages still reading it
    CHANGES["target unit and calendar"](db)  # now first is retired
    kept = {v for (v,) in db.rows("SELECT version FROM sla_versions WHERE state <> 'retired'")}
    assert first not in kept and len(kept) == 2
    for table in ("sla_ledger", "sla_daily", "sla_daily_elapsed", "sla_version_targets"):
        left = {v for (v,) in db.rows(f"SELECT DISTINCT version FROM {table}")}  # names from this tuple
        assert left <= kept, table


OPERATIONS = ("target", "closure", "severity", "resolution", "new ticket", "status event", "pauses")


def apply(db, operation: str, rng: random.Random) -> None:
    reference = f"L-{rng.randrange(24):02}"
    if operation == "target":
        change_sla_target(db, actor=ADMIN, severity=rng.randint(1, 4), measure=rng.choice(("response", "resolution")),
                          target_value=rng.choice((0.5, 1, 2, 6)), target_unit=rng.choice(("hours", "business_days")),
                          calendar_id=rng.choice((1, 2)))
    elif operation == "closure":
        day = date(2026, 6, 1) + timedelta(days=rng.randrange(20))
        db.write(lambda cur: cur.execute("INSERT INTO calendar_closures VALUES (2, ?, 'closed')", [day]))
        db.write(rebuild_intervals, load_calendars(db))
    elif operation == "severity":
        db.write(lambda cur: cur.execute("UPDATE tickets SET severity = ? WHERE reference = ?",
                                         [rng.randint(1, 4), reference]))
    elif operation == "resolution":
        db.write(lambda cur: cur.execute("UPDATE tickets SET resolved_at = opened_at + to_minutes(?::BIGINT) "
                                         "WHERE reference = ?", [rng.randrange(10, 5000), reference]))
    elif operation == "new ticket":
        opened = paris(2026, 6, 1 + rng.randrange(25), rng.randrange(24))
        add_ticket(db, f"N-{rng.randrange(10**6)}", severity=rng.randint(1, 4), opened=opened,
                   resolved=opened + timedelta(minutes=rng.randrange(10, 9000)) if rng.random() < 0.7 else None)
    elif operation == "status event":
        status_event(db, reference, paris(2026, 6, 1 + rng.randrange(25), rng.randrange(24)),
                     rng.choice(("Awaiting customer", "In progress")))
    else:
        db.write(lambda cur: put_setting(cur, name="sla.pause_statuses",
                                         value=rng.choice(([], ["Awaiting customer"])), actor="t"))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=5), seed=st.integers(0, 10**6))
def test_any_sequence_of_changes_keeps_the_ledger_equal_to_the_engine(tmp_path_factory, steps, seed):
    db = open_store(backend_target(tmp_path_factory.mktemp("ledger") / "p.duckdb"))
    try:
        some_tickets(db)
        rng = random.Random(seed)
        for operation in steps:
            apply(db, operation, rng)
        assert_ledger_equals_engine(db)
    finally:
        db.close()


def test_figures_as_of_now_read_the_daily_rollups(db):
    from analytics.sla import rollups
    from analytics.sla.filters import TicketFilter

    some_tickets(db)
    version = reading_version(db)
    assert rollups.usable(version, TicketFilter(), AS_OF)          # every measure ended had ended by then
    assert not rollups.usable(version, TicketFilter(), paris(2026, 6, 3, 12, 0))
    assert not rollups.usable(version, TicketFilter(ticket_ids=(1,)), AS_OF)
    before = severity_table(db, PERIOD, as_of=AS_OF)
    db.write(lambda cur: cur.execute("UPDATE sla_daily SET met = met + 100 WHERE severity = 1"))  # tamper
    after = severity_table(db, PERIOD, as_of=AS_OF)
    assert (after.loc[after.severity == 1, "met"] - before.loc[before.severity == 1, "met"] > 0).all()
    assert after.loc[after.severity != 1, "met"].tolist() == before.loc[before.severity != 1, "met"].tolist()


def test_medians_of_long_periods_from_the_buckets_are_within_the_stated_error(db, monkeypatch):
    from analytics.sla import daily_stats
    from analytics.sla.rollups import QUANTILE_ERROR

    some_tickets(db)
    monkeypatch.setattr(daily_stats, "EXACT_QUANTILES_MAX", 0)
    approx, exact = severity_table(db, PERIOD, as_of=AS_OF), severity_table(db, PERIOD, as_of=AS_OF, version=ON_READ)
    counts = ["met", "breached", "pending", "at_risk", "compliance_pct"]
    pd.testing.assert_frame_equal(approx[counts], exact[counts], check_dtype=False)
    for column in ("median_s", "p90_s"):
        for got, want in zip(approx[column], exact[column]):
            assert abs(got - want) <= QUANTILE_ERROR * want + 1e-6, (column, got, want)
