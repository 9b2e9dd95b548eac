"""The tables of the monthly report, formatted once for the page, the HTML file and the PDF.

Each function turns a :class:`analytics.reports.monthly.MonthlyReport` into a small
DataFrame of display strings, the month beside the previous month with the change,
so every output shows exactly the same text.
"""
from __future__ import annotations

import pandas as pd

from analytics.reports.monthly import Headline, MonthlyReport
from analytics.reports.sections import CHANNEL_LABELS

DASH = "–"


def format_value(value, unit: str = "", decimals: int = 1) -> str:
    """A count with thousands separators, or a percentage with one decimal; a dash for no value."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return DASH
    if unit == "%":
        return f"{float(value):.1f}%"
    if unit:
        return f"{float(value):.{decimals}f} {unit}"
    return f"{int(value):,}"


def format_change(value, previous, unit: str = "") -> str:
    """'+1.2 pts' for percentages, '+15' for counts, a dash when either side is missing."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous):
        return DASH
    if unit == "%":
        return f"{float(value) - float(previous):+.1f} pts"
    if unit:
        return f"{float(value) - float(previous):+.1f} {unit}"
    return f"{int(value) - int(previous):+,}"


def change_tone(headline: Headline) -> str:
    """'better', 'worse' or '' for a headline's change, from the direction that is good."""
    change = headline.change
    if not change or not headline.better:
        return ""
    return "better" if (change > 0) == (headline.better == "up") else "worse"


def headline_table(report: MonthlyReport) -> pd.DataFrame:
    """Figure, this month, previous month, change."""
    return pd.DataFrame({
        "figure": [h.label for h in report.headlines],
        report.month.short: [format_value(h.value, h.unit) for h in report.headlines],
        report.month.previous.short: [format_value(h.previous, h.unit) for h in report.headlines],
        "change": [format_change(h.value, h.previous, h.unit) for h in report.headlines],
    })


def sla_table(report: MonthlyReport) -> pd.DataFrame:
    """Per severity and measure: target, met, breached, compliance this month and the previous one."""
    cur, prev = report.current.sla.table, report.previous.sla.table
    merged = cur.merge(prev[["severity", "measure", "compliance_pct"]], on=["severity", "measure"],
                       how="left", suffixes=("", "_prev"))
    return pd.DataFrame({
        "severity": merged["severity"].astype(str), "measure": merged["measure"], "target": merged["target"],
        "met": [format_value(v) for v in merged["met"]], "breached": [format_value(v) for v in merged["breached"]],
        report.month.short: [format_value(v, "%") for v in merged["compliance_pct"]],
        report.month.previous.short: [format_value(v, "%") for v in merged["compliance_pct_prev"]],
        "change": [format_change(a, b, "%") for a, b in zip(merged["compliance_pct"], merged["compliance_pct_prev"])],
    })


VERDICT_LABELS = {"met": "Met", "breached": "Breached"}
ALL_RESOLVED = "All tickets resolved in the month"


def _verdict_rows(figures) -> dict[str, dict]:
    """Met, breached and all resolved tickets of one month: their satisfaction figures (None: no ticket)."""
    rows = {r["resolution_sla"]: r for r in figures.satisfaction_by_sla.to_dict("records")}
    return {**{VERDICT_LABELS[k]: rows.get(k, {}) for k in VERDICT_LABELS}, ALL_RESOLVED: figures.satisfaction}


def satisfaction_table(report: MonthlyReport) -> pd.DataFrame:
    """Satisfaction of the tickets resolved in the month whose resolution target was met, breached, and of all:
    tickets resolved, answered surveys, average score, the share satisfied (4 or 5) in both months, change."""
    cur, prev = _verdict_rows(report.current), _verdict_rows(report.previous)
    get = lambda rows, label, key: None if rows[label].get(key) is None or pd.isna(rows[label][key]) else rows[label][key]
    labels = list(cur)
    return pd.DataFrame({
        "resolution target": labels,
        "resolved": [format_value(get(cur, k, "resolved") or 0) for k in labels],
        "answered surveys": [format_value(get(cur, k, "responses") or 0) for k in labels],
        "average score (1-5)": [DASH if get(cur, k, "average_score") is None else f"{get(cur, k, 'average_score'):.2f}"
                                for k in labels],
        report.month.short: [format_value(get(cur, k, "satisfied_pct"), "%") for k in labels],
        report.month.previous.short: [format_value(get(prev, k, "satisfied_pct"), "%") for k in labels],
        "change": [format_change(get(cur, k, "satisfied_pct"), get(prev, k, "satisfied_pct"), "%") for k in labels],
    })


