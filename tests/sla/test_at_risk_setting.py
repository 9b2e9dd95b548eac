"""The setting ``sla.at_risk_share`` moves the figures: before, it was stored and shown but the
engine used 0.75 written in its code, so changing it changed nothing."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.kernel.periods import Period
from analytics.kernel.roles import Actor
from analytics.settings.service import change_setting
from analytics.sla import stats
from analytics.sla.clock import explain_clock
from analytics.sla.filters import TicketFilter
from tests.factories import add_ticket

ADMIN = Actor(name="Ada", roles=frozenset({"admin"}))


def test_changing_the_share_changes_who_is_at_risk(db):
    now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    # severity 1: response within 30 min on the 24/7 calendar; 18 min used = 60 % of it
    add_ticket(db, "SIXTY", severity=1, opened=now - timedelta(minutes=18))
    period = Period(now.date() - timedelta(days=1), now.date() + timedelta(days=1), db.timezone)

    def at_risk_response():
        table = stats.severity_table(db, period, TicketFilter(), as_of=now)
        row = table[(table["severity"] == 1) & (table["measure"] == "response")]
        return int(row["at_risk"].iloc[0])

    assert at_risk_response() == 0
    assert explain_clock(db, "SIXTY", as_of=now)[0]["state"] == "pending"
    change_setting(db, actor=ADMIN, name="sla.at_risk_share", value=0.5)
    assert at_risk_response() == 1
    assert explain_clock(db, "SIXTY", as_of=now)[0]["state"] == "at_risk"
    behind = stats.tickets_behind(db, period, TicketFilter(), as_of=now, states=("at_risk",))
    assert behind["reference"].tolist() == ["SIXTY"] and behind["measure"].tolist() == ["response"]


def test_the_sla_page_says_the_share_in_force(db, tmp_path, monkeypatch):
    add_ticket(db, "OPEN", severity=3, opened=datetime.now(UTC) - timedelta(minutes=5))
    change_setting(db, actor=ADMIN, name="sla.at_risk_share", value=0.6)
    monkeypatch.setenv("VIGIE_DB", str(db.path))
    db.close()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "pages" / "sla.py"), default_timeout=120)
    at.session_state["vigie_actor"] = Actor(name="Mia", roles=frozenset({"manager"}))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("have used 60% or more of their target" in m.value for m in at.markdown)
