"""Every numeric setting has a documented range: accepted at its bounds, refused past them in one line.

Before the ranges, ``incident.status_update_minutes 1e20`` and ``rca.overdue_days 1000000000``
were accepted and then broke the Incidents and RCA pages; ``lockout.threshold 1e400`` was a
traceback and ``nan`` an obscure message.
"""
from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.cli.main import main
from analytics.kernel.roles import Actor
from analytics.settings.queries import all_settings, get_setting
from analytics.settings.rules import SETTINGS, SettingError
from analytics.settings.service import change_setting, parse_setting_input, settings_table

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor(name="Ada Admin", email="ada@example.com", roles=frozenset({"admin"}))
EVERYONE = Actor(name="Eve", roles=frozenset({"manager", "supervisor", "leadership", "admin"}))
NUMERIC = [s for s in SETTINGS if s.numeric]


def test_every_numeric_setting_has_a_range_holding_its_default():
    assert len(NUMERIC) == 24  # with the notices, schedules, sla.next_to_breach_hours and sla.fcr_window_minutes
    for s in NUMERIC:
        assert s.low is not None and s.high is not None, s.name
        assert s.low <= s.default <= s.high, s.name


@pytest.mark.parametrize("setting", NUMERIC, ids=lambda s: s.name)
def test_bounds_are_accepted_and_values_past_them_refused_naming_the_range(db, setting):
    if setting.name == "incident.notify_target_minutes":  # may not pass its deadline (30)
        change_setting(db, actor=ADMIN, name="incident.notify_deadline_minutes", value=setting.high)
    for bound in (setting.low, setting.high):
        if setting.name == "incident.notify_deadline_minutes" and bound < get_setting(db, "incident.notify_target_minutes"):
            continue  # the target (20) may not pass its deadline: checked below
        change_setting(db, actor=ADMIN, name=setting.name, value=parse_setting_input(setting.name, f"{bound:g}"))
        assert get_setting(db, setting.name) == bound
    step = 1 if setting.whole else 0.01
    for past in (setting.low - step, setting.high + step, 1e20, 1e400, -math.inf, math.nan):
        shown = f"{past:g}"  # as the refusal writes a number: 0.24, 1e+20, inf, nan
        with pytest.raises(SettingError, match=re.escape(
                f"{setting.name} must be {setting.range_text()}; {shown} is not") + "$") as refused:
            parse_setting_input(setting.name, str(past))
        assert str(refused.value).startswith(f"{setting.name} must be {setting.range_text()}")
        assert f"from {setting.low:g} to {setting.high:g}" in str(refused.value)
    stored = dict(db.rows("SELECT name, value FROM settings"))
    assert json.loads(stored[setting.name]) == setting.high


@pytest.mark.parametrize("setting", [s for s in NUMERIC if s.whole], ids=lambda s: s.name)
def test_a_whole_setting_refuses_a_fraction(db, setting):
    with pytest.raises(SettingError, match="must be a whole number from"):
        change_setting(db, actor=ADMIN, name=setting.name, value=setting.low + 0.5)


def test_the_notification_target_cannot_pass_its_deadline(db):
    with pytest.raises(SettingError, match=r"target \(31 min\) cannot be after its deadline \(30 min\)"):
        change_setting(db, actor=ADMIN, name="incident.notify_target_minutes", value=31)
    with pytest.raises(SettingError, match=r"target \(20 min\) cannot be after its deadline \(19 min\)"):
        change_setting(db, actor=ADMIN, name="incident.notify_deadline_minutes", value=19)


def test_a_stored_value_refused_today_leaves_the_default_in_force(db, caplog):
    with db.transaction() as cur:  # as an earlier version, or a hand edit, could have left it
        cur.execute("INSERT INTO settings (name, value, updated_at, updated_by) VALUES "
                    "('rca.overdue_days', '1e20', now(), 'old'), ('lockout.threshold', 'NaN', now(), 'old')")
    assert get_setting(db, "rca.overdue_days") == 10
    assert all_settings(db)["lockout.threshold"] == 6
    assert settings_table(db).set_index("name").loc["rca.overdue_days", "value"] == "10"
    assert "rca.overdue_days: the stored value is refused" in caplog.text


@pytest.mark.parametrize("value", ["1e400", "nan", "1e20", "-1", "abc"])
def test_the_command_line_refuses_in_one_line_with_exit_2(tmp_path, value):
    run = subprocess.run([sys.executable, "-m", "analytics", "settings", "set", "lockout.threshold", value,
                          "--db", str(tmp_path / "s.duckdb")], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("error: lockout.threshold must be a whole number from 1 to 100")


@pytest.mark.parametrize("page", ["incidents.py", "rca.py", "monthly_report.py", "escalations.py"])
def test_pages_render_with_the_widest_settings(tmp_path, monkeypatch, page):
    path = str(tmp_path / "wide.duckdb")
    assert main(["demo", "--db", path, "--tickets", "300", "--quiet"]) == 0
    for name, value in [("incident.status_update_minutes", "1440"), ("rca.overdue_days", "365"),
                        ("rca.recurrence_days", "3650"), ("escalation.ack_hours", "720"),
                        ("escalation.repeat_threshold", "1000")]:
        assert main(["settings", "set", name, value, "--db", path]) == 0
    monkeypatch.setenv("VIGIE_DB", path)
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
    at.session_state["vigie_actor"] = EVERYONE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.main.children) > 3


def test_the_readme_gives_every_range():
    readme = (ROOT / "README.md").read_text()
    for s in NUMERIC:
        allowed = f"{s.low:g} to {s.high:g}" + (" (whole)" if s.whole else "")
        assert f"| `{s.name}` | {s.default} | {allowed} |" in readme, s.name
