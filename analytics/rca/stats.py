"""Figures on RCA reports, aggregated in DuckDB: what keeps breaking, and are the actions done?

Definitions (every period is on the incident's start, local dates of the deployment time zone):

- **RCA status** of a resolved incident: 'published' once a revision was published (a newer
  revision being edited shows as ``revision_in_progress``), else the status of its latest
  revision ('none' before a first save). Its **categories** and **platforms** are those of the
  latest revision's root causes.
- **days to publish**: first publication - resolution. An incident resolved more than
  ``rca.overdue_days`` ago without a published RCA is **overdue**.
- **recurrence**: a root cause whose category and platform already appeared in another incident
  that started at most ``rca.recurrence_days`` (90) earlier; the later incident is flagged.
- **action items** (cancelled ones aside): **done** when status is done; **overdue** when open or
  in progress past the due date; **on time** when done on or before the due date (local date).

:func:`rca_month_figures` gives the monthly report its RCA figures for one month.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.kernel.times import utc_now
from analytics.settings.queries import get_setting
from analytics.store.database import Database

STATUS_CHOICES = ("none", "draft", "in_review", "published")


@dataclass(frozen=True)
class RcaFilter:
    """Which incidents the RCA figures cover; empty tuples and None mean 'all'."""

    start: date | None = None          # incident started on or after (local date)
    end: date | None = None            # started before (local date, excluded)
    severities: tuple[int, ...] = ()
    categories: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()     # of STATUS_CHOICES


def _params(db: Database, flt: RcaFilter, as_of: datetime) -> dict:
    tz = ZoneInfo(db.timezone)
    return {"start": datetime.combine(flt.start, time(0), tz) if flt.start else None,
            "end": datetime.combine(flt.end, time(0), tz) if flt.end else None,
            "severities": list(flt.severities) or None, "categories": list(flt.categories) or None,
            "platforms": list(flt.platforms) or None, "statuses": list(flt.statuses) or None,
            "as_of": as_of, "overdue_days": int(get_setting(db, "rca.overdue_days")),
            "window": int(get_setting(db, "rca.recurrence_days"))}


def period_months(start: date, end: date) -> list[str]:
    """'YYYY-MM' of every month touching [start, end)."""
    months, current = [], start.replace(day=1)
    while current < end:
        months.append(current.strftime("%Y-%m"))
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def _query(db: Database, sql: str, params: dict) -> pd.DataFrame:
    """Run ``sql`` binding only the named parameters it uses (DuckDB refuses extra ones)."""
    used = set(re.findall(r"\$([a-z_]+)", sql))
    return db.query(sql, {k: v for k, v in params.items() if k in used})


def _plain(frame: pd.DataFrame) -> dict:
    """The first row as plain Python values (ints stay ints, missing values are None)."""
    out = {}
    for column in frame.columns:
        value = frame[column].iloc[0]
        out[column] = None if pd.isna(value) else (value.item() if hasattr(value, "item") else value)
    return out


CAUSES_CTE = """
    causes AS (
        SELECT DISTINCT c.incident_id, i.reference, i.started_at, rc.category, rc.platform
        FROM rca_current c
        JOIN rca_root_causes rc ON rc.report_id = c.report_id AND rc.revision = c.revision
        JOIN incidents i ON i.id = c.incident_id
        WHERE rc.category <> '' AND rc.platform <> ''),
    recurrences AS (
        SELECT later.incident_id, later.reference, later.started_at, later.category, later.platform,
               arg_max(earlier.reference, earlier.started_at) AS previous_reference,
               max(earlier.started_at) AS previous_started_at
        FROM causes later JOIN causes earlier
          ON earlier.category = later.category AND earlier.platform = later.platform
         AND earlier.incident_id <> later.incident_id
         AND (earlier.started_at < later.started_at
              OR (earlier.started_at = later.started_at AND earlier.incident_id < later.incident_id))
         AND later.started_at <= earlier.started_at + to_days($window)
        GROUP BY ALL)"""

SELECTED_CTE = """
    selected AS (
        SELECT i.id AS incident_id, i.reference, i.title, i.severity, i.started_at, i.resolved_at,
               array_to_string(i.platforms, ', ') AS incident_platforms,
               CASE WHEN p.first_published_at IS NOT NULL THEN 'published' ELSE coalesce(c.status, 'none') END
                   AS rca_status,
               CASE WHEN p.first_published_at IS NOT NULL AND c.status <> 'published' THEN c.status END
                   AS revision_in_progress,
               c.revision, p.first_published_at,
               (SELECT x.revision FROM rca_published x WHERE x.incident_id = i.id) AS published_revision,
               (SELECT string_agg(DISTINCT category, ', ' ORDER BY category) FROM causes x
                WHERE x.incident_id = i.id) AS categories,
               (SELECT string_agg(DISTINCT platform, ', ' ORDER BY platform) FROM causes x
                WHERE x.incident_id = i.id) AS cause_platforms
        FROM incidents i
        LEFT JOIN rca_current c ON c.incident_id = i.id
        LEFT JOIN (SELECT report_id, min(published_at) AS first_published_at FROM rca_revisions
                   WHERE published_at IS NOT NULL GROUP BY report_id) p ON p.report_id = c.report_id
        WHERE i.resolved_at IS NOT NULL AND i.status IN ('resolved', 'post_mortem', 'closed')
          AND ($start IS NULL OR i.started_at >= $start) AND ($end IS NULL OR i.started_at < $end)
          AND ($severities IS NULL OR list_contains($severities, i.severity))
          AND ($statuses IS NULL OR list_contains($statuses, CASE WHEN p.first_published_at IS NOT NULL
                                                                  THEN 'published' ELSE coalesce(c.status, 'none') END))
          AND ($categories IS NULL OR EXISTS (SELECT 1 FROM causes x WHERE x.incident_id = i.id
                                              AND list_contains($categories, x.category)))
          AND ($platforms IS NULL OR EXISTS (SELECT 1 FROM causes x WHERE x.incident_id = i.id
                                             AND list_contains($platforms, x.platform))))"""


def rca_list(db: Database, flt: RcaFilter, *, as_of: datetime) -> pd.DataFrame:
    """Resolved incidents of the filter with their RCA status, causes, delay to publish, overdue and recurrence flags."""
    return _query(db, f"""
        WITH {CAUSES_CTE}, {SELECTED_CTE}
        SELECT s.*,
               round(date_diff('minute', s.resolved_at, s.first_published_at) / 1440.0, 1) AS days_to_publish,
               round(date_diff('minute', s.resolved_at, $as_of) / 1440.0, 1) AS days_since_resolution,
               s.first_published_at IS NULL AND $as_of > s.resolved_at + to_days($overdue_days) AS overdue,
               EXISTS (SELECT 1 FROM recurrences r WHERE r.incident_id = s.incident_id) AS recurrence,
               (SELECT string_agg(DISTINCT r.previous_reference, ', ') FROM recurrences r
                WHERE r.incident_id = s.incident_id) AS recurrence_of
        FROM selected s ORDER BY s.started_at DESC""", _params(db, flt, as_of))


def recurrences(db: Database, flt: RcaFilter, *, as_of: datetime) -> pd.DataFrame:
    """Each recurring (category, platform) of the filter's incidents, with the earlier incident it repeats."""
    return _query(db, f"""
        WITH {CAUSES_CTE}, {SELECTED_CTE}
        SELECT r.reference, r.started_at, r.category, r.platform, r.previous_reference, r.previous_started_at,
               round(date_diff('minute', r.previous_started_at, r.started_at) / 1440.0, 1) AS days_apart
        FROM recurrences r JOIN selected s ON s.incident_id = r.incident_id
        ORDER BY r.started_at DESC, r.category""", _params(db, flt, as_of))


