"""Small factories for tests: tickets with exact timestamps in a migrated database."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    """A Europe/Paris wall-clock instant."""
    return datetime(*args, tzinfo=PARIS)


def as_shown(markdown: str) -> str:
    """What a reader sees of Markdown that holds text put through ``ui.text.literal``: the
    backslash escapes resolved and the invisible word joiners and isolates dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).translate({0x2060: None, 0x2068: None, 0x2069: None})


def add_company(db, name: str = "Acme") -> int:
    existing = db.scalar("SELECT id FROM companies WHERE name = ?", [name])
    if existing:
        return existing
    with db.transaction() as cur:
        return cur.execute("INSERT INTO companies (id, name) SELECT coalesce(max(id), 0) + 1, ? FROM companies "
                           "RETURNING id", [name]).fetchone()[0]


def add_ticket(db, reference: str, *, severity: int, opened: datetime, response: datetime | None = None,
               resolved: datetime | None = None, channel: str = "phone", company: str = "Acme",
               team: str = "Service desk", assignee: str | None = None, category: str | None = None) -> int:
    company_id = add_company(db, company)
    with db.transaction() as cur:
        return cur.execute(
            "INSERT INTO tickets (id, reference, company_id, channel, severity, initial_severity, status, "
            "opened_at, first_response_at, resolved_at, team, assignee, category) "
            "SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM tickets RETURNING id",
            [reference, company_id, channel, severity, severity, "resolved" if resolved else "open",
             opened, response, resolved, team, assignee, category]).fetchone()[0]


def add_event(db, ticket_id: int, kind: str, at: datetime, *, from_value: str | None = None,
              to_value: str | None = None) -> None:
    """One event of a ticket (reopened, reassigned between teams, ...)."""
    with db.transaction() as cur:
        cur.execute("INSERT INTO ticket_events (ticket_id, occurred_at, kind, from_value, to_value) VALUES (?, ?, ?, ?, ?)",
                    [ticket_id, at, kind, from_value, to_value])