def _compare(cur: pd.DataFrame, prev: pd.DataFrame, key: str, value: str, report: MonthlyReport,
             label) -> pd.DataFrame:
    merged = cur.merge(prev[[key, value]], on=key, how="left", suffixes=("", "_prev")).fillna({f"{value}_prev": 0})
    return pd.DataFrame({
        key: [label(k) for k in merged[key]],
        report.month.short: [format_value(v) for v in merged[value]],
        report.month.previous.short: [format_value(v) for v in merged[f"{value}_prev"]],
        "change": [format_change(a, b) for a, b in zip(merged[value], merged[f"{value}_prev"])],
    })


def volume_table(report: MonthlyReport) -> pd.DataFrame:
    """Tickets opened per channel, with the total."""
    cur, prev = report.current.tickets, report.previous.tickets
    table = _compare(cur.volume, prev.volume, "channel", "tickets", report, lambda c: CHANNEL_LABELS.get(c, c))
    total = pd.DataFrame({"channel": ["Total"], report.month.short: [format_value(cur.tickets)],
                          report.month.previous.short: [format_value(prev.tickets)],
                          "change": [format_change(cur.tickets, prev.tickets)]})
    return pd.concat([table, total], ignore_index=True)


def backlog_table(report: MonthlyReport) -> pd.DataFrame:
    """Open tickets per severity at the end of the month and of the previous month."""
    cur, prev = report.current.tickets, report.previous.tickets
    table = _compare(cur.backlog, prev.backlog, "severity", "open", report, lambda s: f"Severity {s}")
    total = pd.DataFrame({"severity": ["Total"], report.month.short: [format_value(cur.backlog_total)],
                          report.month.previous.short: [format_value(prev.backlog_total)],
                          "change": [format_change(cur.backlog_total, prev.backlog_total)]})
    return pd.concat([table, total], ignore_index=True)


def reclassification_table(report: MonthlyReport) -> pd.DataFrame:
    """E-mail requests, those an agent raised above severity 4, and the rate, for both months."""
    rows = []
    for month, figures in ((report.month, report.current), (report.month.previous, report.previous)):
        t = figures.tickets
        rows.append({"month": month.label, "e-mail requests": format_value(t.email),
                     "raised above severity 4": format_value(t.email_raised),
                     "reclassification rate": format_value(t.reclassification_pct, "%")})
    return pd.DataFrame(rows)


def top_companies_table(report: MonthlyReport) -> pd.DataFrame:
    """The five companies with the most breaches this month."""
    top = report.current.sla.top_companies
    return pd.DataFrame({"rank": [str(i) for i in range(1, len(top) + 1)], "company": top["company"],
                         "response breaches": [format_value(v) for v in top["response"]],
                         "resolution breaches": [format_value(v) for v in top["resolution"]],
                         "breaches": [format_value(v) for v in top["breaches"]]})


INCIDENT_FIGURES = (  # label, key in incident_stats.figures, unit
    ("Major incidents", "incidents", ""), ("Security breaches", "security_breaches", ""),
    ("Notified within the target", "within_target_pct", "%"),
    ("Notified within the deadline", "within_deadline_pct", "%"),
    ("Median time to notify", "notify_median_min", "min"), ("Median time to resolve", "resolve_median_h", "h"),
    ("MTTA (detection to acknowledgement)", "mtta_min", "min"), ("MTTR (detection to resolution)", "mttr_h", "h"),
)


def incident_figures_table(report: MonthlyReport) -> pd.DataFrame:
    """The incidents page's figures for both months."""
    cur, prev = report.current.incidents.stats, report.previous.incidents.stats
    return pd.DataFrame({
        "figure": [label for label, _, _ in INCIDENT_FIGURES],
        report.month.short: [format_value(cur.get(k), u) for _, k, u in INCIDENT_FIGURES],
        report.month.previous.short: [format_value(prev.get(k), u) for _, k, u in INCIDENT_FIGURES],
        "change": [format_change(cur.get(k), prev.get(k), u) for _, k, u in INCIDENT_FIGURES],
    })


