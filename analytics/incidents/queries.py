"""Reading major incidents: lists, the notification clocks, one incident's tracks and timeline.

Every query is bound-parameter SQL over the tables of migration 020. Clock due
times are computed in SQL from the settings (target / deadline after the impact is
defined, then each status report's next-due time); :func:`clock` turns a row and
an instant into the countdown a page shows, so the page can tick without a query.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.incidents.rules import OPEN_STATUSES, STEP_LABELS, STEPS
from analytics.settings.queries import get_setting
from analytics.store.database import Database

DEFAULT_PLATFORMS = ("Messaging", "EDI Gateway", "Customer portal", "API", "Notifications")


@dataclass(frozen=True)
class NotifySettings:
    """The notification promise in minutes: target and deadline after impact, status interval."""

    target: int = 20
    deadline: int = 30
    interval: int = 60


def notify_settings(db: Database) -> NotifySettings:
    """The settings in force for the notification clock."""
    return NotifySettings(int(get_setting(db, "incident.notify_target_minutes")),
                          int(get_setting(db, "incident.notify_deadline_minutes")),
                          int(get_setting(db, "incident.status_update_minutes")))


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents a list covers; empty tuples and None mean 'all'."""

    start: date | None = None          # started on or after (local date)
    end: date | None = None            # started before (local date, excluded)
    statuses: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    company_id: int | None = None
    security_only: bool = False
    search: str = ""


def severity_choices(db: Database) -> pd.DataFrame:
    """The severities with their DOMAIN.md section 2 definitions."""
    return db.query("SELECT severity, name, definition FROM severities ORDER BY severity")


def company_choices(db: Database) -> dict[str, int]:
    """Company name -> id, by name."""
    return dict(db.rows("SELECT name, id FROM companies ORDER BY name"))


def platform_choices(db: Database) -> list[str]:
    """The platforms seen on tickets and incidents, with the usual ones."""
    seen = [r[0] for r in db.rows("SELECT DISTINCT platform FROM tickets WHERE platform IS NOT NULL UNION "
                                  "SELECT DISTINCT unnest(platforms) FROM incidents")]
    return sorted(set(seen) | set(DEFAULT_PLATFORMS))


BASE_SQL = """
    WITH first_notice AS (
        SELECT incident_id, min(sent_at) AS first_notified_at FROM incident_notifications
        WHERE kind = 'notification' GROUP BY incident_id),
    last_notice AS (
        SELECT incident_id, arg_max(next_update_due, sent_at) AS next_update_due,
               max(sent_at) AS last_sent_at, count(*) AS communications
        FROM incident_notifications GROUP BY incident_id),
    customers AS (
        SELECT ic.incident_id, string_agg(c.name, ', ' ORDER BY c.name) AS customers, count(*) AS customer_count
        FROM incident_companies ic JOIN companies c ON c.id = ic.company_id GROUP BY ic.incident_id)
    SELECT i.id, i.reference, i.title, i.severity, i.status, i.security_breach, i.all_customers,
           array_to_string(i.platforms, ', ') AS platforms,
           CASE WHEN i.all_customers THEN 'All customers' ELSE cu.customers END AS customers,
           i.started_at, i.detected_at, i.impact_defined_at, i.declared_at, i.acknowledged_at, i.resolved_at,
           i.closed_at, i.commander, i.notification_lead, i.investigation_lead,
           i.impact_defined_at + to_minutes($target) AS notify_target_at,
           i.impact_defined_at + to_minutes($deadline) AS notify_deadline_at,
           f.first_notified_at,
           date_diff('second', i.impact_defined_at, f.first_notified_at) / 60.0 AS minutes_to_notify,
           coalesce(f.first_notified_at > i.impact_defined_at + to_minutes($deadline),
                    $as_of > i.impact_defined_at + to_minutes($deadline)) AS notified_late,
           CASE WHEN f.first_notified_at IS NOT NULL
                THEN coalesce(l.next_update_due, l.last_sent_at + to_minutes($interval)) END AS next_update_due,
           coalesce(l.communications, 0) AS communications,
           date_diff('second', i.started_at, i.resolved_at) / 3600.0 AS hours_to_resolve
    FROM incidents i
    LEFT JOIN first_notice f ON f.incident_id = i.id
    LEFT JOIN last_notice l ON l.incident_id = i.id
    LEFT JOIN customers cu ON cu.incident_id = i.id
"""


