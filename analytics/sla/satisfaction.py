"""Satisfaction beside the SLA (issue 18, item 6): what the customers said of the tickets resolved in a period.

A ticket's score (``tickets.satisfaction``, migration 091) is a whole number from 1 (very
dissatisfied) to 5 (very satisfied) where the source surveys its customers; NULL when it was
not surveyed or the survey was not answered (a Zendesk rating "offered" is no score). A
good / bad rating is stored as 5 / 1, so for such a source the share satisfied is its good
share and the average reads 1 + 4 x that share.

The tickets counted are those **resolved in the period** (their final severity and team, under
the page's filter). Each group gets: tickets resolved, responses (tickets with a score), the
share answered, the average score, and the share satisfied (score of :data:`SATISFIED` or more)
out of the responses. The same groups split by the verdict of the ticket's **resolution**
target (met or breached), read from the SLA ledger of the version in force (its resolution rows
that ended in the period, joined to the tickets' scores), or from the on-read engine before a
ledger exists, show what a breach costs in satisfaction. One scan, with grouping sets for the
three breakdowns; :func:`totals` runs the same scan grouped by verdict and as a whole (the monthly report).
"""
from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from analytics.kernel.periods import Period
from analytics.sla.engine import at_risk_share
from analytics.sla.filters import TicketFilter
from analytics.sla.measures import measures_for, reading_version
from analytics.store.database import Database

SATISFIED = 4          # a score from which the customer counts as satisfied (4 or 5 on the 1-5 scale)
BREAKDOWNS = {"team": "team", "severity": "severity", "resolution_sla": "sla_state"}
FIGURES = ("resolved", "responses", "response_pct", "average_score", "satisfied", "satisfied_pct")


def scored_sql(db: Database, period: Period, flt: TicketFilter, *, as_of: datetime,
               version: int | None) -> tuple[str, dict]:
    """SQL of the tickets resolved in the period (id, severity, team, satisfaction, sla_state: the verdict of
    their resolution target, met or breached) and its parameters."""
    chosen = reading_version(db, version)
    start, end = period.bounds()
    if chosen is not None:  # the ledger alone: a resolution measure ends when its ticket is resolved
        where, params = flt.sql("l")
        sql = f"""
        SELECT l.ticket_id AS id, l.severity, l.team, t.satisfaction, l.state AS sla_state
        FROM sla_ledger l JOIN tickets t ON t.id = l.ticket_id
        WHERE l.version = $rules_version AND l.measure = 'resolution' AND l.ended_at >= $from AND l.ended_at < $to
          AND {where}"""
        return sql, {**params, "rules_version": chosen.version, "from": start, "to": end}
    where, params = flt.sql("t")  # no ledger yet: the on-read engine's verdicts
    measures, mparams, _ = measures_for(db, flt, prune=False, chosen=None)
    sql = f"""
    SELECT t.id, t.severity, t.team, t.satisfaction,
           CASE WHEN v.state IN ('met', 'breached') THEN v.state END AS sla_state
    FROM tickets t LEFT JOIN (SELECT ticket_id, state FROM ({measures}) m WHERE measure = 'resolution') v
         ON v.ticket_id = t.id
    WHERE t.resolved_at >= $from AND t.resolved_at < $to AND {where}"""
    params = {**params, **mparams, "as_of": as_of, "at_risk": at_risk_share(db)}
    return sql, {**params, "from": start, "to": end}


def _grouped(db: Database, period: Period, flt: TicketFilter, keys: tuple[str, ...], extra: str = "", *,
             as_of: datetime | None, version: int | None) -> pd.DataFrame:
    """The figures of the scored tickets grouped by each of ``keys`` alone (``by_<key>`` tells the rows of each
    grouping), and ``extra`` grouping sets (SQL: ``()``, the whole)."""
    sql, params = scored_sql(db, period, flt, as_of=as_of or datetime.now(UTC), version=version)
    flags = ", ".join(f"grouping({k}) = 0 AS by_{k}" for k in keys)
    sets = ", ".join([*(f"({k})" for k in keys), *([extra] if extra else [])])
    frame = db.query(f"""
        WITH scored AS ({sql})
        SELECT {flags}, {", ".join(keys)},
               count(*) AS resolved, count(satisfaction) AS responses,
               round(avg(satisfaction), 2) AS average_score,
               count(*) FILTER (WHERE satisfaction >= $satisfied) AS satisfied
        FROM scored GROUP BY GROUPING SETS ({sets})""", {**params, "satisfied": SATISFIED})
    frame["response_pct"] = (100.0 * frame["responses"] / frame["resolved"].where(frame["resolved"] > 0)).round(1)
    frame["satisfied_pct"] = (100.0 * frame["satisfied"] / frame["responses"].where(frame["responses"] > 0)).round(1)
    return frame


def _by_verdict(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the grouping by verdict of the resolution target, met first (tickets without one left out)."""
    by_sla = frame[frame["by_sla_state"] & frame["sla_state"].notna()]
    return (by_sla.rename(columns={"sla_state": "resolution_sla"})
            .sort_values("resolution_sla", key=lambda s: s.map({"met": 0, "breached": 1})))


def figures(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime | None = None,
            version: int | None = None) -> dict[str, pd.DataFrame]:
    """The satisfaction of the tickets resolved in the period, per team, per severity and per verdict of the
    resolution target (``resolution_sla``: met, breached), each a frame of its key and :data:`FIGURES`."""
    frame = _grouped(db, period, flt, ("team", "severity", "sla_state"), as_of=as_of, version=version)
    tables = {
        "team": frame[frame["by_team"]].sort_values("team", na_position="last"),
        "severity": frame[frame["by_severity"]].sort_values("severity"),
        "resolution_sla": _by_verdict(frame),
    }
    return {name: table[[name, *FIGURES]].reset_index(drop=True) for name, table in tables.items()}


def totals(db: Database, period: Period, flt: TicketFilter = TicketFilter(), *, as_of: datetime | None = None,
           version: int | None = None) -> tuple[dict, pd.DataFrame]:
    """The same figures over every ticket resolved in the period (:data:`FIGURES`, None when nothing to divide,
    as the monthly report reads them), and the frame per verdict of the resolution target of :func:`figures`."""
    frame = _grouped(db, period, flt, ("sla_state",), "()", as_of=as_of, version=version)
    overall = frame[~frame["by_sla_state"]].iloc[0]
    whole = {k: (None if pd.isna(overall[k]) else float(overall[k]) if k.endswith(("_pct", "_score"))
                 else int(overall[k])) for k in FIGURES}
    verdicts = _by_verdict(frame)
    return whole, verdicts[["resolution_sla", *FIGURES]].reset_index(drop=True)


def responses(tables: dict[str, pd.DataFrame]) -> int:
    """How many tickets of the figures have a score (0: nobody answered, or the source has no survey)."""
    return int(tables["severity"]["responses"].sum())
