"""Figures on major incidents, aggregated in DuckDB: per month and severity, or overall.

Definitions (all durations from the incident's recorded instants):

- **time to notify**: first customer notification - impact defined. The share within the
  target (20 min) and within the deadline (30 min) counts incidents whose outcome is
  known: notified, or still unnotified past the mark at ``as_of`` (counted as missed).
- **time to resolve**: resolution - start of the disruption (what customers lived).
- **MTTA** (mean time to acknowledge): first move out of 'declared' - detection.
- **MTTR** (mean time to resolve): resolution - detection.

Months are local months (deployment time zone) of the start of the disruption.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.incidents.queries import NotifySettings, notify_settings
from analytics.kernel.sql import identifier
from analytics.store.database import Database

GROUPINGS = {"month": "month", "severity": "severity"}  # allow-list of GROUP BY columns
# the command line's and the read API's groupings and columns (``python -m analytics incidents``)
BY_CHOICES = ("month,severity", "month", "severity", "none")
FIGURE_COLUMNS = ("incidents", "security_breaches", "notified", "notify_median_min", "notify_decided", "within_target",
                  "within_deadline", "within_target_pct", "within_deadline_pct", "resolved", "resolve_median_h",
                  "mtta_min", "mttr_h")

FIGURES_SQL = """
    WITH first_notice AS (
        SELECT incident_id, min(sent_at) AS notified_at FROM incident_notifications
        WHERE kind = 'notification' AND sent_at <= $as_of GROUP BY incident_id),
    base AS (
        SELECT i.id, i.severity, date_trunc('month', i.started_at)::DATE AS month,
               date_diff('second', i.impact_defined_at, f.notified_at) / 60.0 AS notify_min,
               CASE WHEN f.notified_at IS NOT NULL THEN f.notified_at <= i.impact_defined_at + to_minutes($target)
                    WHEN $as_of > i.impact_defined_at + to_minutes($target) THEN false END AS within_target,
               CASE WHEN f.notified_at IS NOT NULL THEN f.notified_at <= i.impact_defined_at + to_minutes($deadline)
                    WHEN $as_of > i.impact_defined_at + to_minutes($deadline) THEN false END AS within_deadline,
               date_diff('second', i.started_at, i.resolved_at) / 3600.0 AS resolve_h,
               date_diff('second', i.detected_at, i.acknowledged_at) / 60.0 AS ack_min,
               date_diff('second', i.detected_at, i.resolved_at) / 3600.0 AS repair_h,
               i.security_breach
        FROM incidents i LEFT JOIN first_notice f ON f.incident_id = i.id
        WHERE i.started_at >= $start AND i.started_at < $end AND i.started_at <= $as_of
          AND ($severities IS NULL OR list_contains($severities, i.severity)))
    SELECT {columns}
           count(*) AS incidents,
           count(*) FILTER (security_breach) AS security_breaches,
           count(notify_min) AS notified,
           round(median(notify_min), 1) AS notify_median_min,
           count(within_deadline) AS notify_decided,
           count(*) FILTER (within_target) AS within_target,
           count(*) FILTER (within_deadline) AS within_deadline,
           round(100.0 * count(*) FILTER (within_target) / nullif(count(within_target), 0), 1) AS within_target_pct,
           round(100.0 * count(*) FILTER (within_deadline) / nullif(count(within_deadline), 0), 1)
               AS within_deadline_pct,
           count(resolve_h) AS resolved,
           round(median(resolve_h), 2) AS resolve_median_h,
           round(avg(ack_min), 1) AS mtta_min,
           round(avg(repair_h), 2) AS mttr_h
    FROM base {group_by}
"""


def grouping_sql(by: tuple[str, ...]) -> tuple[str, str]:
    """The leading SELECT columns and the GROUP BY / ORDER BY clause of :func:`figures` for ``by``."""
    columns = [GROUPINGS[identifier(b, GROUPINGS)] for b in by]
    select = "".join(f"{c}, " for c in columns)
    return select, (f"GROUP BY {', '.join(columns)} ORDER BY {', '.join(columns)}" if columns else "")


def figures(db: Database, *, start: date, end: date, settings: NotifySettings, as_of: datetime,
            severities: tuple[int, ...] = (), by: tuple[str, ...] = ("month", "severity")) -> pd.DataFrame:
    """Incident figures for disruptions started in [start, end), grouped by ``by`` (month, severity)."""
    select, group_by = grouping_sql(by)
    tz = ZoneInfo(db.timezone)
    frame = db.query(FIGURES_SQL.format(columns=select, group_by=group_by), {
        "start": datetime.combine(start, time(0), tz), "end": datetime.combine(end, time(0), tz),
        "as_of": as_of, "target": settings.target, "deadline": settings.deadline,
        "severities": list(severities) or None})
    if "month" in frame:
        frame["month"] = pd.to_datetime(frame["month"])
    return frame


def grouping(by: str) -> tuple[str, ...]:
    """``--by`` as the grouping columns (``none``: one overall row)."""
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    return tuple(part for part in by.split(",") if part and part != "none")


def figure_records(db: Database, *, start: date, end: date, as_of: datetime, by: tuple[str, ...]) -> list[dict]:
    """The command's rows for the incidents whose disruption started in [start, end): JSON-ready records, months
    as ``YYYY-MM``, empty as None (the read API answers exactly these)."""
    frame = figures(db, start=start, end=end, settings=notify_settings(db), as_of=as_of, by=by)
    if "month" in frame:
        frame["month"] = frame["month"].dt.strftime("%Y-%m")
    return json.loads(json.dumps(frame.astype(object).where(frame.notna(), None).to_dict(orient="records")))