def _clock_params(settings: NotifySettings, as_of: datetime) -> dict:
    return {"target": settings.target, "deadline": settings.deadline, "interval": settings.interval,
            "as_of": as_of}


def open_incidents(db: Database, *, settings: NotifySettings, as_of: datetime) -> pd.DataFrame:
    """Open incidents (most severe, then oldest first) with their clock due times."""
    return db.query(BASE_SQL + " WHERE list_contains($open, i.status) ORDER BY i.severity, i.impact_defined_at",
                    {**_clock_params(settings, as_of), "open": list(OPEN_STATUSES)})


def list_incidents(db: Database, flt: IncidentFilter, *, settings: NotifySettings, as_of: datetime) -> pd.DataFrame:
    """Incidents matching the filter, open ones first, then most recent first."""
    tz = ZoneInfo(db.timezone)
    params = {**_clock_params(settings, as_of), "open": list(OPEN_STATUSES),
              "start": datetime.combine(flt.start, time(0), tz) if flt.start else None,
              "end": datetime.combine(flt.end, time(0), tz) if flt.end else None,
              "statuses": list(flt.statuses) or None, "severities": list(flt.severities) or None,
              "company": flt.company_id, "security": flt.security_only,
              "search": f"%{flt.search.strip()}%" if flt.search.strip() else None}
    where = """
        WHERE ($start IS NULL OR i.started_at >= $start) AND ($end IS NULL OR i.started_at < $end)
          AND ($statuses IS NULL OR list_contains($statuses, i.status))
          AND ($severities IS NULL OR list_contains($severities, i.severity))
          AND ($company IS NULL OR i.all_customers
               OR EXISTS (SELECT 1 FROM incident_companies x WHERE x.incident_id = i.id AND x.company_id = $company))
          AND (NOT $security OR i.security_breach)
          AND ($search IS NULL OR i.reference ILIKE $search OR i.title ILIKE $search)
        ORDER BY list_contains($open, i.status) DESC, i.started_at DESC"""
    return db.query(BASE_SQL + where, params)


def get_incident(db: Database, *, reference: str, settings: NotifySettings, as_of: datetime) -> dict | None:
    """One incident with its clock fields and description, or None."""
    frame = db.query(BASE_SQL + " WHERE i.reference = $reference", {**_clock_params(settings, as_of),
                                                                     "reference": reference.strip().upper()})
    if frame.empty:
        return None
    record = frame.iloc[0].to_dict()
    record["description"] = db.scalar("SELECT description FROM incidents WHERE id = ?", [int(record["id"])])
    return record


@dataclass(frozen=True)
class Clock:
    """A countdown: what is due, when, how long is left (negative: overdue) and its state."""

    kind: str            # 'first notification' | 'next status update'
    due_at: datetime
    seconds_left: float
    state: str           # 'on track' | 'past target' | 'late'


def clock(row: dict, now: datetime) -> Clock | None:
    """The clock an open incident runs on at ``now``; None once it is resolved."""
    if row["status"] not in OPEN_STATUSES:
        return None
    if pd.isna(row.get("first_notified_at")):
        deadline, target = row["notify_deadline_at"].to_pydatetime(), row["notify_target_at"].to_pydatetime()
        left = (deadline - now).total_seconds()
        state = "on track" if now < target else ("past target" if left > 0 else "late")
        return Clock("first notification", deadline, left, state)
    due = row["next_update_due"].to_pydatetime()
    left = (due - now).total_seconds()
    return Clock("next status update", due, left, "on track" if left > 0 else "late")


def countdown_text(value: Clock) -> str:
    """'First notification due in 12:34 (late past 14:30)' style text for a clock."""
    seconds = int(abs(value.seconds_left))
    hours, rest = divmod(seconds, 3600)
    span = f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"
    if value.seconds_left >= 0:
        return f"{value.kind.capitalize()} due in {span}"
    return f"{value.kind.capitalize()} overdue by {span}"


