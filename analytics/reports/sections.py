"""The figures of each section of the monthly report, for one month.

Every figure comes from the function the domain's own page uses (``analytics.sla.engine``,
``analytics.intake.stats``, ``analytics.incidents.stats`` / ``incident_queries``,
``analytics.escalations.stats``, ...), called for the month's :class:`Period` with the
same ``as_of`` as those pages (the instant the report is made), so the report shows
their numbers. Only what no page computes for a past instant is queried here: the
backlog and the open escalations *at the end of the month*. A section whose tables are
missing or empty still returns figures (zeros, empty frames) and says so.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from analytics.imports.columns import CHANNELS
from analytics.intake import stats as intake
from analytics.kernel.periods import Period
from analytics.sla import stats as sla
from analytics.sla.engine import MEASURES
from analytics.store.database import Database

CHANNEL_LABELS = {"phone": "Phone", "email": "E-mail", "portal": "Portal", "voicemail": "Voicemail",
                  "remote_session": "Remote session"}
MEASURE_LABELS = {"response": "response", "resolution": "resolution"}
UNIT_LABELS = {"minutes": "min", "hours": "h", "business_days": "business days"}
TOP_COMPANIES = 5


def has_tables(db: Database, *names: str) -> bool:
    """True when every table (or view) named exists in the database."""
    found = {r[0] for r in db.rows("SELECT table_name FROM information_schema.tables")}
    return set(names) <= found


def pct(part: float, whole: float) -> float | None:
    """``100 * part / whole`` rounded to one decimal, None when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else None


# -- SLA ---------------------------------------------------------------------------
@dataclass
class SlaFigures:
    """Compliance per severity and measure, and where the breaches were."""

    table: pd.DataFrame          # severity, measure, target, calendar, met, breached, compliance_pct
    by_company: pd.DataFrame     # company, severity, measure, breached (companies with breaches)
    top_companies: pd.DataFrame  # company, response, resolution, breaches (top five)

    @property
    def breaches(self) -> int:
        return int(self.table["breached"].sum())

    def breaches_for(self, measure: str) -> int:
        return int(self.table.loc[self.table["measure"] == measure, "breached"].sum())

    def cell(self, severity: int, measure: str) -> dict:
        """met, breached, compliance_pct of one severity and measure."""
        row = self.table[(self.table["severity"] == severity) & (self.table["measure"] == measure)]
        if row.empty:
            return {"met": 0, "breached": 0, "compliance_pct": None}
        first = row.iloc[0]
        value = first["compliance_pct"]
        return {"met": int(first["met"]), "breached": int(first["breached"]),
                "compliance_pct": None if pd.isna(value) else float(value)}

    def worst_company(self, severity: int, measure: str) -> tuple[str | None, int]:
        """The company with the most breaches of a severity and measure, and how many."""
        part = self.by_company[(self.by_company["severity"] == severity) & (self.by_company["measure"] == measure)]
        if part.empty:
            return None, 0
        first = part.sort_values(["breached", "company"], ascending=[False, True]).iloc[0]
        return str(first["company"]), int(first["breached"])


def target_label(value: float, unit: str) -> str:
    return f"< {value:g} {UNIT_LABELS.get(unit, unit)}"


def sla_figures(db: Database, period: Period, *, as_of: datetime, with_companies: bool = True) -> SlaFigures:
    """The SLA page's figures for the period: ``severity_table``, and ``compliance`` by company.

    The breaches per company and measure (the SLA page's breakdown by company) are the sums over
    severities of ``compliance(by="company")``; ``with_companies=False`` skips them (previous month).
    """
    table = sla.severity_table(db, period, as_of=as_of)
    shown = pd.DataFrame({
        "severity": table["severity"].astype(int), "measure": table["measure"],
        "target": [target_label(v, u) for v, u in zip(table["target_value"], table["target_unit"])],
        "calendar": table["calendar_name"],
        "met": table["met"].astype(int), "breached": table["breached"].astype(int),
        "compliance_pct": table["compliance_pct"].astype(float)})
    columns = ["company", "severity", "measure", "breached"]
    if not with_companies:
        return SlaFigures(shown, pd.DataFrame(columns=columns),
                          pd.DataFrame(columns=["company", "response", "resolution", "breaches"]))
    by_company = sla.compliance(db, period, as_of=as_of, by="company", per_severity=True)
    by_company = by_company.loc[by_company["breached"] > 0, columns].reset_index(drop=True)
    top = (by_company.pivot_table(index="company", columns="measure", values="breached", aggfunc="sum",
                                  fill_value=0)
           .reindex(columns=list(MEASURES), fill_value=0).reset_index())
    top.columns.name = None
    top["breaches"] = top["response"] + top["resolution"]
    top = (top.sort_values(["breaches", "company"], ascending=[False, True]).head(TOP_COMPANIES)
           .reset_index(drop=True).astype({"response": int, "resolution": int, "breaches": int}))
    return SlaFigures(shown, by_company, top[["company", "response", "resolution", "breaches"]])


