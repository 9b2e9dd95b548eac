"""The monthly report for leadership: one month's figures beside the previous month's.

:class:`ReportMonth` is a calendar month in the deployment time zone (default: the
last complete one). :func:`build_report` collects every section's figures for that
month and the one before (``analytics/reports/sections.py``, which calls the domain
pages' own functions), the headline figures with their month-over-month change and
the written summary (``analytics/reports/summary.py``). Figures are computed at
``as_of`` = the instant the report is made, like the domain pages, so that a report and a
page opened at the same moment agree: a decision (met, breached) counts in the month it was
decided, as the engine knows it now. Two figures are states at an instant, taken at
``at_end`` = the end of the month (now for the month in progress): the backlog and the open
escalations. The reopen rate and first-contact resolution read the tickets opened in the month
(``analytics/sla/reopenings.py``); customer satisfaction reads the tickets resolved in it, as the SLA
page's Satisfaction section (``analytics/sla/satisfaction.py``). The page, the PDF/HTML renderer and the CLI all read the same
:class:`MonthlyReport`, so they show the same numbers.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from analytics.kernel.periods import Period
from analytics.kernel.times import utc_now
from analytics.reports import sections
from analytics.reports.summary import plural
from analytics.settings.queries import earliest_accepted
from analytics.sla import reopenings, satisfaction
from analytics.sla.stats import monthly_trend
from analytics.store.database import Database
from analytics.store.errors import DatabaseError

MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")
TREND_MONTHS = 6


@dataclass(frozen=True, order=True)
class ReportMonth:
    """A calendar month, identified by its first day."""

    first: date

    @classmethod
    def parse(cls, text: str) -> ReportMonth:
        """``YYYY-MM`` to a month; ValueError with a readable message otherwise."""
        match = MONTH_TEXT.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"{text!r} is not a month (YYYY-MM)")
        return cls(date(int(match.group(1)), int(match.group(2)), 1))

    @classmethod
    def containing(cls, day: date) -> ReportMonth:
        return cls(day.replace(day=1))

    @classmethod
    def last_complete(cls, today: date) -> ReportMonth:
        """The month before the one holding ``today``."""
        return cls.containing(today).previous

    @property
    def end(self) -> date:
        """The first day of the next month (excluded)."""
        return (self.first + timedelta(days=32)).replace(day=1)

    @property
    def previous(self) -> ReportMonth:
        return ReportMonth((self.first - timedelta(days=1)).replace(day=1))

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def short(self) -> str:
        return f"{self.first:%b %Y}"

    def period(self, tz: str) -> Period:
        return Period(self.first, self.end, tz)


def month_choices(db: Database, today: date) -> list[ReportMonth]:
    """The months a report can be made for, most recent complete month first (back to the first ticket).

    Tickets stored with an implausible time (before ``imports.earliest_date``, as an earlier version
    accepted) do not stretch the list back to year 1."""
    first = db.scalar("SELECT min(opened_at) FROM tickets WHERE opened_at >= ?", [earliest_accepted(db)])
    last = ReportMonth.last_complete(today)
    if first is None:
        return [last]
    oldest = min(ReportMonth.containing(first.astimezone(ZoneInfo(db.timezone)).date()), last)
    month, months = last, []
    while month >= oldest:
        months.append(month)
        month = month.previous
    return months


@dataclass
class MonthFigures:
    """Every section's figures for one month."""

    month: ReportMonth
    as_of: datetime       # when the figures were computed (decisions known by then)
    at_end: datetime      # the end of the month, or as_of while it is in progress (backlog, open escalations)
    sla: sections.SlaFigures
    tickets: sections.TicketFigures
    incidents: sections.IncidentFigures
    escalations: sections.EscalationFigures
    rca: sections.RcaFigures
    lockouts: sections.LockoutFigures
    rework: dict          # reopenings and first-contact resolution of the month's tickets (sla.reopenings.totals)
    satisfaction: dict    # surveys of the tickets resolved in the month (sla.satisfaction.totals)
    satisfaction_by_sla: pd.DataFrame  # the same per verdict of the resolution target (met, breached)


