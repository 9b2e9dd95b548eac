"""The rules of e-mail notices, as pure functions: who may send, safe headers, templates, backoff.

- **Headers cannot be injected.** A subject is one line: every CR, LF and other line or
  paragraph separator in it becomes a space before it is stored or sent. A recipient is one
  plain address (``local@domain``): anything with a line break, a comma, angle brackets, quotes
  or spaces is refused, so no text can add a header or a recipient. Letters of any script are
  allowed (``inès.martin@...``: sent with SMTPUTF8 when the server offers it, refused otherwise).
- **Bodies are text.** The plain body is what the template produced; the HTML alternative is
  the same text with every character HTML-escaped (``html.escape``), line breaks kept.
- **Templates** are settings (``notices.template_*``: ``{"subject": ..., "body": ...}``) with the
  placeholders of :data:`PLACEHOLDERS`; only those names are replaced, anything else in braces
  stays as typed (a template is never run as a format string).
- **Backoff**: a failed attempt that may succeed later (connection refused, a 4xx reply) is
  retried after 1, 2, 4, 8... minutes, capped at an hour, up to ``notices.max_attempts``.
"""
from __future__ import annotations

import html
import re
from datetime import timedelta

from analytics.kernel.addresses import valid_address
from analytics.kernel.roles import ADMIN, SUPERVISOR

ACT_ROLES = (SUPERVISOR, ADMIN)   # who queues customer notices (as who records them by hand)
ADMIN_ROLES = (ADMIN,)            # who sends a test message from the Settings page
PURPOSES = ("notification", "status_update", "resolution")
PURPOSE_LABELS = {"notification": "First notice", "status_update": "Status report",
                  "resolution": "Resolution notice"}
TEMPLATE_SETTINGS = {"notification": "notices.template_notification",
                     "status_update": "notices.template_status_update",
                     "resolution": "notices.template_resolution"}
PLACEHOLDERS = ("reference", "title", "severity", "impact", "status", "next_update", "customer")
SUBJECT_MAX = 200
BODY_MAX = 5000
BACKOFF_CAP = timedelta(hours=1)

# Any character that ends a line for a mail header or for Python's str.splitlines().
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

# Domains reserved for examples and tests (RFC 2606, RFC 6761): the demo's contacts live there.
RESERVED_DOMAINS = ("example", "test", "invalid", "localhost", "example.com", "example.net", "example.org")


def one_line(text: str) -> str:
    """``text`` on one line: every line break becomes a space, runs of spaces one, ends trimmed."""
    return re.sub(r"[ \t]+", " ", LINE_BREAKS.sub(" ", text or "")).strip()


def reserved_domain(address: str) -> bool:
    """Whether an address belongs to a domain reserved for examples (never a real mailbox)."""
    domain = address.rpartition("@")[2].lower()
    return any(domain == d or domain.endswith("." + d) for d in RESERVED_DOMAINS)


def render(template: str, values: dict[str, str]) -> str:
    """The template with each known placeholder replaced by its value (others left as typed)."""
    return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), template or "")


def html_body(text: str) -> str:
    """The HTML alternative of a plain body: every character escaped, paragraphs and line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").replace("\r", "\n").strip())
    inner = "\n".join("<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs if p)
    return f'<!DOCTYPE html>\n<html><body style="font-family: sans-serif">\n{inner}\n</body></html>\n'


def validate_message(*, subject: str, body: str, recipients: list[str]) -> dict[str, str]:
    """One message per invalid field of a message about to be queued."""
    errors: dict[str, str] = {}
    if not one_line(subject):
        errors["subject"] = "Give the message a subject."
    elif len(one_line(subject)) > SUBJECT_MAX:
        errors["subject"] = f"The subject may have at most {SUBJECT_MAX} characters."
    if not (body or "").strip():
        errors["body"] = "Write the text of the message."
    elif len(body) > BODY_MAX:
        errors["body"] = f"The text may have at most {BODY_MAX} characters."
    bad = [a for a in recipients if not valid_address(a)]
    if not recipients:
        errors["recipients"] = "No recipient: the customer has no contact with an e-mail address."
    elif bad:
        errors["recipients"] = f"Not a plain e-mail address: {bad[0]!r}."
    return errors


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4 ... minutes, capped at an hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def permanent(code: int | None) -> bool:
    """Whether an SMTP reply code says the message will never be accepted as it is (5xx)."""
    return code is not None and 500 <= code < 600


def delivery_state_sql(alias: str = "o") -> str:
    """SQL text of an outbox row's delivery in words: 'to: accepted by the mail server', queued, or failed with
    the server's reply (the timelines of incidents and escalations, the RCA requests)."""
    return (f"array_to_string({alias}.recipients, ', ') || ': ' || CASE {alias}.status "
            f"WHEN 'accepted' THEN 'accepted by the mail server' "
            f"WHEN 'failed' THEN 'failed (' || coalesce({alias}.last_reply, 'no reply') || ')' "
            f"ELSE 'queued, not delivered yet' END")
