"""Demo escalations: every level of the chain over the demo period, many on breached tickets.

Registered in ``analytics.intake.demo.DEMO_EXTENSIONS``; :func:`generate_demo` runs inside the demo
transaction, after the tickets. About nine escalations a month: most are about a ticket whose
resolution target was breached (picked with the SLA engine's rule on the 24/7 targets:
wall-clock resolution time beyond the target), others about a ticket the customer is unhappy
with or about the company's service in general. Three customers escalate again and again.
Each escalation climbs the chain to a drawn depth, each level acknowledging it after a
while (some late); those raised in the last days are still open, a few unacknowledged past
``escalation.ack_hours``. The owners above the first level are fictional people; the setting
``escalation.contacts`` is configuration and is left untouched.
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from analytics.intake.demo import AGENTS
from analytics.settings.rules import BY_NAME

PER_MONTH = 9
SEED_TAG = 25                    # this extension's own stream, derived from the demo seed
RECENT_OPEN = 9                  # raised in the last days, still open
DEPTH_SHARE = [0.40, 0.27, 0.17, 0.10, 0.06]
REPEAT_SHARE = 0.4               # share of escalations from the three repeat customers
KIND_SHARE = {"breached": 0.6, "ticket": 0.25, "company": 0.15}
DEMO_OWNERS = ["Maëlle Fictive", "Bastien Exemple", "Océane Démo", "Gaspard Témoin"]  # levels 2-5, fictional
REASONS = {
    "sla_breach": ["Ticket {ticket} is past its resolution target and the customer has no date for a fix.",
                   "The customer was promised a resolution within the SLA on {ticket}; it is overdue.",
                   "Repeated follow-ups on {ticket} without an answer within the agreed time."],
    "commitment_not_kept": ["A call-back promised on {ticket} did not happen.",
                            "The workaround promised for {ticket} was not delivered on the agreed day.",
                            "The account review promised last month has not taken place."],
    "quality": ["Answers on {ticket} did not address the problem; the customer explained it three times.",
                "The customer judges the diagnosis on {ticket} wrong and asks for a specialist.",
                "Several tickets closed without the customer's agreement."],
    "incident": ["Incident {incident}: the customer was not kept informed while its service was down.",
                 "Incident {incident}: the customer asks why its service was cut for so long."],
    "other": ["The customer disputes the support invoice for the quarter.",
              "The customer asks to change its preferred support contact urgently."],
}
CODE_SHARE = {"breached": {"sla_breach": 0.8, "commitment_not_kept": 0.2},
              "ticket": {"sla_breach": 0.1, "commitment_not_kept": 0.45, "quality": 0.35, "other": 0.1},
              "company": {"commitment_not_kept": 0.4, "quality": 0.3, "other": 0.3}}

INCIDENT_SHARE = 0.35           # of the demo's major incidents, one impacted customer escalates
INCIDENTS_SQL = """
    SELECT i.id, i.reference, epoch(i.impact_defined_at) AS start_s,
           epoch(coalesce(i.resolved_at, $now)) AS end_s, min(c.company_id) AS company_id
    FROM incidents i JOIN incident_impacted_companies c ON c.incident_id = i.id
    WHERE i.impact_defined_at < $now - INTERVAL 2 HOUR
    GROUP BY ALL ORDER BY i.id
"""
CANDIDATES_SQL = """
    SELECT t.id, t.reference, t.company_id, epoch(t.opened_at) AS opened_s,
           epoch(coalesce(t.resolved_at, $now)) AS until_s, epoch(t.opened_at) + g.seconds AS deadline_s,
           epoch(coalesce(t.resolved_at, $now)) - epoch(t.opened_at) > g.seconds AS breached
    FROM tickets t JOIN (
        SELECT s.severity, s.target_value * CASE s.target_unit WHEN 'minutes' THEN 60 ELSE 3600 END AS seconds
        FROM sla_targets s JOIN calendars c ON c.id = s.calendar_id
        WHERE s.measure = 'resolution' AND c.always_open AND s.target_unit IN ('minutes', 'hours')
    ) g ON g.severity = t.severity
    WHERE t.opened_at < $now - INTERVAL 2 HOUR
    ORDER BY hash(t.id + $seed) LIMIT 4000