@dataclass(frozen=True)
class Headline:
    """A headline figure with the previous month's value; ``better`` is 'up', 'down' or '' (neutral)."""

    key: str
    label: str
    value: float | None
    previous: float | None
    unit: str = ""        # '' for counts, '%' for percentages
    better: str = ""
    detail: str = ""

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)


@dataclass
class MonthlyReport:
    """The report of one month: figures for it and the previous month, headlines, summary."""

    month: ReportMonth
    current: MonthFigures
    previous: MonthFigures
    headlines: list[Headline]
    summary: list[str]
    trend: pd.DataFrame       # compliance per month and measure over TREND_MONTHS (sla.monthly_trend)
    generated_at: datetime
    timezone: str

    @property
    def problems(self) -> dict[str, str]:
        """Sections left out because a query failed: section name -> reason."""
        found = {}
        for figures in (self.current, self.previous):
            for name in ("incidents", "escalations", "rca", "lockouts"):
                problem = getattr(figures, name).problem
                if problem:
                    found.setdefault(name, problem)
        return found

    @property
    def complete(self) -> bool:
        """False while the month is still in progress."""
        return self.current.at_end == self.month.period(self.timezone).bounds()[1]


def month_end_at(month: ReportMonth, tz: str, now: datetime) -> datetime:
    """The instant of a month's states (backlog, open escalations): its end, or ``now`` while it is in progress."""
    end = month.period(tz).bounds()[1]
    return min(end, now)


def _optional(empty, collect, db: Database, period, **kwargs):
    """A section from another domain; a failing query leaves it out with the reason, not the whole report."""
    try:
        return collect(db, period, **kwargs)
    except DatabaseError as exc:
        return empty(available=False, problem=str(exc).splitlines()[0])


def month_figures(db: Database, month: ReportMonth, *, now: datetime, detail: bool = True) -> MonthFigures:
    """Collect every section for one month, as it stood at its end (``detail``: breaches per company)."""
    period = month.period(db.timezone)
    as_of, at_end = now, month_end_at(month, db.timezone, now)
    surveys, by_sla = satisfaction.totals(db, period, as_of=as_of)
    return MonthFigures(
        month=month, as_of=as_of, at_end=at_end,
        sla=sections.sla_figures(db, period, as_of=as_of, with_companies=detail),
        tickets=sections.ticket_figures(db, period, at=at_end),
        incidents=_optional(sections.IncidentFigures, sections.incident_figures, db, period, as_of=as_of),
        escalations=_optional(sections.EscalationFigures, sections.escalation_figures, db, period, at=at_end),
        rca=_optional(sections.RcaFigures, sections.rca_figures, db, period, as_of=as_of),
        lockouts=_optional(sections.LockoutFigures, sections.lockout_figures, db, period),
        rework=reopenings.totals(db, period), satisfaction=surveys, satisfaction_by_sla=by_sla,
    )


def _compliance(sla: sections.SlaFigures, measure: str) -> float | None:
    part = sla.table[sla.table["measure"] == measure]
    met, breached = int(part["met"].sum()), int(part["breached"].sum())
    return sections.pct(met, met + breached)


def satisfaction_note(surveys: dict) -> str:
    """The headline's note: how many answered surveys scored 4 or 5, and the average score (none answered: says so)."""
    if not surveys["responses"]:
        return f"no survey answered on the {plural(surveys['resolved'], 'ticket')} resolved in the month"
    return (f"{surveys['satisfied']:,} of {plural(surveys['responses'], 'answered survey')} on tickets resolved in the month "
            f"scored {satisfaction.SATISFIED} or 5; average score {surveys['average_score']:.2f} of 5")