# -- tickets -----------------------------------------------------------------------
@dataclass
class TicketFigures:
    """Volume per channel, backlog at the end of the month, e-mail reclassification."""

    volume: pd.DataFrame   # channel, tickets (every channel)
    backlog: pd.DataFrame  # severity, open (1-4)
    tickets: int
    email: int
    email_raised: int

    @property
    def backlog_total(self) -> int:
        return int(self.backlog["open"].sum())

    @property
    def reclassification_pct(self) -> float | None:
        return pct(self.email_raised, self.email)

    def channel(self, name: str) -> int:
        return int(self.volume.loc[self.volume["channel"] == name, "tickets"].sum())


def backlog_at(db: Database, at: datetime) -> pd.DataFrame:
    """Tickets opened before ``at`` and not resolved by then, per severity (1-4)."""
    return db.query("""
        SELECT s.severity, count(t.id) AS open
        FROM range(1, 5) s(severity)
        LEFT JOIN tickets t ON t.severity = s.severity AND t.opened_at < $at
                           AND (t.resolved_at IS NULL OR t.resolved_at >= $at)
        GROUP BY s.severity ORDER BY s.severity
    """, {"at": at}).astype({"severity": int, "open": int})


def ticket_figures(db: Database, period: Period, *, at: datetime) -> TicketFigures:
    """The incoming-requests page's volume and reclassification, and the backlog at ``at``."""
    totals = intake.tickets_per_channel(db, period)
    volume = pd.DataFrame({"channel": list(CHANNELS), "tickets": [totals.get(c, 0) for c in CHANNELS]})
    summary = intake.intake_summary(db, period)
    return TicketFigures(volume, backlog_at(db, at), summary["tickets"], summary["email"],
                         summary["email_raised"])


# -- major incidents ---------------------------------------------------------------
@dataclass
class IncidentFigures:
    """Major incidents started in the month: counts, notification timeliness, time to resolve."""

    available: bool
    stats: dict = field(default_factory=dict)  # incident_stats.figures(by=()) row
    incidents: pd.DataFrame = field(default_factory=pd.DataFrame)
    target_minutes: int = 20
    deadline_minutes: int = 30
    problem: str = ""  # why the section could not be computed (its tables exist but a query failed)

    @property
    def count(self) -> int:
        return int(self.stats.get("incidents", 0) or 0)


def incident_figures(db: Database, period: Period, *, as_of: datetime) -> IncidentFigures:
    """``incident_stats.figures`` and ``incident_queries.list_incidents`` for the month."""
    if not has_tables(db, "incidents", "incident_notifications"):
        return IncidentFigures(available=False)
    from analytics.incidents import stats as incident_stats
    from analytics.incidents.queries import IncidentFilter, list_incidents, notify_settings

    settings = notify_settings(db)
    overall = incident_stats.figures(db, start=period.start, end=period.end, settings=settings,
                                     as_of=as_of, by=())
    stats = {k: (None if pd.isna(v) else v) for k, v in overall.iloc[0].to_dict().items()}
    listed = list_incidents(db, IncidentFilter(start=period.start, end=period.end), settings=settings, as_of=as_of)
    listed = listed[listed["started_at"] <= as_of].sort_values("started_at").reset_index(drop=True)
    columns = ["reference", "title", "severity", "status", "security_breach", "customers", "started_at",
               "minutes_to_notify", "notified_late", "hours_to_resolve"]
    return IncidentFigures(True, stats, listed[columns], settings.target, settings.deadline)


# -- escalations -------------------------------------------------------------------
@dataclass
class EscalationFigures:
    """Escalations open at the end of the month per level of the chain, and those raised in it."""

    available: bool
    open_by_level: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["level", "level_name",
                                                                                       "open"]))
    raised: int = 0
    problem: str = ""  # why the section could not be computed (its tables exist but a query failed)

    @property
    def open_total(self) -> int:
        return int(self.open_by_level["open"].sum()) if not self.open_by_level.empty else 0


