"""Settings: one declarative table of every rule that is a number or a list, and what a value must be.

Each setting has a name, a default taken from DOMAIN.md and a one-line help. An
administrator's override is stored in the ``settings`` table (JSON) and audited;
reading a setting falls back to its default. SLA targets and business calendars
are data too, in their own tables (see ``analytics/sla_targets.py`` and
``analytics/sla/calendars.py``). The README lists every setting, a test checks it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from analytics.kernel.addresses import valid_address


@dataclass(frozen=True)
class Setting:
    """One setting; a number has the range it may take (``low`` to ``high``, whole when the default is)."""

    name: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    integer: bool | None = None  # None: whole when the default is an int

    @property
    def numeric(self) -> bool:
        return isinstance(self.default, (int, float)) and not isinstance(self.default, bool)

    @property
    def whole(self) -> bool:
        if self.integer is not None:
            return self.integer
        return isinstance(self.default, int) and not isinstance(self.default, bool)

    def range_text(self) -> str:
        """'a whole number from 1 to 100' and the like (empty when not a number)."""
        if not self.numeric:
            return ""
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low:g} to {self.high:g}"


SETTINGS: tuple[Setting, ...] = (
    Setting("sla.at_risk_share", 0.75,
            "Share of a target used from which an open ticket is 'at risk'.", low=0.05, high=1),
    Setting("sla.pause_statuses", [],
            "Ticket statuses that stop the resolution clock (e.g. Awaiting User Info); empty: no pauses."),
    Setting("sla.next_to_breach_hours", 4,
            "Working hours left to a deadline within which an open measure is listed as next to breach.",
            low=0.25, high=240, integer=False),
    Setting("sla.fcr_window_minutes", 10,
            "Minutes after its first response within which a ticket resolved (and never reopened) counts as resolved "
            "at first contact; 0: resolved at the first response itself.", low=0, high=1440),
    Setting("sla.email_default_severity", 4,
            "Severity given to e-mail and voicemail requests that arrive without one.", low=1, high=4),
    Setting("escalation.chain",
            ["Customer support", "Support supervisor", "Senior manager", "Director", "Senior director"],
            "The escalation chain, called in order (level 1 first)."),
    Setting("escalation.contacts", {},
            "Name, phone and e-mail per level of the chain (configuration only, never demo data); a level with an "
            "e-mail is sent the reminder of an escalation left unacknowledged at the level below."),
    Setting("escalation.ack_hours", 4,
            "Hours after which an unacknowledged escalation is flagged for the next level.", low=0.25, high=720,
            integer=False),
    Setting("escalation.repeat_threshold", 3,
            "Escalations in a period from which a customer counts as escalating repeatedly.", low=2, high=1000),
    Setting("incident.notify_target_minutes", 20,
            "Minutes after the impact is defined by which the first customer notice should go out.", low=1, high=1440),
    Setting("incident.notify_deadline_minutes", 30,
            "Minutes after the impact is defined by which the first customer notice must have gone out.", low=1, high=1440),
    Setting("incident.status_update_minutes", 60,
            "Minutes between periodic status reports to customers until resolution.", low=5, high=1440),
    Setting("rca.overdue_days", 10,
            "Days after resolution beyond which an incident without a published RCA is overdue.", low=1, high=365),
    Setting("rca.root_cause_categories",
            ["software defect", "change/deployment", "capacity", "third-party software",
             "customer infrastructure", "network", "security", "human error", "unknown"],
            "Taxonomy of root-cause categories offered in post-incident reviews."),
    Setting("rca.recurrence_days", 90,
            "Days within which the same root-cause category on the same platform counts as a recurrence.", low=1, high=3650),
    Setting("lockout.threshold", 6,
            "Failed logins in a row after which the account is locked.", low=1, high=100),
    Setting("lockout.base_delay_seconds", 2,
            "Delay imposed after the first failed login.", low=0, high=3600, integer=False),
    Setting("lockout.delay_growth", 2.0,
            "Factor by which the delay grows with each further failure.", low=1, high=10),
    Setting("lockout.max_delay_seconds", 300,
            "Cap on the delay between two login attempts.", low=0, high=86400, integer=False),
    Setting("lockout.trusted_zone", ["10.0.0.0/8", "192.168.0.0/16", "2001:db8:100::/48"],
            "IP ranges (CIDR) of the trusted zone."),
    Setting("lockout.inactivity_minutes_inside", 60,
            "Inactivity timeout inside the trusted zone, in minutes.", low=1, high=1440),
    Setting("lockout.inactivity_minutes_outside", 15,
            "Inactivity timeout outside the trusted zone, in minutes.", low=1, high=1440),
    Setting("lockout.attack_accounts_per_ip", 5,
            "Accounts failing from one IP address in a day from which the address is a suspected attack.", low=2, high=10000),
    Setting("lockout.attack_fast_failures", 3,
            "Failures of one account in a day faster than the delay policy allows from which it is a suspected attack.",
            low=1, high=1000),
    Setting("imports.earliest_date", "1990-01-01",
            "Tickets with a time before this date (YYYY-MM-DD) are rejected by an import as implausible."),
    Setting("support.phone_hours_calendar", "Business hours (Paris)",
            "Calendar of phone-support hours (Mon-Fri 09:00-18:00 Paris by default)."),
    Setting("auth.roles_claim", "groups",
            "Identity-provider claim whose values map to Vigie roles."),
    Setting("auth.role_map",
            {"vigie-managers": ["manager"], "vigie-supervisors": ["supervisor"],
             "vigie-leadership": ["leadership"], "vigie-admins": ["admin"]},
            "Claim value -> Vigie roles (manager, supervisor, leadership, admin)."),
    Setting("notices.template_notification",
            {"subject": "[{reference}] Service disruption: {title}",
             "body": "Dear {customer} administrators,\n\nWe are experiencing a severity {severity} incident, "
                     "{reference}: {title}.\n\nImpact: {impact}\n\nOur teams are working on it. "
                     "Next update by {next_update}.\n\nTechnical support"},
            "Template of the first customer notice of an incident (placeholders: {reference}, {title}, "
            "{severity}, {impact}, {status}, {next_update}, {customer})."),
    Setting("notices.template_status_update",
            {"subject": "[{reference}] Status report: {title}",
             "body": "Dear {customer} administrators,\n\nStatus of incident {reference} ({title}): {status}."
                     "\n\nImpact: {impact}\n\nNext update by {next_update}.\n\nTechnical support"},
            "Template of a periodic status report (same placeholders)."),
    Setting("notices.template_resolution",
            {"subject": "[{reference}] Resolved: {title}",
             "body": "Dear {customer} administrators,\n\nIncident {reference} ({title}) is resolved. "
                     "A root-cause analysis is available on request.\n\nTechnical support"},
            "Template of the resolution notice (same placeholders)."),
    Setting("notices.rate_limit_per_run", 50,
            "Messages one delivery run hands to the mail server at most; the rest wait for the next run.",
            low=1, high=10000),
    Setting("notices.max_attempts", 6,
            "Delivery attempts of a message before it is given up as failed (retried after 1, 2, 4 ... minutes).",
            low=1, high=50),
    Setting("notices.delivery_interval_seconds", 60,
            "Seconds between two delivery runs of the server's outbox worker (when a provider is configured).",
            low=5, high=3600),
    Setting("reports.monthly_recipients", [],
            "Addresses the monthly report (PDF) is e-mailed to each month; empty: not sent."),
    Setting("reports.monthly_day", 1,
            "Day of the month (deployment time zone) the monthly report of the month before is e-mailed.",
            low=1, high=28),
    Setting("reports.monthly_hour", 8,
            "Hour of that day (0-23, deployment time zone) from which the monthly report is e-mailed.",
            low=0, high=23),
    Setting("auth.allow_public_local_mode", False,
            "Allow the local single-user mode (no identity provider) on a non-loopback address."),
)

BY_NAME = {s.name: s for s in SETTINGS}


class SettingError(ValueError):
    """An unknown setting or a value of the wrong shape."""


def check_value(name: str, value: Any) -> Any:
    """The value in the setting's type, or SettingError: a type that differs from the default's, a
    number that is not finite, not whole where it must be, or outside the setting's range."""
    if name not in BY_NAME:
        raise SettingError(f"Unknown setting {name!r}")
    setting = BY_NAME[name]
    default = setting.default
    if isinstance(default, bool) != isinstance(value, bool):
        raise SettingError(f"{name} must be true or false")
    if setting.numeric:
        if not isinstance(value, (int, float)) or not math.isfinite(value) or not setting.low <= value <= setting.high \
                or (setting.whole and float(value) != int(value)):
            raise SettingError(f"{name} must be {setting.range_text()}; {_shown(value)} is not")
        if setting.whole or (isinstance(setting.default, int) and float(value).is_integer()):
            return int(value)  # 4 hours stays 4, as the default is written
        return float(value)
    if not isinstance(value, type(default)):
        raise SettingError(f"{name} must be a {type(default).__name__}")
    if name.startswith("notices.template_"):
        _check_template(name, value)
    if name == "escalation.contacts":
        for level, contact in value.items():
            email = contact.get("email") if isinstance(contact, dict) else None
            if email is not None and not (isinstance(email, str) and valid_address(email.strip())):
                raise SettingError(f"{name}: the e-mail of {_shown(str(level))} must be one plain address "
                                   f"(name@domain); {_shown(email)} is not")
    if name == "reports.monthly_recipients":
        bad = [a for a in value if not valid_address(a)]
        if bad:
            raise SettingError(f"{name} must be plain e-mail addresses (name@domain); {_shown(bad[0])} is not")
        return [a for i, a in enumerate(value) if a not in value[:i]]
    return value


def _check_template(name: str, value: dict) -> None:
    """A notice template is ``{"subject": text, "body": text}``, both given."""
    if set(value) != {"subject", "body"} or not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise SettingError(f'{name} must be {{"subject": "...", "body": "..."}} with both texts given')


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."