def headlines(cur: MonthFigures, prev: MonthFigures) -> list[Headline]:
    """The headline figures of the report, each with the previous month's value."""
    items = [
        Headline("response_pct", "Response compliance", _compliance(cur.sla, "response"),
                 _compliance(prev.sla, "response"), "%", "up", "all severities, met / decided"),
        Headline("resolution_pct", "Resolution compliance", _compliance(cur.sla, "resolution"),
                 _compliance(prev.sla, "resolution"), "%", "up", "all severities, met / decided"),
        Headline("breaches", "SLA breaches", cur.sla.breaches, prev.sla.breaches, "", "down",
                 f"{cur.sla.breaches_for('response')} response, {cur.sla.breaches_for('resolution')} resolution"),
        Headline("tickets", "Tickets opened", cur.tickets.tickets, prev.tickets.tickets, "", ""),
        Headline("backlog", "Backlog at month end", cur.tickets.backlog_total, prev.tickets.backlog_total, "",
                 "down", "tickets opened and not resolved at the end of the month"),
        Headline("reclassification", "E-mail raised above severity 4", cur.tickets.reclassification_pct,
                 prev.tickets.reclassification_pct, "%", "",
                 f"{cur.tickets.email_raised} of {cur.tickets.email} e-mail requests"),
        Headline("reopen_pct", "Reopen rate", cur.rework["reopen_pct"], prev.rework["reopen_pct"], "%", "down",
                 f"{cur.rework['reopened']} of {cur.rework['resolved_once']} tickets opened in the month and resolved "
                 "were reopened"),
        Headline("fcr_pct", "First-contact resolution", cur.rework["fcr_pct"], prev.rework["fcr_pct"], "%", "up",
                 f"{cur.rework['first_contact']} of {cur.rework['resolved']} resolved tickets opened in the month, "
                 "resolved within sla.fcr_window_minutes of the first response and never reopened"),
        Headline("satisfied_pct", "Customer satisfaction", cur.satisfaction["satisfied_pct"],
                 prev.satisfaction["satisfied_pct"], "%", "up", satisfaction_note(cur.satisfaction)),
    ]
    if cur.incidents.available:
        items.append(Headline("incidents", "Major incidents", cur.incidents.count, prev.incidents.count, "",
                              "down"))
    if cur.escalations.available:
        items.append(Headline("open_escalations", "Open escalations at month end", cur.escalations.open_total,
                              prev.escalations.open_total, "", "down",
                              f"{cur.escalations.raised} raised in the month"))
    if cur.rca.available:
        items.append(Headline("rcas_published", "RCAs published", cur.rca.get("rcas_published"),
                              prev.rca.get("rcas_published"), "", "",
                              f"{cur.rca.get('rcas_overdue_at_end')} RCAs overdue at month end"))
        items.append(Headline("actions_overdue", "Overdue RCA action items", cur.rca.get("action_items_overdue_at_end"),
                              prev.rca.get("action_items_overdue_at_end"), "", "down",
                              "action items past their due date and not done at the end of the month"))
    if cur.lockouts.available:
        items.append(Headline("lockouts", "Account lockouts", cur.lockouts.lockouts, prev.lockouts.lockouts, "",
                              "down", f"{cur.lockouts.get('users_locked')} users locked"))
        items.append(Headline("attacks", "Suspected attacks", cur.lockouts.suspected_attacks,
                              prev.lockouts.suspected_attacks, "", "down",
                              f"{cur.lockouts.get('attack_lockouts')} lockouts during suspected attacks"))
    return items


def build_report(db: Database, month: ReportMonth, *, now: datetime | None = None) -> MonthlyReport:
    """The full report for ``month`` (figures, headlines, summary), compared with the month before."""
    from analytics.reports.summary import summarise

    now = utc_now(now)
    first = month
    for _ in range(TREND_MONTHS - 1):
        first = first.previous
    # the two months and the trend side by side: each query runs on a cursor of its own, and DuckDB works
    # without holding Python's lock, so one part's queries run while another's results are shaped
    with ThreadPoolExecutor(3, thread_name_prefix="monthly-report") as pool:
        current_part = pool.submit(month_figures, db, month, now=now)
        previous_part = pool.submit(month_figures, db, month.previous, now=now, detail=False)
        trend_part = pool.submit(monthly_trend, db, Period(first.first, month.end, db.timezone), as_of=now)
        current, previous, trend = current_part.result(), previous_part.result(), trend_part.result()
    return MonthlyReport(month=month, current=current, previous=previous,
                         headlines=headlines(current, previous), summary=summarise(current, previous),
                         trend=trend, generated_at=now, timezone=db.timezone)