def category_trend(db: Database, flt: RcaFilter, *, as_of: datetime) -> pd.DataFrame:
    """Incidents per local month of their start and root-cause category (an incident counts once per category)."""
    frame = _query(db, f"""
        WITH {CAUSES_CTE}, {SELECTED_CTE}
        SELECT date_trunc('month', c.started_at)::DATE AS month, c.category,
               count(DISTINCT c.incident_id) AS incidents
        FROM causes c JOIN selected s ON s.incident_id = c.incident_id
        WHERE $categories IS NULL OR list_contains($categories, c.category)
        GROUP BY ALL ORDER BY month, c.category""", _params(db, flt, as_of))
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


ACTIONS_SQL = """
    WITH {causes}, {selected}
    SELECT s.reference, s.severity, a.id AS item_id, a.description, a.owner, a.due_date, a.status, a.completed_at,
           a.status IN ('open', 'in_progress') AND a.due_date < $today AS overdue,
           CASE WHEN a.status IN ('open', 'in_progress') AND a.due_date < $today
                THEN date_diff('day', a.due_date, $today) END AS days_overdue,
           CASE WHEN a.status = 'done' AND a.due_date IS NOT NULL
                THEN a.completed_at::DATE <= a.due_date END AS on_time
    FROM selected s JOIN rca_current c ON c.incident_id = s.incident_id
    JOIN rca_action_items a ON a.report_id = c.report_id
"""


def action_items(db: Database, flt: RcaFilter, *, as_of: datetime) -> pd.DataFrame:
    """The action items of the filter's incidents, overdue ones first (most late first), with their owners."""
    params = {**_params(db, flt, as_of), "today": as_of.astimezone(ZoneInfo(db.timezone)).date()}
    return _query(db, ACTIONS_SQL.format(causes=CAUSES_CTE, selected=SELECTED_CTE)
                    + " ORDER BY overdue DESC, days_overdue DESC NULLS LAST, a.due_date, a.id", params)


