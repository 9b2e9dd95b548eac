"""The written summary of the monthly report: sentences generated from the figures by rules.

Each rule is a pure function of two months' figures (plain numbers) that returns a
sentence or None when there is nothing worth saying. Nothing is invented: every
number in a sentence is one of the report's figures, and a change is only called a
change past the thresholds below. :func:`summarise` applies the rules to two
:class:`analytics.reports.monthly.MonthFigures`.
"""
from __future__ import annotations

from dataclasses import dataclass

COMPLIANCE_CHANGE_POINTS = 2.0    # compliance moving less than this (points) "held"
SHARE_CHANGE_POINTS = 1.0         # same for the e-mail reclassification rate
VOLUME_CHANGE_SHARE = 0.05        # ticket volume moving less than 5% is "stable"
CONCENTRATION_SHARE = 0.4         # one company with >= 40% of a cell's breaches is named
CONCENTRATION_MIN_BREACHES = 3
CHANNEL_NAMES = {"phone": "phone", "email": "e-mail", "portal": "the portal", "voicemail": "voicemail",
                 "remote_session": "remote sessions"}


@dataclass(frozen=True)
class Compliance:
    """One severity and measure in one month: counts, compliance and the company with most breaches."""

    met: int
    breached: int
    pct: float | None
    worst_company: str | None = None
    worst_company_breaches: int = 0


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def _breach_clause(cell: Compliance) -> str:
    """'(14 breaches, 9 of them for Acme)' — the company is named when it holds a large share."""
    if cell.breached == 0:
        return "(no breach)"
    text = plural(cell.breached, "breach", "breaches")
    if (cell.worst_company and cell.worst_company_breaches >= CONCENTRATION_MIN_BREACHES
            and cell.worst_company_breaches >= CONCENTRATION_SHARE * cell.breached):
        text += f", {cell.worst_company_breaches:,} of them for {cell.worst_company}"
    return f"({text})"


def compliance_sentence(severity: int, measure: str, before: Compliance, after: Compliance) -> str | None:
    """A sentence when a severity's compliance moved by at least COMPLIANCE_CHANGE_POINTS."""
    name = f"Severity {severity} {measure} compliance"
    if after.pct is None:
        return None
    if before.pct is None:
        return f"{name} was {after.pct:.1f}% {_breach_clause(after)}, with no decision the previous month."
    change = round(after.pct - before.pct, 1)
    if abs(change) < COMPLIANCE_CHANGE_POINTS:
        return None
    verb = "fell" if change < 0 else "rose"
    return f"{name} {verb} from {before.pct:.1f}% to {after.pct:.1f}% {_breach_clause(after)}."


def compliance_sentences(before: dict[tuple[int, str], Compliance],
                         after: dict[tuple[int, str], Compliance]) -> list[str]:
    """Falls first (largest first), then rises; one closing sentence for the cells that held."""
    moved, held = [], 0
    for key in after:  # the table's order: severity, then response before resolution
        cell, old = after[key], before.get(key, Compliance(0, 0, None))
        sentence = compliance_sentence(key[0], key[1], old, cell)
        if sentence:
            change = 0.0 if old.pct is None else cell.pct - old.pct
            moved.append((change, sentence))
        elif cell.pct is not None and old.pct is not None:
            held += 1
    lines = [s for _, s in sorted(moved, key=lambda item: item[0])]
    if held and moved:
        others = "remaining severity and measure" if held == 1 else f"other {held} severities and measures"
        lines.append(f"Compliance held within {COMPLIANCE_CHANGE_POINTS:g} points for the {others}.")
    elif held:
        lines.append(f"SLA compliance held within {COMPLIANCE_CHANGE_POINTS:g} points of the previous month "
                     "for every severity and measure.")
    return lines


def volume_sentence(before: dict[str, int], after: dict[str, int]) -> str:
    """Ticket volume: stable, or rose/fell by a share, with the channel that moved most."""
    total, old = sum(after.values()), sum(before.values())
    if old == 0:
        return f"{plural(total, 'ticket')} {'was' if total == 1 else 'were'} opened, with none the previous month."
    change = (total - old) / old
    if abs(change) < VOLUME_CHANGE_SHARE:
        return f"Ticket volume was stable: {plural(total, 'ticket')} opened ({old:,} the previous month)."
    verb = "rose" if change > 0 else "fell"
    order = list(CHANNEL_NAMES) + sorted((set(after) | set(before)) - set(CHANNEL_NAMES))
    deltas = {c: after.get(c, 0) - before.get(c, 0) for c in order if c in after or c in before}
    most = max(deltas.values()) if change > 0 else min(deltas.values())
    movers = [CHANNEL_NAMES.get(c, c) for c, d in deltas.items() if d == most]
    names = movers[0] if len(movers) == 1 else ", ".join(movers[:-1]) + " and " + movers[-1]
    each = "" if len(movers) == 1 else " each"
    return (f"Ticket volume {verb} {abs(change) * 100:.1f}% to {plural(total, 'ticket')} (from {old:,}); "
            f"{names} moved most ({most:+,}{each}).")