def notifications(db: Database, *, incident_id: int, settings: NotifySettings) -> pd.DataFrame:
    """The notification track: each communication with its recipients and whether it was late."""
    return db.query("""
        WITH n AS (
            SELECT n.*, lag(n.next_update_due) OVER (ORDER BY n.sent_at, n.id) AS previous_due
            FROM incident_notifications n WHERE n.incident_id = $id)
        SELECT n.id, n.kind, n.sent_at, n.sent_by,
               CASE WHEN n.all_customers THEN 'All impacted customers'
                    ELSE (SELECT string_agg(c.name, ', ' ORDER BY c.name) FROM companies c
                          WHERE list_contains(n.company_ids, c.id)) END AS recipients,
               n.message, n.next_update_due,
               date_diff('second', i.impact_defined_at, n.sent_at) / 60.0 AS minutes_after_impact,
               CASE WHEN n.kind = 'notification' THEN n.sent_at > i.impact_defined_at + to_minutes($deadline)
                    ELSE n.sent_at > n.previous_due END AS late,
               n.recorded_by
        FROM n JOIN incidents i ON i.id = n.incident_id ORDER BY n.sent_at, n.id""",
                    {"id": incident_id, "deadline": settings.deadline})


def steps(db: Database, *, incident_id: int) -> pd.DataFrame:
    """The investigation track: the four steps in order, with owner and time when done."""
    order = pd.DataFrame({"step": list(STEPS), "position": range(len(STEPS)),
                          "label": [STEP_LABELS[s] for s in STEPS]})
    done = db.query("SELECT step, owner, completed_at, note, recorded_by FROM incident_steps "
                    "WHERE incident_id = ?", [incident_id])
    return order.merge(done, on="step", how="left").sort_values("position").drop(columns="position")


def transitions(db: Database, *, incident_id: int) -> pd.DataFrame:
    """The lifecycle history, oldest first."""
    return db.query("SELECT from_status, to_status, occurred_at, actor, note FROM incident_transitions "
                    "WHERE incident_id = ? ORDER BY occurred_at, id", [incident_id])


def timeline(db: Database, *, incident_id: int) -> pd.DataFrame:
    """Transitions, notifications, status updates and investigation steps merged by time."""
    return db.query("""
        SELECT occurred_at, 'lifecycle' AS track,
               CASE WHEN from_status IS NULL THEN 'Declared'
                    ELSE 'Status: ' || replace(from_status, '_', '-') || ' → ' || replace(to_status, '_', '-') END
                   AS event, actor AS who, note AS detail
        FROM incident_transitions WHERE incident_id = $id
        UNION ALL
        SELECT sent_at, 'notification',
               CASE kind WHEN 'notification' THEN 'Customer notification sent' ELSE 'Status update sent' END,
               sent_by, message FROM incident_notifications WHERE incident_id = $id
        UNION ALL
        SELECT completed_at, 'investigation', s.label, owner, note
        FROM incident_steps JOIN (SELECT unnest($steps) AS step, unnest($labels) AS label) s USING (step)
        WHERE incident_id = $id
        UNION ALL
        SELECT started_at, 'impact', 'Disruption started', NULL, NULL FROM incidents WHERE id = $id
        UNION ALL
        SELECT detected_at, 'impact', 'Disruption detected', NULL, NULL FROM incidents WHERE id = $id
        UNION ALL
        SELECT impact_defined_at, 'impact', 'Impact defined: notification clock starts', NULL, NULL
        FROM incidents WHERE id = $id
        ORDER BY occurred_at, track""", {"id": incident_id, "steps": list(STEPS),
                                         "labels": [STEP_LABELS[s] for s in STEPS]})


def impacted_company_ids(db: Database, *, incident_id: int) -> list[int]:
    """The ids of the companies an incident impacts ('all customers' expanded)."""
    return [int(r[0]) for r in db.rows("SELECT company_id FROM incident_impacted_companies "
                                       "WHERE incident_id = ? ORDER BY company_id", [incident_id])]


def impacted_tickets(db: Database, *, incident_id: int, as_of: datetime) -> pd.DataFrame:
    """Tickets of the impacted customers opened while the incident lasted (start to resolution)."""
    return db.query("""
        SELECT t.reference, c.name AS company, t.severity, t.channel, t.status, t.opened_at, t.resolved_at,
               t.category, t.platform, t.id AS ticket_id
        FROM incidents i
        JOIN incident_impacted_companies ic ON ic.incident_id = i.id
        JOIN tickets t ON t.company_id = ic.company_id
             AND t.opened_at >= i.started_at AND t.opened_at <= coalesce(i.resolved_at, $as_of)
        JOIN companies c ON c.id = t.company_id
        WHERE i.id = $id ORDER BY t.opened_at""", {"id": incident_id, "as_of": as_of})
