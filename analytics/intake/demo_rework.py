"""The demo's rework: reopenings and tickets passed back and forth between two teams (issue 18, item 3 and 4).

Chosen from the ticket ids, not drawn, so that the demo's random draws (and every other figure of it) stay as
they were; called by :mod:`analytics.intake.demo` for each chunk of tickets.
"""
from __future__ import annotations

import pandas as pd


def rework_events(ids, opened, answered, resolved, now_s, is_open, reassigned, first_team, final_team,
                   reopen_pct) -> pd.DataFrame:
    """Reopenings (a first resolution that did not hold, then the reopening, before the final one) and tickets
    passed back and forth between two teams; chosen from the ids, so the random draws stay as they were."""
    reopen = ~is_open & ((ids * 7) % 100 < reopen_pct) & (resolved - answered > 600)
    first = answered[reopen] + 0.5 * (resolved[reopen] - answered[reopen])
    again = first + 0.25 * (resolved[reopen] - first)
    bounced = reassigned & (ids % 9 == 4) & (answered + 240 <= now_s) & (answered > opened)
    parts = [pd.DataFrame({"ticket_id": ids[reopen], "occurred_at": first, "kind": "resolved",
                           "from_value": None, "to_value": None}),
             pd.DataFrame({"ticket_id": ids[reopen], "occurred_at": again, "kind": "reopened",
                           "from_value": "resolved", "to_value": "open"}),
             pd.DataFrame({"ticket_id": ids[bounced], "occurred_at": answered[bounced] + 120, "kind": "reassigned",
                           "from_value": final_team[bounced], "to_value": first_team[bounced]}),
             pd.DataFrame({"ticket_id": ids[bounced], "occurred_at": answered[bounced] + 180, "kind": "reassigned",
                           "from_value": first_team[bounced], "to_value": final_team[bounced]})]
    events = pd.concat(parts, ignore_index=True)
    events["occurred_at"] = pd.to_datetime(events["occurred_at"], unit="s", utc=True)
    events["actor"] = None
    return events
