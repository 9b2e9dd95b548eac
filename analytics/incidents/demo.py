"""Demo major incidents: about 30 over the demo period, registered in ``DEMO_EXTENSIONS``.

Each incident follows the real process: declared minutes after the impact is
defined, moved through the lifecycle, a first customer notification (most within
20 minutes, some past the 30-minute deadline), hourly status reports (a few late),
the four investigation steps with owners, then resolution, post-mortem and closure
for the older ones. The most recent two are still open, so the clocks show: one
already notified and waiting for its next status report, one whose notification
clock is still running. Names are fictional. Deterministic for a given ``rng``.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from analytics.intake.demo import PLATFORMS

INCIDENTS = 30
SUPERVISORS = ["Claire Fontaine", "Marc Lebrun", "Sophie Caradec", "Karim Benali"]
NOTIFIERS = ["Julie Masson", "Antoine Roux", "Nadia Haddad"]
INVESTIGATORS = ["Pierre Gauthier", "Élodie Marchand", "Rachid Amrani", "Lucie Perrin"]
PROBLEMS = ["outage", "slow responses", "messages delayed", "intermittent errors", "login failures"]
SEVERITY_SHARE = [0.3, 0.6, 0.1]


def _minutes(rng, low: float, high: float) -> timedelta:
    return timedelta(minutes=float(rng.uniform(low, high)))


class _Rows:
    """Collects rows per table, then inserts them through registered frames."""

    def __init__(self):
        self.tables: dict[str, list[dict]] = {"incidents": [], "incident_companies": [], "incident_transitions": [],
                                              "incident_notifications": [], "incident_steps": []}

    def add(self, table: str, **row) -> None:
        self.tables[table].append(row)

    def insert(self, cur) -> None:
        for table, rows in self.tables.items():
            if rows:
                cur.register("demo_incident_rows", pd.DataFrame(rows))
                cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM demo_incident_rows")  # fixed table names
                cur.unregister("demo_incident_rows")


def _plan(rng, start: datetime, now: datetime) -> list[tuple[datetime, str]]:
    """Start instants and the final status of each incident, the last two still open."""
    span = (now - start).total_seconds() - 86400 * 4
    offsets = np.sort(rng.uniform(86400, span, INCIDENTS - 2))
    plan = [(start + timedelta(seconds=float(s)), "closed") for s in offsets]
    plan[-1] = (plan[-1][0], "post_mortem")
    plan[-2] = (plan[-2][0], "resolved")
    plan.append((now - timedelta(hours=3, minutes=10), "monitoring"))
    plan.append((now - timedelta(minutes=38), "investigating"))
    return plan


def _notifications(rows: _Rows, rng, incident_id: int, defined: datetime, resolved: datetime | None,
                   now: datetime) -> None:
    late_first = rng.random() < 0.15
    sent = defined + (_minutes(rng, 31, 55) if late_first else _minutes(rng, 6, 24))
    if sent > now:
        return
    kind, number = "notification", 0
    while True:
        last = resolved is not None and sent >= resolved
        due = None if last else sent + timedelta(minutes=60)
        rows.add("incident_notifications", id=None, incident_id=incident_id, kind=kind, sent_at=sent,
                 sent_by=NOTIFIERS[(incident_id + number) % len(NOTIFIERS)], all_customers=True, company_ids=[],
                 message=("Resolved: service restored, a root-cause analysis will follow." if last else
                          f"We are working on a disruption of the service (report {number + 1}); "
                          "next update within the hour."),
                 next_update_due=due, recorded_by=NOTIFIERS[0], recorded_at=sent + timedelta(minutes=2),
                 idempotency_token=f"demo-notice-{incident_id}-{number}")
        if last:
            return
        kind, number = "status_update", number + 1
        following = sent + (_minutes(rng, 62, 85) if rng.random() < 0.15 else _minutes(rng, 40, 60))
        if resolved is not None and following > resolved:
            following = resolved + _minutes(rng, 3, 15)
        if following > now:
            return
        sent = following


def _incident(rows: _Rows, rng, incident_id: int, started: datetime, final: str, companies: pd.DataFrame,
              now: datetime, tz: ZoneInfo) -> None:
    severity = int(rng.choice([1, 2, 3], p=SEVERITY_SHARE))
    all_customers = severity == 1 or rng.random() < 0.15
    platforms = list(PLATFORMS) if severity == 1 else \
        sorted(rng.choice(PLATFORMS, size=int(rng.integers(1, 3)), replace=False).tolist())
    detected = started + _minutes(rng, 2, 15)
    defined = detected + _minutes(rng, 4, 18)
    newest = final == "investigating"
    if newest:  # the newest incident: impact defined 12 minutes ago, its notification clock running
        detected, defined = started + timedelta(minutes=10), now - timedelta(minutes=12)
    declared = defined + _minutes(rng, 1, 5)
    times = {"investigating": declared + _minutes(rng, 2, 10)}
    times["identified"] = times["investigating"] + _minutes(rng, 15, 90)
    times["monitoring"] = times["identified"] + _minutes(rng, 15, 60)
    times["resolved"] = times["monitoring"] + _minutes(rng, 15, 60)
    times["post_mortem"] = times["resolved"] + timedelta(days=float(rng.uniform(1, 3)))
    times["closed"] = times["post_mortem"] + timedelta(days=float(rng.uniform(5, 12)))
    order = ["declared", "investigating", "identified", "monitoring", "resolved", "post_mortem", "closed"]
    reached = [s for s in order[1:order.index(final) + 1] if times[s] <= now]
    status = reached[-1] if reached else "declared"
    supervisor = SUPERVISORS[incident_id % len(SUPERVISORS)]
    platform = platforms[0] if len(platforms) < len(PLATFORMS) else "All platforms"
    rows.add("incidents", id=incident_id, reference=None, ref_year=declared.astimezone(tz).year, ref_number=None,
             title=f"{platform}: {PROBLEMS[int(rng.integers(len(PROBLEMS)))]}", severity=severity,
             security_breach=bool(rng.random() < 0.1), all_customers=all_customers, platforms=platforms,
             description=f"Customers report problems on {', '.join(platforms)}; support confirmed the "
                         "disruption and declared a major incident.",
             status=status, started_at=started, detected_at=detected, impact_defined_at=defined,
             declared_at=declared, declared_by=supervisor, commander=supervisor,
             notification_lead=NOTIFIERS[incident_id % len(NOTIFIERS)],
             investigation_lead=INVESTIGATORS[incident_id % len(INVESTIGATORS)],
             acknowledged_at=times["investigating"] if reached else None,
             identified_at=times["identified"] if "identified" in reached else None,
             resolved_at=times["resolved"] if "resolved" in reached else None,
             postmortem_at=times["post_mortem"] if "post_mortem" in reached else None,
             closed_at=times["closed"] if "closed" in reached else None,
             idempotency_token=f"demo-incident-{incident_id}", updated_at=now)
    if not all_customers:
        picked = rng.choice(companies["id"].to_numpy(), size=int(rng.integers(2, 7)), replace=False,
                            p=companies["weight"].to_numpy())
        for company_id in sorted(int(c) for c in picked):
            rows.add("incident_companies", incident_id=incident_id, company_id=company_id)
    previous = None
    for state in ["declared", *reached]:
        rows.add("incident_transitions", id=None, incident_id=incident_id, from_status=previous, to_status=state,
                 occurred_at=declared if state == "declared" else times[state], actor=supervisor, note=None)
        previous = state
    if not newest:
        _notifications(rows, rng, incident_id, defined, times["resolved"] if "resolved" in reached else None, now)
    step_times = [times["investigating"] + _minutes(rng, 3, 12)]
    step_times.append(step_times[0] + _minutes(rng, 5, 20))
    step_times.append(max(step_times[1], times["identified"]) + _minutes(rng, 2, 10))
    step_times.append(max(step_times[2], times["monitoring"]))
    for k, (step, at) in enumerate(zip(["scope_assessed", "experts_gathered", "plan_established",
                                        "plan_executed"], step_times)):
        if at > now:
            break
        rows.add("incident_steps", incident_id=incident_id, step=step,
                 owner=INVESTIGATORS[(incident_id + k) % len(INVESTIGATORS)], completed_at=at, note=None,
                 recorded_by=INVESTIGATORS[incident_id % len(INVESTIGATORS)], recorded_at=at)


def generate_demo(cur, rng: np.random.Generator, *, companies: pd.DataFrame, now: datetime) -> None:
    """Add the demo incidents inside the demo transaction (needs the demo tickets for the period)."""
    start = cur.execute("SELECT min(opened_at) FROM tickets").fetchone()[0] or now - timedelta(days=540)
    tz = ZoneInfo(cur.execute("SELECT current_setting('TimeZone')").fetchone()[0])
    rows = _Rows()
    for incident_id, (started, final) in enumerate(_plan(rng, start.astimezone(UTC), now), start=1):
        _incident(rows, rng, incident_id, started, final, companies, now, tz)
    incidents = rows.tables["incidents"]
    for number_in_year, row in enumerate(incidents, start=1):
        same_year = [r for r in incidents[:number_in_year] if r["ref_year"] == row["ref_year"]]
        row["ref_number"] = len(same_year)
        row["reference"] = f"INC-{row['ref_year']}-{row['ref_number']:04d}"
    for table in ("incident_transitions", "incident_notifications"):
        for row in rows.tables[table]:
            row.pop("id")
    rows.insert(cur)