def backlog_sentence(before: int, after: int) -> str:
    """The backlog of open tickets at the end of the month against the month before."""
    if after == before:
        return f"The backlog at month end was unchanged at {plural(after, 'open ticket')}."
    verb = "grew" if after > before else "shrank"
    return f"The backlog at month end {verb} from {before:,} to {plural(after, 'open ticket')}."


def breaches_sentence(before: int, after: int, top_company: str | None, top_breaches: int) -> str:
    """SLA breaches against the previous month, naming the company with the most."""
    if after == 0:
        return f"No SLA breach this month ({before:,} the previous month)."
    if after == before:
        head = f"SLA breaches were unchanged at {after:,}"
    else:
        head = f"SLA breaches {'rose' if after > before else 'fell'} from {before:,} to {after:,}"
    tail = f"; {top_company} had the most ({top_breaches:,})" if top_company else ""
    return head + tail + "."


def reclassification_sentence(before_pct: float | None, after_pct: float | None, raised: int,
                              email: int) -> str | None:
    """The share of e-mail requests an agent raised above severity 4."""
    if after_pct is None:
        return None
    head = (f"Agents raised {after_pct:.1f}% of e-mail requests above severity 4 "
            f"({raised:,} of {email:,})")
    if before_pct is None:
        return head + "."
    change = round(after_pct - before_pct, 1)
    if abs(change) < SHARE_CHANGE_POINTS:
        return f"{head}, about the same as the previous month ({before_pct:.1f}%)."
    return f"{head}, {'up' if change > 0 else 'down'} from {before_pct:.1f}%."


def incidents_sentence(before: int, after: int, *, security: int, within_deadline: int, decided: int,
                       deadline_minutes: int, resolve_median_h: float | None) -> str:
    """Major incidents: how many, notification timeliness, time to resolve — or none."""
    if after == 0:
        return f"No major incidents this month ({before:,} the previous month)."
    text = f"{plural(after, 'major incident')} ({before:,} the previous month)"
    if security:
        text += f", {security:,} of them a security breach" if after > 1 else ", a security breach"
    parts = []
    if decided:
        parts.append(f"customers were notified within {deadline_minutes} minutes for {within_deadline:,} "
                     f"of {decided:,}")
    if resolve_median_h is not None:
        parts.append(f"median time to resolve {resolve_median_h:.1f} h")
    return text + (": " + ", ".join(parts) if parts else "") + "."


def escalations_sentence(before: int, after: int, *, highest_level: int | None, highest_name: str | None,
                         raised: int) -> str:
    """Open escalations at month end, the highest level reached, and how many were raised."""
    if after == 0:
        text = f"No escalation was open at month end ({before:,} a month earlier)"
    else:
        text = f"{plural(after, 'escalation')} open at month end ({before:,} a month earlier)"
        if highest_level is not None:
            text += f", the highest at level {highest_level} ({highest_name})"
    return text + f"; {plural(raised, 'escalation')} raised in the month."


def rca_sentence(*, published: int, published_before: int, overdue_rcas: int, requested: int, delivered: int,
                 due: int, closed_on_time: int, overdue: int) -> str:
    """RCAs published and overdue, customers' requests against deliveries, action items closed on time."""
    if not any((published, published_before, overdue_rcas, requested, delivered, due, overdue)):
        return "No RCA was published, requested or due this month."
    head = "No RCA" if published == 0 else plural(published, "RCA")
    first = f"{head} published ({published_before:,} the previous month)"
    if overdue_rcas:
        first += f", {plural(overdue_rcas, 'RCA')} overdue at month end"
    parts = [first]
    if requested or delivered:
        parts.append(f"customers requested {plural(requested, 'RCA')} and {delivered:,} "
                     f"{'was' if delivered == 1 else 'were'} delivered")
    if due:
        parts.append(f"{closed_on_time:,} of {plural(due, 'action item')} due closed on time")
    if overdue:
        parts.append(f"{plural(overdue, 'action item')} overdue at month end")
    return "; ".join(parts) + "."