"""


def _pick(rng, shares: dict[str, float]) -> str:
    return str(rng.choice(list(shares), p=list(shares.values())))


def _timeline(rng, raised_s: float, depth: int, ack_s: float, *, open_until: float | None) -> list[tuple]:
    """(seconds, kind, from_level, to_level) steps of one escalation climbing to ``depth``."""
    steps, t = [(raised_s, "raised", None, 1)], raised_s
    for level in range(1, depth + 1):
        ack_delay = rng.lognormal(np.log(1.3 * 3600), 0.8)
        if rng.random() < 0.12:
            ack_delay = ack_s * rng.uniform(1.1, 3)  # acknowledged late
        escalate_unacknowledged = level < depth and ack_delay > ack_s and rng.random() < 0.5
        if not escalate_unacknowledged:
            steps.append((t + ack_delay, "acknowledged", None, level))
        if level < depth:
            t += (ack_s * rng.uniform(1.05, 1.5) if escalate_unacknowledged
                  else ack_delay + rng.lognormal(np.log(12 * 3600), 0.7))
            steps.append((t, "escalated", level, level + 1))
        elif open_until is None:
            steps.append((t + ack_delay + rng.lognormal(np.log(30 * 3600), 0.8), "resolved", None, level))
    return steps


def _recent_open(rng, now_s: float, ack_s: float, index: int) -> tuple[float, int, bool]:
    """Raised time, depth and 'leave unacknowledged' for the index-th still-open escalation."""
    depth = [1, 1, 2, 2, 3, 1, 4, 2, 5][index % 9]
    unacknowledged = index % 3 == 0  # a third sit unacknowledged past the threshold
    raised = now_s - (depth - 1) * 20 * 3600 - ack_s * rng.uniform(1.3, 3) - rng.uniform(0, 2 * 86400)
    return raised, depth, unacknowledged


def generate_demo(cur, rng: np.random.Generator, *, companies: pd.DataFrame, now: datetime) -> None:
    """Add demo escalations and their events inside the demo transaction.

    Draws come from a generator derived from the demo's seed, not from ``rng`` itself, so
    the extensions that run after this one get the same draws whether it runs or not.
    """
    rng = np.random.default_rng([rng.bit_generator.seed_seq.entropy, SEED_TAG])
    chain = list(BY_NAME["escalation.chain"].default)
    ack_s = float(BY_NAME["escalation.ack_hours"].default) * 3600
    now_s = now.timestamp()
    first = cur.execute("SELECT epoch(min(opened_at)) FROM tickets").fetchone()[0]
    if first is None:
        return
    tickets = cur.execute(CANDIDATES_SQL, {"now": now, "seed": int(rng.integers(1, 2**31))}).df()
    breached = tickets[tickets["breached"] & (tickets["until_s"] - tickets["deadline_s"] > 1800)]
    by_company = {k: breached.iloc[v] for k, v in breached.groupby("company_id").indices.items()}
    tickets_by_company = tickets.groupby("company_id").indices
    admins = cur.execute("SELECT company_id, min(name) FROM contacts WHERE is_admin GROUP BY 1").fetchall()
    admin_of = dict(admins)
    repeaters = [c for c in (2, 5, 9) if c in set(companies["id"])] or list(companies["id"][:3])

    count = max(20, int((now_s - first) / 86400 / 30.44 * PER_MONTH))
    depth_counts = np.maximum(1, np.round(np.array(DEPTH_SHARE) * count)).astype(int)
    depths = rng.permutation(np.repeat(np.arange(1, 6), depth_counts))
    rows = []
    for i, depth in enumerate(list(depths) + [None] * RECENT_OPEN):
        kind = _pick(rng, KIND_SHARE)
        company = int(rng.choice(repeaters) if rng.random() < REPEAT_SHARE
                      else rng.choice(companies["id"], p=companies["weight"]))
        ticket_ref, ticket_id, open_until, unacknowledged = None, None, None, False
        if depth is None:
            raised_s, depth, unacknowledged = _recent_open(rng, now_s, ack_s, i - len(depths))
            open_until = now_s
        if kind == "breached" and len(breached):
            pool = by_company.get(company, breached)
            row = pool.iloc[int(rng.integers(len(pool)))]
            span = row["until_s"] - row["deadline_s"]
            raised_s = (max(raised_s, row["deadline_s"] + 600) if open_until
                        else row["deadline_s"] + rng.uniform(0.05, 0.6) * span)
            company, ticket_id, ticket_ref = int(row["company_id"]), int(row["id"]), row["reference"]
        elif kind == "ticket" and company in tickets_by_company:
            row = tickets.iloc[rng.choice(tickets_by_company[company])]
            raised_s = (max(raised_s, row["opened_s"] + 3600) if open_until
                        else row["opened_s"] + rng.uniform(3600, 3 * 86400))
            ticket_id, ticket_ref = int(row["id"]), row["reference"]
        else:
            kind, raised_s = "company", raised_s if open_until else rng.uniform(first + 86400, now_s - 86400)
        raised_s = float(int(min(raised_s, now_s - 600)))
        code = _pick(rng, CODE_SHARE[kind])
        templates = [r for r in REASONS[code] if ticket_ref or "{ticket}" not in r] or REASONS["other"]
        steps = _timeline(rng, raised_s, int(depth), ack_s, open_until=open_until)
        steps = [(float(int(s[0])), *s[1:]) for s in steps if s[0] <= now_s - 60]
        if unacknowledged and steps[-1][1] == "acknowledged":
            steps.pop()
        owners = [str(rng.choice(AGENTS)), *DEMO_OWNERS]
        rows.append({"ord": i, "raised_s": raised_s, "company_id": company, "ticket_id": ticket_id,
                     "reason": str(rng.choice(templates)).format(ticket=ticket_ref), "reason_code": code,
                     "raised_by": admin_of.get(company, "Customer administrator"), "owners": owners,
                     "steps": steps})
    rows += _incident_rows(cur, rng, now, ack_s, start=len(rows))
    _insert(cur, rows, now, chain)


def _incident_rows(cur, rng, now: datetime, ack_s: float, *, start: int) -> list[dict]:
    """A customer escalating during some of the demo's major incidents (when the incidents demo ran first)."""
    if not cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'incidents'").fetchone()[0]:
        return []
    incidents = cur.execute(INCIDENTS_SQL, {"now": now}).fetchall()
    admin_of = dict(cur.execute("SELECT company_id, min(name) FROM contacts WHERE is_admin GROUP BY 1").fetchall())
    rows = []
    for n, (incident_id, reference, start_s, end_s, company) in enumerate(incidents):
        if rng.random() >= INCIDENT_SHARE:
            continue
        raised_s = float(int(start_s + rng.uniform(0.2, 0.9) * min(end_s - start_s, 6 * 3600)))
        steps = [st for st in _timeline(rng, raised_s, int(rng.choice([1, 2, 3], p=[0.3, 0.45, 0.25])), ack_s,
                                        open_until=None) if st[0] <= now.timestamp() - 60]
        rows.append({"ord": start + n, "raised_s": raised_s, "company_id": int(company), "ticket_id": None,
                     "incident_id": int(incident_id), "reason_code": "commitment_not_kept",
                     "reason": str(rng.choice(REASONS["incident"])).format(incident=reference),
                     "raised_by": admin_of.get(company, "Customer administrator"),
                     "owners": [str(rng.choice(AGENTS)), *DEMO_OWNERS],
                     "steps": [(float(int(st[0])), *st[1:]) for st in steps]})
    return rows


