"""Escalation trends on crafted data: arrivals per month and level, time to acknowledge, SLA-breach
share with the SLA engine cross-check, depth, time at level, repeat customers, and their figures."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from analytics.escalations import charts, stats
from analytics.escalations import service as svc
from analytics.kernel.periods import Period
from analytics.kernel.roles import Actor
from tests.factories import add_company, add_ticket, paris

ACTOR = Actor("Sam", roles=frozenset({"supervisor"}))
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PERIOD = Period(date(2026, 3, 1), date(2026, 5, 1))


@pytest.fixture
def crafted(db):
    """Four escalations of March-April 2026 (times Europe/Paris).

    E1 Acme, ticket T1 (sev 1, breached at 10:30 and 12:00), sla_breach, raised 2 Mar 12:30:
       ack 13:30, escalated 15:00, ack at level 2 20:00 (5 h, late), escalated 3 Mar 09:00, resolved 12:00.
    E2 Acme, ticket T2 (met), coded sla_breach, raised 5 Mar 10:00: ack 12:00, resolved 15:00.
    E3 Beta, no ticket, quality, raised 10 Apr 09:00: never acknowledged, escalated 15:00, still open.
    E4 Acme, ticket T1 again, commitment_not_kept, raised 12 Apr 10:00: ack 10:30, resolved 13 Apr 10:00.
    """
    add_ticket(db, "T1", severity=1, opened=paris(2026, 3, 2, 10, 0), resolved=paris(2026, 3, 2, 13, 0))
    add_ticket(db, "T2", severity=3, opened=paris(2026, 3, 2, 10, 0), response=paris(2026, 3, 2, 10, 10),
               resolved=paris(2026, 3, 2, 11, 0))
    beta = add_company(db, "Beta")

    def raise_(at, **kw):
        return svc.raise_escalation(db, actor=ACTOR, reason="Crafted escalation reason", raised_by="Client",
                                    owner="Desk", at=at, **kw).reference

    def step(ref, action, at):
        if action == "ack":
            svc.acknowledge(db, actor=ACTOR, reference=ref, at=at)
        elif action == "up":
            svc.escalate_further(db, actor=ACTOR, reference=ref, at=at)
        else:
            svc.resolve(db, actor=ACTOR, reference=ref, resolution="Settled", at=at)

    e1 = raise_(paris(2026, 3, 2, 12, 30), ticket_reference="T1", reason_code="sla_breach")
    for action, at in (("ack", paris(2026, 3, 2, 13, 30)), ("up", paris(2026, 3, 2, 15, 0)),
                       ("ack", paris(2026, 3, 2, 20, 0)), ("up", paris(2026, 3, 3, 9, 0)),
                       ("done", paris(2026, 3, 3, 12, 0))):
        step(e1, action, at)
    e2 = raise_(paris(2026, 3, 5, 10, 0), ticket_reference="T2", reason_code="sla_breach")
    step(e2, "ack", paris(2026, 3, 5, 12, 0))
    step(e2, "done", paris(2026, 3, 5, 15, 0))
    e3 = raise_(paris(2026, 4, 10, 9, 0), company_id=beta, reason_code="quality")
    step(e3, "up", paris(2026, 4, 10, 15, 0))
    e4 = raise_(paris(2026, 4, 12, 10, 0), ticket_reference="T1", reason_code="commitment_not_kept")
    step(e4, "ack", paris(2026, 4, 12, 10, 30))
    step(e4, "done", paris(2026, 4, 13, 10, 0))
    return db


def as_dict(frame, key, value):
    return dict(zip(frame[key], frame[value]))


def test_references_follow_the_year(crafted):
    refs = [r[0] for r in crafted.rows("SELECT reference FROM escalations ORDER BY raised_at")]
    assert refs == ["ESC-2026-0001", "ESC-2026-0002", "ESC-2026-0003", "ESC-2026-0004"]


def test_arrivals_per_month_and_level(crafted):
    frame = stats.arrivals_by_month(crafted, PERIOD)
    got = {(f"{m:%Y-%m-%d}", lvl): n for m, lvl, n in zip(frame["month"], frame["level"], frame["escalations"])}
    assert got == {("2026-03-01", 1): 2, ("2026-03-01", 2): 1, ("2026-03-01", 3): 1,
                   ("2026-04-01", 1): 2, ("2026-04-01", 2): 1}
    fig = charts.arrivals_figure(frame)
    assert [t.name for t in fig.data] == ["1. Customer support", "2. Support supervisor", "3. Senior manager"]
    assert list(fig.data[0].y) == [2, 2]


def test_time_to_acknowledge_per_level(crafted):
    frame = stats.acknowledgement_times(crafted, PERIOD, now=NOW).set_index("level")
    # level 1: acknowledged after 1 h (E1), 2 h (E2), 0.5 h (E4); E3 left unacknowledged after 6 h (late).
    assert tuple(frame.loc[1, ["arrived", "acknowledged", "median_ack_h", "late"]]) == (4, 3, 1.0, 1)
    # level 2: E1 acknowledged after 5 h (late), E3 never (still waiting: late).
    assert tuple(frame.loc[2, ["arrived", "acknowledged", "median_ack_h", "late"]]) == (2, 1, 5.0, 2)
    # level 3: E1 resolved after 3 h without an acknowledgement: not late.
    assert frame.loc[3, "acknowledged"] == 0 and frame.loc[3, "late"] == 0 and pd.isna(frame.loc[3, "median_ack_h"])
    fig = charts.acknowledgement_figure(frame.reset_index(), ack_hours=4)
    assert list(fig.data[0].y[:2]) == [1.0, 5.0]
    assert fig.layout.shapes[0].y0 == 4


def test_sla_breach_share_and_engine_cross_check(crafted):
    checked = stats.sla_cross_check(crafted, PERIOD, as_of=NOW).set_index("reference")
    assert as_dict(checked.reset_index(), "reference", "engine_breached") == {
        "ESC-2026-0001": True, "ESC-2026-0002": False, "ESC-2026-0003": False, "ESC-2026-0004": True}
    # T1's first breach is its response target: 30 min after opening at 10:00 Paris.
    assert checked.loc["ESC-2026-0001", "breached_at"].to_pydatetime() == paris(2026, 3, 2, 10, 30)
    mismatches = stats.sla_cross_check(crafted, PERIOD, as_of=NOW, mismatches_only=True)
    assert list(mismatches["reference"]) == ["ESC-2026-0002", "ESC-2026-0004"]
    share = stats.sla_breach_share(crafted, PERIOD, as_of=NOW)
    march, april = share.iloc[0], share.iloc[1]
    assert tuple(march[["raised", "with_ticket", "coded_sla_breach", "engine_breached", "coded_not_breached",
                        "breached_not_coded", "coded_pct", "engine_pct"]]) == (2, 2, 2, 1, 1, 0, 100.0, 50.0)
    assert tuple(april[["raised", "with_ticket", "coded_sla_breach", "engine_breached", "breached_not_coded",
                        "coded_pct", "engine_pct"]]) == (2, 1, 0, 1, 1, 0.0, 50.0)
    fig = charts.sla_share_figure(share)
    assert list(fig.data[0].y) == [100.0, 0.0] and list(fig.data[1].y) == [50.0, 50.0]


def test_escalation_before_the_breach_is_not_engine_breached(db):
    add_ticket(db, "T9", severity=2, opened=paris(2026, 3, 2, 10, 0), response=paris(2026, 3, 2, 10, 20),
               resolved=paris(2026, 3, 2, 18, 0))  # resolution deadline 13:00
    svc.raise_escalation(db, actor=ACTOR, ticket_reference="T9", reason="Customer impatient already",
                         reason_code="sla_breach", raised_by="C", owner="D", at=paris(2026, 3, 2, 12, 0))
    row = stats.sla_cross_check(db, PERIOD, as_of=NOW).iloc[0]
    assert bool(row["engine_breached"]) is False
    assert row["breached_at"].to_pydatetime() == paris(2026, 3, 2, 13, 0)


def test_depth_distribution(crafted):
    frame = stats.depth_distribution(crafted, PERIOD)
    assert list(frame["depth"]) == [1, 2, 3]
    assert list(frame["escalations"]) == [2, 1, 1] and list(frame["still_open"]) == [0, 1, 0]
    assert list(frame["share_pct"]) == [50.0, 25.0, 25.0]
    assert list(charts.depth_figure(frame).data[0].y) == [2, 1, 1]


def test_time_at_level(crafted):
    frame = stats.time_at_level(crafted, PERIOD, now=NOW).set_index("level")
    # level 1 stays: E1 2.5 h, E2 5 h, E3 6 h, E4 24 h.
    assert tuple(frame.loc[1, ["stints", "median_h", "escalated_on", "resolved_here", "still_here"]]) == \
        (4, 5.5, 2, 2, 0)
    assert frame.loc[1, "mean_h"] == 9.38
    # level 2: E1 15:00 -> 09:00 (18 h); E3 from 10 Apr 15:00 CEST until now (503 h, still there).
    assert tuple(frame.loc[2, ["stints", "median_h", "escalated_on", "still_here"]]) == (2, 260.5, 1, 1)
    assert tuple(frame.loc[3, ["stints", "median_h", "resolved_here"]]) == (1, 3.0, 1)
    assert list(charts.time_at_level_figure(frame.reset_index()).data[0].y) == [5.5, 260.5, 3.0]


def test_repeat_customers(crafted):
    frame = stats.repeat_customers(crafted, PERIOD)  # setting escalation.repeat_threshold = 3
    assert list(frame["company"]) == ["Acme"]
    acme = frame.iloc[0]
    assert tuple(acme[["escalations", "months", "sla_breach", "deepest", "deepest_level", "still_open"]]) == \
        (3, 2, 2, 3, "Senior manager", 0)
    assert list(stats.repeat_customers(crafted, PERIOD, threshold=1)["company"]) == ["Acme", "Beta"]


def test_open_escalations_and_display(crafted):
    frame = stats.open_escalations(crafted, now=NOW)
    assert list(frame["reference"]) == ["ESC-2026-0003"]
    row = frame.iloc[0]
    assert (row["level"], row["level_name"], row["next_level"], bool(row["flagged"])) == \
        (2, "Support supervisor", "Senior manager", True)
    assert row["company"] == "Beta" and row["age_s"] == (503 + 6) * 3600
    table = stats.display_open(frame)
    # who and what come first, so a table wider than the page shows them and scrolls the rest
    assert list(table.columns[:9]) == ["reference", "level", "level_name", "company", "ticket", "incident", "flag",
                                       "age", "at level"]
    shown = table.iloc[0]
    assert shown["age"] == "21 d 5 h" and shown["at level"] == "20 d 23 h"
    assert shown["flag"] == "⚑ unacknowledged: call the senior manager"
    assert shown["acknowledged"] == "no" and shown["reason code"] == "Quality of the answer"


def test_timeline_lists_every_step(crafted):
    frame = stats.escalation_timeline(crafted, "ESC-2026-0001")
    assert list(frame["kind"]) == ["raised", "acknowledged", "escalated", "acknowledged", "escalated", "resolved"]
    assert list(frame["level_name"]) == ["Customer support", "Customer support", "Support supervisor",
                                         "Support supervisor", "Senior manager", "Senior manager"]


def test_period_excludes_escalations_raised_outside(crafted):
    april = Period(date(2026, 4, 1), date(2026, 5, 1))
    assert list(stats.depth_distribution(crafted, april)["escalations"]) == [1, 1]
    assert stats.sla_breach_share(crafted, april, as_of=NOW)["raised"].tolist() == [2]
    empty = Period(date(2025, 1, 1), date(2025, 2, 1))
    assert stats.sla_breach_share(crafted, empty, as_of=NOW).empty
    assert stats.depth_distribution(crafted, empty).empty


def test_command_line_lists_open_escalations(crafted, capsys):
    from analytics.cli.main import main

    assert main(["escalations", "--db", str(crafted.path), "--as-of", "2026-05-01T14:00:00+02:00",
                 "--format", "csv", "--flagged"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("reference,level,level_name,next_level,company,ticket,age_h,at_level_h,acknowledged,"
                        "flagged,owner")
    assert lines[1:] == ["ESC-2026-0003,2,Support supervisor,Senior manager,Beta,,509.0,503.0,False,True,"
                         "Support supervisor"]
