"""Login events with exact timestamps for the lockout tests, written the way the app writes them."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from analytics.logins.rollups import merge_events
from analytics.logins.rules import canonical_ip, ip_number
from tests.factories import add_company


def add_logins(db, events) -> None:
    """Store events given as (occurred_at, user_id, company, ip, outcome[, actor]) tuples."""
    rows = []
    for event in events:
        at, user, company, ip, outcome, *rest = event
        rows.append({"occurred_at": at, "user_id": user, "company_id": add_company(db, company),
                     "ip": canonical_ip(ip), "ip_num": str(ip_number(ip)), "outcome": outcome,
                     "actor": rest[0] if rest else None})
    frame = pd.DataFrame(rows)
    frame["actor"] = frame["actor"].astype("string")

    def work(cur):
        cur.register("test_login_frame", frame)
        cur.execute("CREATE OR REPLACE TEMP TABLE test_logins AS SELECT occurred_at::TIMESTAMPTZ AS occurred_at, "
                    "user_id, company_id::INTEGER AS company_id, ip, ip_num::UHUGEINT AS ip_num, outcome, "
                    "actor::VARCHAR AS actor, 'test' AS source, NULL::BIGINT AS import_id FROM test_login_frame")
        merge_events(cur, "test_logins", tz=db.timezone)
        cur.execute("DROP TABLE test_logins")
        cur.unregister("test_login_frame")

    db.write(work)


def run_of(start: datetime, user: str, company: str, ip: str, steps, actor: str | None = None) -> list[tuple]:
    """Events of one account: ``steps`` are (seconds after the previous event, outcome)."""
    events, at = [], start
    for gap, outcome in steps:
        at = at + timedelta(seconds=gap)
        who = actor if outcome in ("unlock", "password_regenerated") else None
        events.append((at, user, company, ip, outcome, who))
    return events


def human_lockout(threshold: int = 6) -> list[tuple[float, str]]:
    """Failures spaced by more than the default delays (2, 4, 8, 16, 32 s), then the lock."""
    gaps = [0, 5, 7, 11, 20, 40][:threshold]
    return [(g, "failure") for g in gaps] + [(0, "locked")]


def scripted_lockout(threshold: int = 6) -> list[tuple[float, str]]:
    """Failures one second apart (faster than any delay), then the lock."""
    return [(0 if i == 0 else 1, "failure") for i in range(threshold)] + [(0, "locked")]