def headline(db: Database, flt: RcaFilter, *, as_of: datetime) -> dict:
    """The page's headline figures for the filter: RCAs, delays, recurrences and action items."""
    params = {**_params(db, flt, as_of), "today": as_of.astimezone(ZoneInfo(db.timezone)).date()}
    rcas = _query(db, f"""
        WITH {CAUSES_CTE}, {SELECTED_CTE}
        SELECT count(*) AS resolved_incidents,
               count(first_published_at) AS published,
               count(*) FILTER (rca_status IN ('draft', 'in_review')) AS in_progress,
               count(*) FILTER (first_published_at IS NULL AND $as_of > resolved_at + to_days($overdue_days))
                   AS overdue,
               round(median(date_diff('minute', resolved_at, first_published_at) / 1440.0), 1)
                   AS median_days_to_publish,
               count(*) FILTER (incident_id IN (SELECT incident_id FROM recurrences)) AS recurring
        FROM selected""", params)
    actions = _query(db, f"""
        WITH items AS ({ACTIONS_SQL.format(causes=CAUSES_CTE, selected=SELECTED_CTE)})
        SELECT count(*) FILTER (status <> 'cancelled') AS actions,
               count(*) FILTER (status = 'done') AS actions_done,
               round(100.0 * count(*) FILTER (status = 'done')
                     / nullif(count(*) FILTER (status <> 'cancelled'), 0), 1) AS completion_pct,
               count(*) FILTER (overdue) AS actions_overdue,
               count(*) FILTER (on_time) AS actions_done_on_time
        FROM items""", params)
    return {**_plain(rcas), **_plain(actions)}


def rca_month_figures(db: Database, *, month_start: date, month_end: date, as_of: datetime | None = None) -> dict:
    """RCA figures of one month [month_start, month_end) (local dates) for the monthly report."""
    tz = ZoneInfo(db.timezone)
    start, end = datetime.combine(month_start, time(0), tz), datetime.combine(month_end, time(0), tz)
    as_of = utc_now(as_of)
    cutoff = min(end, as_of)
    row = db.query("""
        WITH firsts AS (SELECT r.incident_id, min(v.published_at) AS first_published_at
                        FROM rca_reports r JOIN rca_revisions v ON v.report_id = r.id GROUP BY r.incident_id),
        due AS (SELECT i.id, i.resolved_at + to_days($overdue_days) AS due_at, f.first_published_at
                FROM incidents i LEFT JOIN firsts f ON f.incident_id = i.id
                WHERE i.resolved_at IS NOT NULL AND i.status IN ('resolved', 'post_mortem', 'closed'))
        SELECT
          (SELECT count(*) FROM firsts WHERE first_published_at >= $start AND first_published_at < $end)
              AS rcas_published,
          (SELECT count(*) FROM rca_revisions WHERE published_at >= $start AND published_at < $end)
              AS revisions_published,
          (SELECT count(*) FROM due WHERE due_at >= $start AND due_at < $end) AS rcas_due,
          (SELECT count(*) FROM due WHERE due_at >= $start AND due_at < $end
                                     AND first_published_at <= due_at) AS rcas_due_published_on_time,
          (SELECT count(*) FROM due WHERE due_at < $cutoff AND coalesce(first_published_at >= $cutoff, true))
              AS rcas_overdue_at_end,
          (SELECT count(*) FROM rca_requests WHERE requested_at >= $start AND requested_at < $end)
              AS requests_received,
          (SELECT count(*) FROM rca_requests WHERE delivered_at >= $start AND delivered_at < $end)
              AS requests_delivered,
          (SELECT count(*) FROM rca_requests WHERE requested_at < $cutoff
                                             AND coalesce(delivered_at >= $cutoff, true)) AS requests_open_at_end,
          (SELECT round(median(date_diff('minute', requested_at, delivered_at) / 1440.0), 1) FROM rca_requests
           WHERE delivered_at >= $start AND delivered_at < $end) AS median_days_to_deliver,
          (SELECT count(*) FROM rca_action_items WHERE due_date >= $month_start AND due_date < $month_end
                                                 AND status <> 'cancelled') AS action_items_due,
          (SELECT count(*) FROM rca_action_items WHERE due_date >= $month_start AND due_date < $month_end
                  AND status = 'done' AND completed_at::DATE <= due_date) AS action_items_closed_on_time,
          (SELECT count(*) FROM rca_action_items WHERE status = 'done' AND completed_at >= $start
                                                 AND completed_at < $end) AS action_items_completed,
          (SELECT count(*) FROM rca_action_items WHERE due_date < $cutoff::DATE
                  AND coalesce(completed_at >= $cutoff, true)) AS action_items_overdue_at_end
        """, {"start": start, "end": end, "cutoff": cutoff, "month_start": month_start, "month_end": month_end,
              "overdue_days": int(get_setting(db, "rca.overdue_days"))})
    figures = _plain(row)
    due = figures["action_items_due"]
    figures["action_items_on_time_pct"] = (round(100.0 * figures["action_items_closed_on_time"] / due, 1)
                                           if due else None)
    return {"month_start": month_start, "month_end": month_end, **figures}
