"""The escalations page (AppTest): figures on a fixture database, actions and the raise form through the page."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from streamlit.testing.v1 import AppTest

from analytics.audit.service import load_audit
from analytics.domains import open_store
from analytics.escalations import service as svc
from analytics.kernel.roles import Actor
from analytics.sla.calendars import ensure_intervals
from tests.factories import add_company, add_ticket

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "escalations.py")
SUPERVISOR = Actor("Sam", "sam@example.test", frozenset({"supervisor"}))


# the clock frozen here for the fixture and the page (ticking on from there): the escalations raised up to
# 50 hours back, and the references' year, are the same on any day the suite runs, New Year included
FROZEN = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Paris


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=True):
        yield


@pytest.fixture
def page_db(frozen, tmp_path, monkeypatch):
    """Open: X1 (level 1, 2 h, unacknowledged), X2 (level 1, 6 h, flagged), X3 (level 2 for 5 h, flagged);
    X4 resolved. Plus a company without escalations."""
    path = tmp_path / "escalations.duckdb"
    db = open_store(path)
    ensure_intervals(db)
    now = datetime.now(UTC).replace(microsecond=0)
    add_ticket(db, "CS-7", severity=2, opened=now - timedelta(days=2), company="Alpha")
    beta = add_company(db, "Beta")
    add_company(db, "Gamma")

    def raise_(hours_ago, reason_code="quality", **kw):
        return svc.raise_escalation(db, actor=SUPERVISOR, reason="Customer unhappy with the follow-up",
                                    reason_code=reason_code, raised_by="Client", owner="Desk",
                                    at=now - timedelta(hours=hours_ago), **kw).reference

    raise_(2, ticket_reference="CS-7")
    raise_(6, company_id=beta)
    x3 = raise_(30, ticket_reference="CS-7", reason_code="sla_breach")
    svc.acknowledge(db, actor=SUPERVISOR, reference=x3, at=now - timedelta(hours=29))
    svc.escalate_further(db, actor=SUPERVISOR, reference=x3, at=now - timedelta(hours=5))
    x4 = raise_(50, company_id=beta)
    svc.resolve(db, actor=SUPERVISOR, reference=x4, resolution="Apologies accepted", at=now - timedelta(hours=40))
    db.close()
    monkeypatch.setenv("VIGIE_DB", str(path))
    return path


def run(actor: Actor | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if actor is not None:
        at.session_state["vigie_actor"] = actor
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at, *columns: str, index: int = 0):
    """The index-th dataframe on the page having these columns (non-selectable tables carry no key)."""
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)][index]


def level_headers(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**Level")]


def test_open_escalations_by_level(page_db):
    at = run()
    shown = metrics(at)
    assert shown == {"Open escalations": "3", "Unacknowledged": "3", "Flagged for the next level": "2",
                     "Oldest open": shown["Oldest open"]}
    assert shown["Oldest open"] == "1 d 6 h"  # 30 h (the page counts to the next minute)
    assert level_headers(at) == ["**Level 5 — Senior director** · 0 open", "**Level 4 — Director** · 0 open",
                                 "**Level 3 — Senior manager** · 0 open", "**Level 2 — Support supervisor** · 1 open",
                                 "**Level 1 — Customer support** · 2 open"]
    level2 = table(at, "flag", index=0)
    assert list(level2["reference"]) == ["ESC-" + level2["reference"].iloc[0][4:8] + "-0003"]
    assert level2["flag"].iloc[0] == "⚑ unacknowledged: call the senior manager"
    assert level2["next level"].iloc[0] == "Senior manager" and level2["ticket"].iloc[0] == "CS-7"
    level1 = table(at, "flag", index=1)
    assert [age[:4] for age in level1["age"]] == ["6 h ", "2 h "]
    assert list(level1["flag"]) == ["⚑ unacknowledged: call the support supervisor", "—"]
    assert list(level1["company"]) == ["Beta", "Alpha"]


def test_trend_tables_cover_the_fixture(page_db):
    at = run()
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    depth = next(s for s in specs if s["layout"].get("xaxis", {}).get("title", {}).get("text") == "highest level reached")
    assert depth["data"][0]["y"] == [3, 1]  # X1, X2, X4 stayed at level 1; X3 reached level 2
    stints = table(at, "stints", "median_h")
    assert list(stints["stints"]) == [4, 1]
    sla = table(at, "coded_pct")
    assert int(sla["raised"].sum()) == 4 and int(sla["coded_sla_breach"].sum()) == 1


def select(at, reference_suffix: str) -> str:
    box = at.selectbox(key="escalations_selected")
    reference = next(o for o in box.options if o.split(" · ")[0].endswith(reference_suffix)).split(" · ")[0]
    box.set_value(reference).run()
    return reference


def test_acknowledge_through_the_page(page_db):
    at = run(Actor("Mia", "mia@example.test", frozenset({"manager"})))
    reference = select(at, "-0002")
    assert list(table(at, "kind", "actor")["kind"]) == ["Raised"]
    at.button(key="escalations_ack").click().run()
    assert [s.value for s in at.success] == [f"{reference} acknowledged at the customer support."]
    assert metrics(at)["Unacknowledged"] == "2" and metrics(at)["Flagged for the next level"] == "1"
    db = open_store(page_db)
    audit = load_audit(db, entity="escalation", action="escalation.acknowledge", actor="mia@example.test")
    assert list(audit["entity_id"]) == [reference]
    db.close()
    at.button(key="escalations_ack").click().run()  # the same one again: a clear refusal, no traceback
    assert "already acknowledged at level 1 (Customer support)" in at.error[0].value


def test_escalate_and_resolve_through_the_page(page_db):
    at = run()
    reference = select(at, "-0003")
    assert at.button(key="escalations_escalate").label == "Escalate to Senior manager"
    at.text_input(key="escalations_note").input("Still no fix after two days")
    at.button(key="escalations_escalate").click().run()
    assert at.success[0].value.startswith(f"{reference} escalated to level 3 (Senior manager), owner Senior manager")
    assert level_headers(at)[2] == "**Level 3 — Senior manager** · 1 open"
    at.button(key="escalations_resolve").click().run()
    assert at.error[0].value == "Resolution: Say how the escalation was resolved."
    at.text_area(key="escalations_resolution").input("Fix deployed, customer confirmed")
    at.button(key="escalations_resolve").click().run()
    assert at.success[0].value == f"{reference} resolved."
    assert metrics(at)["Open escalations"] == "2"


def test_raise_form_validation_then_success(page_db):
    at = run()
    at.button(key="FormSubmitter:escalations_raise_form-Raise escalation").click().run()
    errors = [e.value for e in at.error]
    assert "Give the ticket reference, or pick the company that escalates." in errors
    assert "Describe the reason in at least 10 characters." in errors
    assert "Give who raised it (the customer's contact)." in errors
    assert metrics(at)["Open escalations"] == "3"
    at.text_input(key="escalations_raise_ticket_reference").input("CS-404")
    at.text_area(key="escalations_raise_reason").input("The customer was promised a call-back yesterday")
    at.text_input(key="escalations_raise_raised_by").input("Jeanne Client")
    at.text_input(key="escalations_raise_owner").input("Desk on duty")
    at.button(key="FormSubmitter:escalations_raise_form-Raise escalation").click().run()
    assert [e.value for e in at.error] == ["No ticket with reference 'CS-404'."]
    at.text_input(key="escalations_raise_ticket_reference").input("")
    at.selectbox(key="escalations_raise_company").set_value("Gamma")
    at.selectbox(key="escalations_raise_reason_code").set_value("commitment_not_kept")
    at.button(key="FormSubmitter:escalations_raise_form-Raise escalation").click().run()
    assert not at.error
    assert [s.value for s in at.success] == ["ESC-2026-0005 raised at the customer support."]  # the frozen year
    assert metrics(at)["Open escalations"] == "4"
    assert at.text_area(key="escalations_raise_reason").value == ""  # the form is ready for the next one


def test_leadership_sees_figures_but_no_actions(page_db):
    at = run(Actor("Lea", roles=frozenset({"leadership"})))
    assert metrics(at)["Open escalations"] == "3"
    select(at, "-0001")
    assert not [b for b in at.button if b.key in ("escalations_ack", "escalations_escalate", "escalations_resolve")]
    assert not at.get("form")
    assert "for managers, supervisors and admins" in at.caption[-1].value or any(
        "for managers, supervisors and admins" in c.value for c in at.caption)
