"""The Login lockouts page (AppTest through the dashboard's navigation) shows the figures of a fixture week."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.domains import open_store, pages_for
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_ticket
from tests.logins.factories import add_logins, human_lockout, run_of, scripted_lockout

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")


# every test of this file on a frozen clock (ticking on from there), Monday 16 November 2026 at 10:00 in Paris:
# the page's default period and the Tuesday below (3 November 2026) are the same whatever the day the suite runs
FROZEN = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(FROZEN, tick=True):
        yield


def recent_tuesday():
    """A Tuesday 8 to 14 days ago whose Tuesday, Wednesday and next Monday are working days in France."""
    day = datetime.now(PARIS).date() - timedelta(days=8)
    while True:
        day -= timedelta(days=(day.weekday() - 1) % 7)
        closed = holidays.country_holidays("FR", years=[day.year, day.year + 1])
        if not any(day + timedelta(days=k) in closed for k in (0, 1, 6)):
            assert day == date(2026, 11, 3)  # at the frozen instant
            return day
        day -= timedelta(days=1)


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def page_db(tmp_path, monkeypatch):
    """a1 (Alpha, office) locked Tuesday 10:01, unlocked 30 min later; b1 (Beta, home) locked Saturday 23:01,
    regenerated 34.5 h later; a2 (Alpha) locked Wednesday 11:00 by 1-second attempts from 2001:db8:bad::7,
    unlocked 2 h later. Two login-lockout tickets and one about connectivity."""
    path = tmp_path / "lockouts.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    tue = recent_tuesday()
    events = run_of(at(tue, 10), "a1", "Alpha", "10.1.1.1", human_lockout() + [(1800, "unlock"), (300, "success")],
                    actor="alpha-admin")
    events += run_of(at(tue + timedelta(days=4), 23), "b1", "Beta", "198.51.100.7",
                     human_lockout() + [(34.5 * 3600, "password_regenerated"), (600, "success")], actor="beta-admin")
    events += run_of(at(tue + timedelta(days=1), 11), "a2", "Alpha", "2001:db8:bad::7",
                     scripted_lockout() + [(7200, "unlock")], actor="alpha-admin")
    events += run_of(at(tue + timedelta(days=1), 9), "a1", "Alpha", "10.1.1.1",
                     [(0, "success"), (80 * 60, "inactivity_logout"), (180, "success")])
    add_logins(db, events)
    for reference, category, day in (("T-1", "login lockout", 0), ("T-2", "login lockout", 1),
                                     ("T-3", "connectivity", 1)):
        add_ticket(db, reference, severity=4, opened=at(tue + timedelta(days=day), 12), company="Alpha")
        db.write(lambda cur, c, r: cur.execute("UPDATE tickets SET category = ? WHERE reference = ?", [c, r]),
                 category, reference)
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path


def open_page() -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    app.run()
    app.switch_page("pages/lockouts.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def table(app, *columns):
    return next(d.value for d in app.dataframe if set(columns) <= set(d.value.columns))


def test_every_role_sees_the_page():
    for role in ("manager", "supervisor", "leadership", "admin"):
        assert "pages/lockouts.py" in [p.path for p in pages_for({role})]


def test_headline_figures_and_policy(page_db):
    app = open_page()
    assert app.title[0].value == "Login lockouts"
    assert {m.label: m.value for m in app.metric} == {
        "Lockouts": "3", "Failed logins": "18", "Unlocks / regen.": "2 / 1",
        "Median time to unlock": "17.5 h",   # ordinary ones: 0.5 h and 34.5 h
        "Outside trusted zone": "66.7%",     # b1 at home and the attacker
        "Outside phone hours": "33.3%",      # b1 on Saturday night
    }
    captions = " ".join(c.value for c in app.caption)
    assert "6 failures in a row lock the account" in captions
    assert "Trusted zone: `10.0.0.0/8`, `192.168.0.0/16`, `2001:db8:100::/48`" in captions
    assert "2 login-related support tickets" in captions
    assert len(app.get("plotly_chart")) >= 2


def test_tables_behind_the_figures(page_db):
    app = open_page()
    companies = table(app, "company", "lockouts", "attack_lockouts").set_index("company")
    assert companies.loc["Alpha", ["lockouts", "attack_lockouts", "unlocks"]].tolist() == [2, 1, 2]
    assert companies.loc["Beta", ["lockouts", "regenerations", "outside_zone_pct"]].tolist() == [1, 1, 100.0]
    attacks = table(app, "kind", "source")
    assert attacks["source"].tolist() == ["a2"]
    assert attacks["detail"].tolist() == ["from 2001:db8:bad::7"]
    users = table(app, "user_id", "lockouts", "failures")
    assert sorted(users["user_id"]) == ["a1", "a2", "b1"]
    phone = table(app, "company", "outside_phone_hours").set_index("company")
    assert phone.loc["Beta", "outside_phone_hours"] == 1 and phone.loc["Alpha", "outside_phone_hours"] == 0
    zones = table(app, "zone", "timeout_min").set_index("zone")
    inside = zones.loc["Inside the trusted zone"]
    assert inside[["timeout_min", "inactivity_logouts", "back_within_10_min"]].tolist() == [60, 1, 1]
    tickets = table(app, "week", "lockout_tickets")
    assert int(tickets["lockout_tickets"].sum()) == 2 and int(tickets["lockouts"].sum()) == 3


def test_company_filter(page_db):
    app = open_page()
    app.multiselect(key="lockouts_company").set_value(["Beta"]).run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    assert (shown["Lockouts"], shown["Failed logins"], shown["Median time to unlock"]) == ("1", "6", "34.5 h")


def test_without_login_events_the_page_says_how_to_import(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    add_ticket(db, "T-1", severity=4, opened=datetime.now(PARIS) - timedelta(days=1))
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    app = open_page()
    assert "python -m analytics import logins FILE" in app.info[0].value
    assert not app.metric