def _insert(cur, rows: list[dict], now: datetime, chain: list[str]) -> None:
    """Number the escalations ESC-YYYY-NNNN in order raised, then insert them and their events."""
    rows.sort(key=lambda r: r["raised_s"])
    paris, seq = ZoneInfo("Europe/Paris"), {}
    escalations, events = [], []
    for r in rows:
        raised = datetime.fromtimestamp(r["raised_s"], UTC)
        year = raised.astimezone(paris).year
        seq[year] = seq.get(year, 0) + 1
        reference = f"ESC-{year}-{seq[year]:04d}"
        level, level_since, ack_at, ack_by, resolved_at, resolved_by = 1, raised, None, None, None, None
        for at_s, kind, from_level, to_level in r["steps"]:
            at = datetime.fromtimestamp(at_s, UTC)
            owner = r["owners"][min(to_level, len(r["owners"])) - 1]
            if kind == "escalated":
                level, level_since, ack_at, ack_by = to_level, at, None, None
            elif kind == "acknowledged":
                ack_at, ack_by = at, owner
            elif kind == "resolved":
                resolved_at, resolved_by = at, owner
            note = {"raised": r["reason_code"], "resolved": "Resolved with the customer; actions agreed.",
                    "escalated": f"Not resolved at the {chain[from_level - 1].lower()}" if from_level else None,
                    "acknowledged": None}[kind]
            actor = {"raised": "demo", "escalated": r["owners"][(from_level or 1) - 1]}.get(kind, owner)
            events.append({"reference": reference, "occurred_at": at, "kind": kind, "from_level": from_level,
                           "to_level": to_level, "actor": actor, "note": note})
        escalations.append({
            "reference": reference, "ref_year": year, "ref_seq": seq[year], "company_id": r["company_id"],
            "ticket_id": r["ticket_id"], "incident_id": r.get("incident_id"), "level": level,
            "level_since": level_since, "reason": r["reason"],
            "reason_code": r["reason_code"], "raised_by": r["raised_by"], "raised_at": raised,
            "owner": r["owners"][level - 1], "acknowledged_at": ack_at, "acknowledged_by": ack_by,
            "resolved_at": resolved_at, "resolved_by": resolved_by,
            "resolution": "Resolved with the customer; actions agreed." if resolved_at else None})
    frame = pd.DataFrame(escalations)
    for column in ("level_since", "raised_at", "acknowledged_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["ticket_id"] = frame["ticket_id"].astype("Int64")
    frame["incident_id"] = frame["incident_id"].astype("Int64")
    cur.register("demo_escalations", frame)
    cur.execute("INSERT INTO escalations BY NAME SELECT *, 'demo' AS recorded_by FROM demo_escalations "
                "ORDER BY raised_at")
    event_frame = pd.DataFrame(events)
    event_frame["occurred_at"] = pd.to_datetime(event_frame["occurred_at"], utc=True)
    event_frame["from_level"] = event_frame["from_level"].astype("Int64")
    cur.register("demo_escalation_events", event_frame)
    cur.execute("INSERT INTO escalation_events (escalation_id, occurred_at, kind, from_level, to_level, actor, note) "
                "SELECT e.id, d.occurred_at, d.kind, d.from_level, d.to_level, d.actor, d.note "
                "FROM demo_escalation_events d JOIN escalations e USING (reference) ORDER BY d.occurred_at")
    cur.unregister("demo_escalations")
    cur.unregister("demo_escalation_events")
