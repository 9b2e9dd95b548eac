"""Words for codes: the one table a page reads to show a stored code (a channel, a status, a reason) as a word.

Every vocabulary of codes that reaches a table is listed here once, keyed by its name
(``"channel"``, ``"incident_status"``, ...), from the domains' own label maps where they have
one, each label starting with a capital. :func:`code_label` turns a value of a vocabulary into
its label (an empty value into a dash, an unknown code into itself with its underscores as
spaces, so that a code added later still reads as words); :func:`plural` writes "1 suspected
attack" and "2 suspected attacks". ``tests/test_tables_read_as_words.py`` fails on a cell that
still shows a code listed here.
"""
from __future__ import annotations

from collections.abc import Mapping

from analytics.escalations.rules import REASON_CODES
from analytics.incidents.rules import STATUS_LABELS as INCIDENT_STATUS_LABELS
from analytics.incidents.rules import STEP_LABELS
from analytics.rca.rules import ACTION_STATUS_LABELS
from analytics.rca.rules import STATUS_LABELS as RCA_STATUS_LABELS
from ui.text import DASH


def _capitalised(labels: Mapping[str, str]) -> dict[str, str]:
    return {code: label[:1].upper() + label[1:] for code, label in labels.items()}


VOCABULARIES: dict[str, dict[str, str]] = {
    "channel": {"phone": "Phone", "email": "E-mail", "portal": "Portal", "voicemail": "Voicemail",
                "remote_session": "Remote session"},
    "measure": {"response": "Response", "resolution": "Resolution"},
    "sla_state": {"met": "Met", "breached": "Breached", "pending": "Pending", "at_risk": "At risk"},
    "target_unit": {"minutes": "Minutes", "hours": "Hours (24/7 clock)", "business_days": "Business days"},
    "incident_status": _capitalised(INCIDENT_STATUS_LABELS),
    "incident_step": _capitalised(STEP_LABELS),
    "notification_kind": {"notification": "Customer notification", "status_update": "Status update"},
    "reason_code": _capitalised(REASON_CODES),
    "rca_status": _capitalised(RCA_STATUS_LABELS),
    "action_status": _capitalised(ACTION_STATUS_LABELS),
    "attack_kind": {"spray": "Password spray", "burst": "Fast failures"},  # ATTACK_KINDS' patterns, in short
    "escalation_event": {"raised": "Raised", "acknowledged": "Acknowledged", "escalated": "Escalated further",
                         "resolved": "Resolved", "reminder": "Reminder to the next level"},
    "audit_action": {},  # "escalation.raise" reads "Escalation: raise"
    "zone": {"inside": "Inside the trusted zone", "outside": "Outside the trusted zone"},
    "ticket_event": {"status": "Status changed", "reassigned": "Reassigned", "severity": "Severity changed",
                     "reopened": "Reopened", "opened": "Opened", "response": "First response",
                     "resolved": "Resolved", "closed": "Closed"},
    "file_format": {"csv": "CSV", "xlsx": "Excel workbook", "parquet": "Parquet", "xes": "XES event log"},
    "delimiter": {",": "Comma", ";": "Semicolon", "\t": "Tab", "|": "Vertical bar"},
    "role": {"manager": "Manager", "supervisor": "Supervisor", "leadership": "Leadership", "admin": "Administrator"},
    "resolution_code": {"third_party_software": "Third-party software", "third-party software": "Third-party software",
                        "customer_infrastructure": "Customer infrastructure",
                        "customer infrastructure": "Customer infrastructure"},
    "job": {"monthly_report": "Monthly report", "escalation_reminder": "Escalation reminder"},
    "job_outcome": {"done": "Done", "failed": "Failed"},
    "track": {"impact": "Impact", "notification": "Notification", "investigation": "Investigation",
              "lifecycle": "Status"},
}


def code_label(value: object, vocabulary: str) -> str:
    """The word for ``value``, a code of ``vocabulary`` (a dash when empty)."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return DASH
    text = str(value)
    labels = VOCABULARIES[vocabulary]
    if text in labels:
        return labels[text]
    words = text.replace("_", " ").replace(".", ": ")
    return words[:1].upper() + words[1:]


def known_codes() -> set[str]:
    """Every code whose stored form is not already its word (what a table must never show)."""
    return {code for labels in VOCABULARIES.values() for code, label in labels.items()
            if code.casefold() != label.casefold()}


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` with its noun, in the singular for exactly one: "1 suspected attack", "2 suspected attacks"."""
    noun = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {noun}"
