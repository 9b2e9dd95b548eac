"""Realistic, deterministic demo data for an empty database.

``build_demo`` fills companies, contacts and tickets with their events over the
``months`` ending ``now``: daily and weekly rhythms, every channel, e-mail
defaulting to severity 4 (sometimes raised by an agent), reassignments between
teams (a few passed back and forth), reopenings, out-of-scope resolutions, and breaches concentrated where a real desk has
them (one overloaded team, nights and weekends, a short-staffed summer, two
demanding customers), a Premium contract for a few companies (:mod:`analytics.sla.demo_contracts`, written
before the tickets), and a satisfaction score on 30 % of the resolved tickets, lower
where the resolution came late. Everything is drawn with NumPy from one seed, in chunks, so
the same call builds the same database and scales to 10,000,000 tickets.

Other domains add their demo data through their declaration (``Domain.demo``):
``analytics.domains.build_demo`` passes each ``generate_demo(cur, rng, *, companies, now)``,
run in the same transaction.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from analytics.imports.columns import CHANNELS as TICKET_CHANNELS
from analytics.intake.demo_rework import rework_events
from analytics.kernel.times import utc_now
from analytics.sla.calendars import ensure_intervals
from analytics.sla.demo_contracts import demo_contracts
from analytics.store.database import Database

DEFAULT_TICKETS = 50_000
DEFAULT_COMPANIES = 40
DEFAULT_MONTHS = 18
CHUNK = 250_000

CHANNELS = np.array(TICKET_CHANNELS)
CHANNEL_SHARE = [0.30, 0.34, 0.26, 0.05, 0.05]
TEAMS = np.array(["Service desk", "Network", "Platforms", "Integration (EDI)", "Accounts & billing"])
PLATFORMS = np.array(["Messaging", "EDI Gateway", "Customer portal", "API", "Notifications"])
CATEGORIES = np.array([
    "login lockout", "password regeneration", "e-mail delivery", "information hidden by filter",
    "record deleted by mistake", "menus misplaced (browser zoom)", "transaction processing",
    "connectivity", "service degradation", "account service",
])
CATEGORY_SHARE = [0.12, 0.06, 0.12, 0.06, 0.05, 0.04, 0.25, 0.12, 0.08, 0.10]
CATEGORY_TEAM = [0, 0, 1, 0, 2, 0, 3, 1, 2, 4]  # index into TEAMS
REOPEN_PCT = [3, 2, 6, 4, 5, 2, 8, 5, 7, 3]  # per category: % of resolved tickets reopened once
RESOLUTION_CODES = np.array(["fixed", "workaround", "information given", "duplicate",
                             "third-party software", "customer infrastructure"])
RESOLUTION_SHARE = [0.46, 0.14, 0.26, 0.04, 0.05, 0.05]
HOUR_WEIGHT = np.array([1, 1, 1, 1, 1, 2, 4, 8, 16, 22, 24, 22, 14, 16, 22, 22, 20, 16, 9, 5, 3, 2, 2, 1], float)
WEEKDAY_WEIGHT = np.array([1.15, 1.05, 1.0, 1.0, 0.9, 0.18, 0.12])
SEVERITY_SHARE = {  # severity 1..4 by channel when the customer sets it
    "phone": [0.04, 0.14, 0.42, 0.40], "portal": [0.01, 0.07, 0.42, 0.50],
    "remote_session": [0.01, 0.06, 0.45, 0.48],
}
RESPONSE_MEDIAN_MIN = {1: 7, 2: 14, 3: 28, 4: 170}
RESOLUTION_MEDIAN_H = {1: 0.65, 2: 1.0, 3: 3.6, 4: 14.0}
OPEN_STATUSES = np.array(["open", "in progress", "awaiting customer"])
RESOLUTION_TARGET_H = {1: 2, 2: 3, 3: 12, 4: 72}  # the wall-clock hours of the targets (3 business days: about 72 h)
SURVEY_ANSWERED = 0.3  # resolved tickets whose customer answers the satisfaction survey
SCORE_SHARE = {"in time": [0.03, 0.04, 0.10, 0.33, 0.50], "late": [0.22, 0.20, 0.25, 0.20, 0.13]}  # scores 1..5

COMPANY_WORDS = (["Atelier", "Boréal", "Cobalt", "Delta", "Escale", "Fjord", "Granit", "Horizon",
                  "Iris", "Jade", "Kestrel", "Lumen", "Mistral", "Nacre", "Opale", "Pollen",
                  "Quartz", "Rivage", "Sirocco", "Tilleul"],
                 ["Logistique", "Santé", "Industries", "Transports", "Distribution", "Assurances",
                  "Énergie", "Pharma", "Retail", "Services"])
FIRST_NAMES = ["Camille", "Louis", "Inès", "Hugo", "Chloé", "Jules", "Léa", "Adam", "Manon", "Noah",
               "Sarah", "Lucas", "Emma", "Nathan", "Zoé", "Théo", "Alice", "Yanis", "Lina", "Tom"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
              "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David"]
AGENTS = [f"{first} {last}" for first, last in zip(FIRST_NAMES[::-1], LAST_NAMES * 2)][:18]


@dataclass
class DemoSummary:
    companies: int
    contacts: int
    tickets: int
    events: int


def _companies(rng: np.random.Generator, count: int) -> pd.DataFrame:
    names, used = [], set()
    while len(names) < count:
        name = f"{rng.choice(COMPANY_WORDS[0])} {rng.choice(COMPANY_WORDS[1])}"
        if name not in used:
            used.add(name)
            names.append(name)
    weight = 1.0 / np.arange(1, count + 1) ** 0.8  # a few large customers, a long tail
    return pd.DataFrame({"id": np.arange(1, count + 1), "name": names, "weight": weight / weight.sum()})


def _contacts(rng: np.random.Generator, companies: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for cid, name in zip(companies["id"], companies["name"]):
        domain = name.lower().replace(" ", "-").replace("é", "e").replace("É", "e") + ".example"
        admins = 1 + int(rng.random() < 0.5)
        for k in range(int(rng.integers(6, 25))):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            rows.append({"company_id": cid, "name": f"{first} {last}",
                         "email": f"{first.lower()}.{last.lower()}{k}@{domain}",
                         "phone": f"+33 1 00 {cid:02d} {k:02d} 00", "user_id": f"u{cid:03d}{k:03d}",
                         "is_admin": k < admins})
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def _opened_at(rng: np.random.Generator, n: int, start: datetime, end: datetime) -> np.ndarray:
    """Epoch seconds of ticket creation with weekly and daily rhythms and slow growth, sorted."""
    days = pd.date_range(start.date(), end.date(), freq="D")
    growth = np.linspace(0.8, 1.2, len(days))
    day_w = WEEKDAY_WEIGHT[days.day_of_week] * growth
    day_idx = rng.choice(len(days), size=n, p=day_w / day_w.sum())
    hours = rng.choice(24, size=n, p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
    local = (days.values[day_idx].astype("datetime64[s]").astype(np.int64)
             + hours * 3600 + rng.integers(0, 3600, size=n))
    # Paris local time to UTC: CET/CEST offset by date is close enough for generated data.
    month = days.month.values[day_idx]
    offset = np.where((month >= 4) & (month <= 10), 7200, 3600)
    opened = np.sort(local - offset)
    return opened[opened < end.timestamp() - 60]


def _satisfaction(survey: np.random.Generator, severity: np.ndarray, resolution: np.ndarray,
                  is_open: np.ndarray) -> pd.Series:
    """A score from 1 to 5 on a share of the resolved tickets, lower where the resolution came late
    (drawn from its own generator: the tickets and everything after them stay as they were)."""
    n = len(severity)
    late = resolution > np.vectorize(RESOLUTION_TARGET_H.get)(severity) * 3600.0
    answered = ~is_open & (survey.random(n) < SURVEY_ANSWERED)
    score = np.where(late, survey.choice(5, size=n, p=SCORE_SHARE["late"]), survey.choice(5, size=n, p=SCORE_SHARE["in time"]))
    return pd.Series(score + 1, dtype="Int16").where(answered)


def _ticket_chunk(rng, opened: np.ndarray, first_id: int, companies: pd.DataFrame,
                  contacts: pd.DataFrame, now_s: float, survey: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(opened)
    ids = np.arange(first_id, first_id + n)
    company = rng.choice(companies["id"].values, size=n, p=companies["weight"].values)
    channel = rng.choice(CHANNELS, size=n, p=CHANNEL_SHARE)
    severity = np.full(n, 4)
    for ch, share in SEVERITY_SHARE.items():
        mask = channel == ch
        severity[mask] = rng.choice([1, 2, 3, 4], size=mask.sum(), p=share)
    initial = severity.copy()
    mailed = np.isin(channel, ["email", "voicemail"])
    raised = mailed & (rng.random(n) < 0.09)  # an agent raises an e-mail request
    severity[raised] = rng.choice([2, 3], size=raised.sum(), p=[0.2, 0.8])
    changed = ~mailed & (rng.random(n) < 0.03)  # severity revised after diagnosis
    severity[changed] = np.clip(severity[changed] + rng.choice([-1, 1], size=changed.sum()), 1, 4)

    category_idx = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_SHARE)
    team_idx = np.array(CATEGORY_TEAM)[category_idx]
    first_team = np.where(rng.random(n) < 0.7, 0, team_idx)  # most tickets land on the desk first
    reassigned = (first_team != team_idx) | (rng.random(n) < 0.08)
    final_team = np.where(reassigned & (first_team == team_idx), (team_idx + 1 + rng.integers(0, 4, n)) % 5, team_idx)

    local_hour = ((opened + 3600) % 86400) // 3600
    weekday = ((opened + 3600) // 86400 + 3) % 7
    off_hours = (local_hour < 8) | (local_hour >= 19) | (weekday >= 5)
    summer = np.isin(pd.to_datetime(opened, unit="s").month, [7, 8])
    slow = (1.0 + 0.45 * off_hours + 0.35 * summer + 0.7 * (final_team == 3)
            + 0.5 * np.isin(company, [2, 5]))
    resp_median = np.vectorize(RESPONSE_MEDIAN_MIN.get)(severity) * 60.0
    response = resp_median * slow * rng.lognormal(0, 0.55, n)
    res_median = np.vectorize(RESOLUTION_MEDIAN_H.get)(severity) * 3600.0
    resolution = np.maximum(response * 1.2, res_median * slow * rng.lognormal(0, 0.6, n))
    four_biz = severity == 4  # business-calendar target: nights and weekends stretch wall-clock time
    resolution[four_biz] *= 1.0 + 1.0 * (weekday[four_biz] >= 4)
    stuck = rng.random(n) < 0.03  # waiting on the customer or a vendor: the backlog's tail
    resolution[stuck] *= rng.uniform(2, 6, stuck.sum())

    first_response = opened + response
    resolved = opened + resolution
    no_response = rng.random(n) < 0.04  # resolved straight away, no separate response recorded
    closed = resolved + rng.uniform(0.5, 5, n) * 86400
    is_open = resolved > now_s
    code = rng.choice(RESOLUTION_CODES, size=n, p=RESOLUTION_SHARE)
    status = np.where(closed <= now_s, "closed", "resolved")
    status = np.where(is_open, rng.choice(OPEN_STATUSES, size=n), status)

    contact_rows = contacts.groupby("company_id").indices
    pick = np.array([contact_rows[c][rng.integers(len(contact_rows[c]))] for c in company])
    contact = contacts.iloc[pick]
    complete = rng.random(n) < np.where(channel == "portal", 0.85, 0.55)

    def ts(values, keep):
        return pd.to_datetime(np.where(keep, values, np.nan), unit="s", utc=True)

    tickets = pd.DataFrame({
        "id": ids, "reference": [f"CS-{i:08d}" for i in ids], "company_id": company,
        "contact_name": contact["name"].values, "contact_email": contact["email"].values,
        "contact_phone": np.where(channel == "email", None, contact["phone"].values),
        "user_id": contact["user_id"].values, "raised_by_admin": contact["is_admin"].values,
        "channel": channel, "severity": severity, "initial_severity": initial,
        "category": CATEGORIES[category_idx], "platform": rng.choice(PLATFORMS, size=n),
        "status": status, "opened_at": pd.to_datetime(opened, unit="s", utc=True),
        "first_response_at": ts(first_response, (first_response <= now_s) & ~no_response),
        "resolved_at": ts(resolved, ~is_open), "closed_at": ts(closed, closed <= now_s),
        "assignee": rng.choice(AGENTS, size=n), "team": TEAMS[final_team],
        "resolution_code": np.where(is_open, None, code),
        "description": np.char.add("Customer reports: ", CATEGORIES[category_idx]),
        "transaction_ids": np.where(complete, np.char.add("JOB-", (ids % 99991).astype(str)), None),
        "event_at": pd.to_datetime(np.where(complete, opened - rng.uniform(60, 7200, n), np.nan), unit="s", utc=True),
        "error_messages": np.where(complete & (rng.random(n) < 0.7), "Error shown to the user", None),
    })
    tickets["satisfaction"] = _satisfaction(survey, severity, resolution, is_open).values
    events = _events(ids, opened, first_response, resolved, closed, now_s, no_response, is_open,
                     reassigned, TEAMS[first_team], TEAMS[final_team], initial, severity)
    events = pd.concat([events, rework_events(ids, opened, np.where(no_response, opened, first_response), resolved,
                                               now_s, is_open, reassigned, TEAMS[first_team], TEAMS[final_team],
                                               np.array(REOPEN_PCT)[category_idx])], ignore_index=True)
    return tickets, events


def _events(ids, opened, first_response, resolved, closed, now_s, no_response, is_open,
            reassigned, first_team, final_team, initial, severity) -> pd.DataFrame:
    parts = [pd.DataFrame({"ticket_id": ids, "occurred_at": opened, "kind": "opened",
                           "from_value": None, "to_value": first_team})]
    resp = (first_response <= now_s) & ~no_response
    parts.append(pd.DataFrame({"ticket_id": ids[resp], "occurred_at": first_response[resp],
                               "kind": "response", "from_value": None, "to_value": None}))
    moved = reassigned & (first_response + 60 <= now_s)
    parts.append(pd.DataFrame({"ticket_id": ids[moved], "occurred_at": first_response[moved] + 60,
                               "kind": "reassigned", "from_value": first_team[moved],
                               "to_value": final_team[moved]}))
    sev = initial != severity
    parts.append(pd.DataFrame({"ticket_id": ids[sev], "occurred_at": opened[sev] + 120,
                               "kind": "severity", "from_value": initial[sev].astype(str),
                               "to_value": severity[sev].astype(str)}))
    done = ~is_open
    parts.append(pd.DataFrame({"ticket_id": ids[done], "occurred_at": resolved[done],
                               "kind": "resolved", "from_value": None, "to_value": None}))
    shut = closed <= now_s
    parts.append(pd.DataFrame({"ticket_id": ids[shut], "occurred_at": closed[shut],
                               "kind": "closed", "from_value": None, "to_value": None}))
    events = pd.concat(parts, ignore_index=True)
    events["occurred_at"] = pd.to_datetime(events["occurred_at"], unit="s", utc=True)
    events["actor"] = None
    return events


def build_demo(db: Database, *, tickets: int = DEFAULT_TICKETS, seed: int = 7, now: datetime | None = None,
               months: int = DEFAULT_MONTHS, companies: int = DEFAULT_COMPANIES, progress=None,
               extensions: Sequence[Callable[..., None]] = ()) -> DemoSummary:
    """Fill an empty database with demo tickets, then run each of ``extensions`` in the same transaction.

    Refuses a database that already holds tickets. ``analytics.domains.build_demo`` passes every
    domain's demo generator.
    """
    if db.scalar("SELECT count(*) FROM tickets"):
        raise ValueError(f"{db.path} already holds tickets; the demo only fills an empty database")
    ensure_intervals(db)
    now = utc_now(now).replace(microsecond=0)
    start = now - timedelta(days=round(months * 30.44))
    rng = np.random.default_rng(seed)
    survey = np.random.default_rng([seed, 18])  # the satisfaction scores' own draws (issue 18)
    company_frame = _companies(rng, companies)
    contact_frame = _contacts(rng, company_frame)
    opened = _opened_at(rng, tickets, start, now)
    events_total = 0
    with db.transaction() as cur:
        cur.register("demo_companies", company_frame)
        cur.execute("INSERT INTO companies (id, name, created_at) SELECT id, name, ? FROM demo_companies", [start])
        cur.register("demo_contacts", contact_frame)
        cur.execute("INSERT INTO contacts SELECT * FROM demo_contacts")
        first = pd.Timestamp(opened[0] if len(opened) else start.timestamp(), unit="s", tz="UTC").tz_convert(db.timezone)
        demo_contracts(cur, company_ids=set(company_frame["id"].tolist()), first_day=first.date(), now=now,
                       timezone=db.timezone)  # before the tickets, so that the ledger measures them under it
        for first in range(0, len(opened), CHUNK):
            chunk_t, chunk_e = _ticket_chunk(rng, opened[first:first + CHUNK], first + 1,
                                             company_frame, contact_frame, now.timestamp(), survey)
            cur.register("demo_tickets", chunk_t)
            cur.execute("INSERT INTO tickets BY NAME SELECT *, 'demo' AS source, now() AS updated_at FROM demo_tickets")
            cur.register("demo_events", chunk_e)
            cur.execute("INSERT INTO ticket_events (ticket_id, occurred_at, kind, from_value, to_value, actor) "
                        "SELECT ticket_id, occurred_at, kind, from_value, to_value, actor FROM demo_events")
            events_total += len(chunk_e)
            if progress:
                progress(len(chunk_t))
        for generate_demo in extensions:
            generate_demo(cur, rng, companies=company_frame, now=now)
    return DemoSummary(len(company_frame), len(contact_frame), len(opened), events_total)