def incidents_table(report: MonthlyReport) -> pd.DataFrame:
    """The month's major incidents with their notification and resolution times."""
    inc = report.current.incidents.incidents
    if inc.empty:
        return pd.DataFrame(columns=["reference", "title", "severity", "started", "to notify", "notice",
                                     "to resolve", "status"])
    started = pd.to_datetime(inc["started_at"]).dt.tz_convert(report.timezone).dt.strftime("%d %b %H:%M")
    return pd.DataFrame({
        "reference": inc["reference"], "title": inc["title"], "severity": inc["severity"].astype(str),
        "started": started, "to notify": [format_value(v, "min", 0) for v in inc["minutes_to_notify"]],
        "notice": ["late" if late else ("on time" if pd.notna(m) else DASH)
                   for late, m in zip(inc["notified_late"].fillna(False), inc["minutes_to_notify"])],
        "to resolve": [format_value(v, "h") for v in inc["hours_to_resolve"]],
        "status": inc["status"].str.replace("_", " "),
    })


def escalations_table(report: MonthlyReport) -> pd.DataFrame:
    """Escalations open at the end of each month, per level."""
    cur, prev = report.current.escalations.open_by_level, report.previous.escalations.open_by_level
    table = _compare(cur, prev, "level", "open", report, str)
    table.insert(1, "level name", cur["level_name"].tolist())
    return table


RCA_FIGURES = (  # label, key in rca_stats.rca_month_figures, unit
    ("RCAs published", "rcas_published", ""),
    ("RCAs due in the month", "rcas_due", ""), ("of which published on time", "rcas_due_published_on_time", ""),
    ("RCAs overdue at month end", "rcas_overdue_at_end", ""),
    ("RCA requests from customers", "requests_received", ""), ("RCAs delivered to customers", "requests_delivered", ""),
    ("Requests open at month end", "requests_open_at_end", ""),
    ("Median days to deliver", "median_days_to_deliver", "days"),
    ("Action items due", "action_items_due", ""), ("closed on time", "action_items_closed_on_time", ""),
    ("Action items closed on time", "action_items_on_time_pct", "%"),
    ("Action items overdue at month end", "action_items_overdue_at_end", ""),
)

LOCKOUT_FIGURES = (  # label, key in login_stats.overview, unit
    ("Failed logins", "failures", ""), ("Account lockouts", "lockouts", ""), ("Users locked", "users_locked", ""),
    ("Lockouts outside the trusted zone", "outside_zone", ""),
    ("Lockouts outside phone-support hours", "off_hours", ""),
    ("Lockouts during suspected attacks", "attack_lockouts", ""),
    ("Unlocks by an administrator", "unlocks", ""), ("Passwords regenerated", "regenerations", ""),
    ("Median hours to release (ordinary lockouts)", "median_release_h", "h"),
    ("Login-related tickets", "login_tickets", ""),
)


def _figure_rows(spec, cur: dict, prev: dict, report: MonthlyReport) -> pd.DataFrame:
    value = lambda d, k: None if d.get(k) is None or pd.isna(d.get(k)) else d.get(k)
    return pd.DataFrame({
        "figure": [label for label, _, _ in spec],
        report.month.short: [format_value(value(cur, k), u) for _, k, u in spec],
        report.month.previous.short: [format_value(value(prev, k), u) for _, k, u in spec],
        "change": [format_change(value(cur, k), value(prev, k), u) for _, k, u in spec],
    })


def rca_table(report: MonthlyReport) -> pd.DataFrame:
    """The RCA page's month figures for both months."""
    return _figure_rows(RCA_FIGURES, report.current.rca.figures, report.previous.rca.figures, report)


def lockout_table(report: MonthlyReport) -> pd.DataFrame:
    """The login page's overview for both months, with the suspected attacks."""
    cur, prev = report.current.lockouts, report.previous.lockouts
    table = _figure_rows(LOCKOUT_FIGURES, cur.overview, prev.overview, report)
    attacks = pd.DataFrame({"figure": ["Suspected attacks"], report.month.short: [format_value(cur.suspected_attacks)],
                            report.month.previous.short: [format_value(prev.suspected_attacks)],
                            "change": [format_change(cur.suspected_attacks, prev.suspected_attacks)]})
    return pd.concat([table.iloc[:6], attacks, table.iloc[6:]], ignore_index=True)


def attacks_table(report: MonthlyReport) -> pd.DataFrame:
    """The month's suspected attacks: kind, source, day, accounts, failures, lockouts."""
    attacks = report.current.lockouts.attacks
    if attacks.empty:
        return pd.DataFrame(columns=["day", "kind", "source", "accounts", "failures", "lockouts"])
    return pd.DataFrame({"day": pd.to_datetime(attacks["day"]).dt.strftime("%d %b"), "kind": attacks["kind"],
                         "source": attacks["source"], "accounts": [format_value(v) for v in attacks["accounts"]],
                         "failures": [format_value(v) for v in attacks["failures"]],
                         "lockouts": [format_value(v) for v in attacks["lockouts"]]})