def open_escalations_at(db: Database, at: datetime, chain: list[str]) -> pd.DataFrame:
    """Escalations raised before ``at`` and not resolved by then, per level they had reached (every level)."""
    return db.query("""
        WITH state AS (
            SELECT escalation_id,
                   max(to_level) FILTER (WHERE kind IN ('raised', 'escalated')) AS level,
                   bool_or(kind = 'resolved') AS resolved,
                   bool_or(kind = 'raised') AS raised
            FROM escalation_events WHERE occurred_at <= $at GROUP BY escalation_id
        ),
        levels AS (SELECT unnest(range(1, greatest(len($chain), coalesce(max(level), 0)) + 1)) AS level FROM state)
        SELECT l.level, coalesce(list_extract($chain, l.level), 'Level ' || l.level) AS level_name,
               count(s.escalation_id) AS open
        FROM levels l LEFT JOIN state s ON s.level = l.level AND s.raised AND NOT s.resolved
        GROUP BY ALL ORDER BY l.level
    """, {"at": at, "chain": chain}).astype({"level": int, "open": int})


def escalation_figures(db: Database, period: Period, *, at: datetime) -> EscalationFigures:
    """Open escalations by level at ``at`` and the escalations raised in the period (``depth_distribution``)."""
    if not has_tables(db, "escalations", "escalation_events"):
        return EscalationFigures(available=False)
    from analytics.escalations.service import escalation_chain
    from analytics.escalations.stats import depth_distribution

    chain = escalation_chain(db)
    depth = depth_distribution(db, period, chain=chain)
    return EscalationFigures(True, open_escalations_at(db, at, chain), int(depth["escalations"].sum()))


# -- RCA -----------------------------------------------------------------------------
@dataclass
class RcaFigures:
    """RCAs published, customers' requests against deliveries, action items closed on time."""

    available: bool
    figures: dict = field(default_factory=dict)  # rca_stats.rca_month_figures
    problem: str = ""  # why the section could not be computed (its tables exist but a query failed)

    def get(self, key: str) -> int:
        return int(self.figures.get(key) or 0)


def rca_figures(db: Database, period: Period, *, as_of: datetime) -> RcaFigures:
    """``rca_stats.rca_month_figures`` for the month (the RCA page's definitions)."""
    if not has_tables(db, "rca_reports", "rca_revisions", "rca_requests", "rca_action_items"):
        return RcaFigures(available=False)
    from analytics.rca.stats import rca_month_figures

    return RcaFigures(True, rca_month_figures(db, month_start=period.start, month_end=period.end, as_of=as_of))


# -- login lockouts ------------------------------------------------------------------
@dataclass
class LockoutFigures:
    """Account lockouts of the month and the suspected attacks behind some of them."""

    available: bool
    overview: dict = field(default_factory=dict)  # login_stats.overview
    attacks: pd.DataFrame = field(default_factory=pd.DataFrame)  # login_stats.suspected_attacks
    daily: pd.DataFrame = field(default_factory=pd.DataFrame)    # login_stats.daily_counts
    problem: str = ""  # why the section could not be computed (its tables exist but a query failed)

    def get(self, key: str) -> int:
        value = self.overview.get(key)
        return 0 if value is None or pd.isna(value) else int(value)

    @property
    def lockouts(self) -> int:
        return self.get("lockouts")

    @property
    def suspected_attacks(self) -> int:
        return len(self.attacks)


def lockout_figures(db: Database, period: Period) -> LockoutFigures:
    """``login_stats.overview`` and ``suspected_attacks`` for the month, under the policy in force."""
    if not has_tables(db, "login_events", "login_daily", "login_rollup_state"):
        return LockoutFigures(available=False)
    from analytics.logins.rules import load_policy
    from analytics.logins.stats import LoginFilter, daily_counts, lockout_rows, overview, suspected_attacks

    policy, flt = load_policy(db), LoginFilter(period)
    attacks = suspected_attacks(db, flt, policy)  # as the lockouts page: attacks, then its lockout rows
    lockouts = lockout_rows(db, flt, policy, attacks)
    return LockoutFigures(True, overview(db, flt, policy, lockouts), attacks, daily_counts(db, flt))
