"""``GET /metrics``: Vigie's live figures in the Prometheus text exposition format (version 0.0.4).

Gauges a Grafana or an alerting rule reads: open major incidents per severity, open escalations per
level, today's SLA decisions (met and breached per severity and measure, the local day of the
deployment time zone) and the open measures pending and at risk, the outbox's messages per state,
and the opening time of the latest ticket (``time() - vigie_latest_ticket_opened_timestamp_seconds``
is the intake lag). Label values are escaped as the format requires; every figure comes from the
same queries the pages use (the SLA ledger's rollups for the SLA figures).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.incidents.rules import OPEN_STATUSES
from analytics.kernel.periods import Period
from analytics.notices.queries import outbox_summary
from analytics.sla.engine import at_risk_share
from analytics.sla.filters import TicketFilter
from analytics.sla.stats import compliance_query
from analytics.store.database import Database

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(name: str, help_text: str, samples: list[tuple[dict, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for labels, value in samples:
        shown = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
        number = str(int(value)) if float(value).is_integer() else repr(float(value))
        lines.append(f"{name}{{{shown}}} {number}" if shown else f"{name} {number}")
    return lines


def sla_today(db: Database, now: datetime) -> list[tuple]:
    """(severity, measure, met, breached, pending, at_risk) of the local day holding ``now``."""
    today = now.astimezone(ZoneInfo(db.timezone)).date()
    period = Period(today, today + timedelta(days=1), db.timezone)
    sql, params = compliance_query(db, period, TicketFilter(), as_of=now, at_risk=at_risk_share(db, None),
                                   version=None, by=None, per_severity=True)
    return db.rows(f"SELECT severity, measure, met, breached, pending, at_risk FROM ({sql}) ORDER BY ALL", params)


def metrics_text(db: Database, *, now: datetime) -> str:
    """Every gauge, as the exposition text."""
    incidents = db.rows("SELECT severity, count(*) FROM incidents WHERE status IN "
                        f"({', '.join('?' for _ in OPEN_STATUSES)}) GROUP BY 1 ORDER BY 1", list(OPEN_STATUSES))
    escalations = db.rows("SELECT level, count(*) FROM escalations WHERE resolved_at IS NULL GROUP BY 1 ORDER BY 1")
    sla = sla_today(db, now)
    outbox = outbox_summary(db, now=now)
    latest = db.scalar("SELECT epoch(max(opened_at)) FROM tickets")
    lines = _family("vigie_open_incidents", "Major incidents not yet resolved, per severity.",
                    [({"severity": s}, n) for s, n in incidents] or [({}, 0)])
    lines += _family("vigie_open_escalations", "Escalations not yet resolved, per level of the chain.",
                     [({"level": level}, n) for level, n in escalations] or [({}, 0)])
    for index, (name, help_text) in enumerate((
            ("vigie_sla_met_today", "SLA measures met today (local day), per severity and measure."),
            ("vigie_sla_breached_today", "SLA measures breached today (local day), per severity and measure."),
            ("vigie_sla_pending", "Open SLA measures not decided yet, per severity and measure."),
            ("vigie_sla_at_risk", "Open SLA measures past the at-risk share of their target."))):
        lines += _family(name, help_text, [({"severity": row[0], "measure": row[1]}, row[2 + index]) for row in sla])
    lines += _family("vigie_outbox_messages", "Messages in the outbox, per state (queued, sending, accepted, failed).",
                     [({"state": state}, outbox[state]) for state in ("queued", "sending", "accepted", "failed")])
    lines += _family("vigie_latest_ticket_opened_timestamp_seconds",
                     "When the latest ticket was opened (Unix time): the intake lag is time() minus this.",
                     [({}, float(latest or 0))])
    return "\n".join(lines) + "\n"
