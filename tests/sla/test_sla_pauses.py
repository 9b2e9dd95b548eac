"""Pause conditions of the SLA engine, table-driven: statuses that stop the resolution clock.

A ticket's status history is its ``status`` events; while its status is one of the
setting ``sla.pause_statuses`` the resolution clock stops (working time on the target's
calendar is not counted) and the deadline moves by the paused time. With the setting
empty (the default) nothing changes.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.kernel.roles import system_actor
from analytics.settings.service import put_setting
from analytics.sla.engine import ticket_measures
from analytics.sla.filters import TicketFilter
from tests.factories import add_ticket, paris

FAR_FUTURE = datetime(2030, 1, 1, tzinfo=UTC)
WAITING = "Awaiting User Info"


def set_pauses(db, statuses: list[str]) -> None:
    with db.transaction() as cur:
        put_setting(cur, name="sla.pause_statuses", value=statuses, actor=system_actor().label)


def add_statuses(db, ticket_id: int, changes: list[tuple[datetime, str]]) -> None:
    with db.transaction() as cur:
        for when, status in changes:
            cur.execute("INSERT INTO ticket_events (ticket_id, occurred_at, kind, to_value, actor) "
                        "VALUES (?, ?, 'status', ?, 'test')", [ticket_id, when, status])


def resolution(db, tid: int, as_of: datetime = FAR_FUTURE):
    frame = ticket_measures(db, TicketFilter(ticket_ids=(tid,)), as_of=as_of)
    return frame[frame["measure"] == "resolution"].iloc[0]


T0 = paris(2026, 6, 3, 10, 0)  # a Wednesday
H = timedelta(hours=1)

# (case, severity, status changes as (hours after opening, status), resolved after hours or None,
#  as_of hours after opening, expected state, expected deadline, expected paused hours)
CASES = [
    ("one hour waiting inside a 3 h target: resolved at 3h30 is met", 2,
     [(0, "Active"), (1, WAITING), (2, "Active")], 3.5, 100, "met", T0 + 4 * H, 1.0),
    ("the same ticket resolved at 4h01 is breached at the pushed deadline", 2,
     [(0, "Active"), (1, WAITING), (2, "Active")], 4 + 1 / 60, 100, "breached", T0 + 4 * H, 1.0),
    ("a pause that starts after the deadline does not move it", 2,
     [(0, "Active"), (4, WAITING), (5, "Active")], 6, 100, "breached", T0 + 3 * H, 1.0),
    ("two half-hour pauses add up", 2,
     [(0, "Active"), (0.5, WAITING), (1, "Active"), (2, WAITING), (2.5, "Active")], 3.9, 100, "met",
     T0 + 4 * H, 1.0),
    ("a pause still running at as_of freezes the clock: pending", 2,
     [(0, "Active"), (1, WAITING)], None, 10, "pending", T0 + 12 * H, 9.0),
    ("status names compare case-insensitively", 2,
     [(0, "active"), (1, WAITING.lower()), (2, "active")], 3.5, 100, "met", T0 + 4 * H, 1.0),
    ("a waiting status set before opening counts from the opening", 2,
     [(-1, WAITING), (1, "Active")], 3.5, 100, "met", T0 + 4 * H, 1.0),
    ("waiting after the resolution is not counted", 2,
     [(0, "Active"), (2, "Resolved"), (3, WAITING)], 2, 100, "met", T0 + 3 * H, 0.0),
    ("other statuses do not pause", 2,
     [(0, "Active"), (1, "Awaiting Vendor"), (2, "Active")], 3.5, 100, "breached", T0 + 3 * H, 0.0),
]


@pytest.mark.parametrize("case,severity,changes,resolved_h,as_of_h,state,deadline,paused_h", CASES,
                         ids=[c[0] for c in CASES])
def test_pauses_on_24_7_targets(db, case, severity, changes, resolved_h, as_of_h, state, deadline, paused_h):
    set_pauses(db, [WAITING])
    resolved = T0 + resolved_h * H if resolved_h is not None else None
    tid = add_ticket(db, "P", severity=severity, opened=T0, response=T0 + 0.1 * H, resolved=resolved)
    add_statuses(db, tid, [(T0 + h * H, s) for h, s in changes])
    row = resolution(db, tid, as_of=T0 + as_of_h * H)
    assert row["state"] == state
    assert row["deadline"].to_pydatetime() == deadline
    assert row["paused_s"] == pytest.approx(paused_h * 3600)


def test_business_calendar_counts_only_working_time_paused(db):
    # Severity 4: 27 working hours, Mon-Fri 09:00-18:00. Waiting from Monday 17:00 to Tuesday 12:00
    # pauses 1 h on Monday and 3 h on Tuesday: the deadline moves from Thursday 09:00 to Thursday 13:00.
    set_pauses(db, [WAITING])
    opened = paris(2026, 6, 1, 9, 0)
    tid = add_ticket(db, "B", severity=4, opened=opened, response=opened + H, resolved=paris(2026, 6, 4, 12, 59))
    add_statuses(db, tid, [(paris(2026, 6, 1, 17, 0), WAITING), (paris(2026, 6, 2, 12, 0), "Active")])
    row = resolution(db, tid)
    assert row["deadline"].to_pydatetime() == paris(2026, 6, 4, 13, 0)
    assert row["paused_s"] == pytest.approx(4 * 3600)
    assert (row["state"], row["elapsed_s"]) == ("met", pytest.approx((27 - 1 / 60) * 3600))


def test_without_the_setting_nothing_changes(db):
    tid = add_ticket(db, "N", severity=2, opened=T0, response=T0 + 0.1 * H, resolved=T0 + 3.5 * H)
    add_statuses(db, tid, [(T0, "Active"), (T0 + H, WAITING), (T0 + 2 * H, "Active")])
    row = resolution(db, tid)
    assert (row["state"], row["deadline"].to_pydatetime(), row["paused_s"]) == ("breached", T0 + 3 * H, 0)


def test_the_response_clock_never_pauses(db):
    set_pauses(db, [WAITING])
    tid = add_ticket(db, "R", severity=1, opened=T0, response=T0 + 0.75 * H)
    add_statuses(db, tid, [(T0, WAITING), (T0 + 0.7 * H, "Active")])
    frame = ticket_measures(db, TicketFilter(ticket_ids=(tid,)), as_of=FAR_FUTURE)
    response = frame[frame["measure"] == "response"].iloc[0]
    assert (response["state"], response["paused_s"]) == ("breached", 0)