def lockouts_sentence(before: int, after: int, *, outside_zone: int, attacks: int, attack_lockouts: int,
                      attack_kinds: dict[str, int]) -> str:
    """Account lockouts against the previous month, outside the trusted zone, and suspected attacks."""
    if after == 0:
        text = f"No account lockouts this month ({before:,} the previous month)"
    elif after == before:
        text = f"Account lockouts were unchanged at {after:,}"
    else:
        text = f"Account lockouts {'rose' if after > before else 'fell'} from {before:,} to {after:,}"
    if after and outside_zone:
        text += f" ({outside_zone:,} outside the trusted zone)"
    if attacks:
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(attack_kinds.items()))
        text += f"; {plural(attacks, 'suspected attack')} ({kinds})"
        text += (f" behind {plural(attack_lockouts, 'lockout')}" if attack_lockouts
                 else ", which locked no account")
    else:
        text += "; no suspected attack"
    return text + "."


# -- applying the rules to a report ------------------------------------------------
def _cells(sla) -> dict[tuple[int, str], Compliance]:
    cells = {}
    for severity, measure in zip(sla.table["severity"], sla.table["measure"]):
        value = sla.cell(int(severity), measure)
        company, count = sla.worst_company(int(severity), measure)
        cells[(int(severity), measure)] = Compliance(value["met"], value["breached"], value["compliance_pct"],
                                                     company, count)
    return cells


def summarise(cur, prev) -> list[str]:
    """Every rule applied to a month (``cur``) and the month before (``prev``), in reading order."""
    lines = compliance_sentences(_cells(prev.sla), _cells(cur.sla))
    top = cur.sla.top_companies
    lines.append(breaches_sentence(prev.sla.breaches, cur.sla.breaches,
                                   top["company"].iloc[0] if not top.empty else None,
                                   int(top["breaches"].iloc[0]) if not top.empty else 0))
    volume = lambda figures: dict(zip(figures.tickets.volume["channel"], figures.tickets.volume["tickets"]))
    lines.append(volume_sentence(volume(prev), volume(cur)))
    lines.append(backlog_sentence(prev.tickets.backlog_total, cur.tickets.backlog_total))
    lines.append(reclassification_sentence(prev.tickets.reclassification_pct, cur.tickets.reclassification_pct,
                                           cur.tickets.email_raised, cur.tickets.email))
    if cur.incidents.available:
        s = cur.incidents.stats
        lines.append(incidents_sentence(
            prev.incidents.count, cur.incidents.count, security=int(s.get("security_breaches") or 0),
            within_deadline=int(s.get("within_deadline") or 0), decided=int(s.get("notify_decided") or 0),
            deadline_minutes=cur.incidents.deadline_minutes, resolve_median_h=s.get("resolve_median_h")))
    if cur.escalations.available:
        levels = cur.escalations.open_by_level
        reached = levels[levels["open"] > 0]
        highest = reached.iloc[-1] if not reached.empty else None
        lines.append(escalations_sentence(
            prev.escalations.open_total, cur.escalations.open_total,
            highest_level=None if highest is None else int(highest["level"]),
            highest_name=None if highest is None else str(highest["level_name"]), raised=cur.escalations.raised))
    if cur.rca.available:
        r = cur.rca
        lines.append(rca_sentence(
            published=r.get("rcas_published"), published_before=prev.rca.get("rcas_published"),
            overdue_rcas=r.get("rcas_overdue_at_end"),
            requested=r.get("requests_received"), delivered=r.get("requests_delivered"),
            due=r.get("action_items_due"), closed_on_time=r.get("action_items_closed_on_time"),
            overdue=r.get("action_items_overdue_at_end")))
    if cur.lockouts.available:
        lk = cur.lockouts
        kinds = ({} if lk.attacks.empty else
                 lk.attacks["kind"].astype(str).str.split(" (", regex=False).str[0].value_counts().to_dict())
        lines.append(lockouts_sentence(prev.lockouts.lockouts, lk.lockouts, outside_zone=lk.get("outside_zone"),
                                       attacks=lk.suspected_attacks, attack_lockouts=lk.get("attack_lockouts"),
                                       attack_kinds=kinds))
    return [line for line in lines if line]
