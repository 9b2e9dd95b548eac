"""The SMTP provider: its configuration and one message handed to it, with Python's ``smtplib``.

Configuration: the ``[smtp]`` table of ``.streamlit/secrets.toml`` (``host``, ``port``,
``security`` = ``starttls`` | ``tls`` | ``none``, ``ca_file``, ``user``, ``password``, ``sender``; see
``.streamlit/secrets.toml.example``). For the command line and tests the same keys may come from
the environment instead (``VIGIE_SMTP_HOST``, ``VIGIE_SMTP_PORT``, ...); when ``VIGIE_SMTP_HOST``
is set, the environment is used and the file is not read. No host: no provider, nothing is sent.

:func:`send` builds the message with ``email.message.EmailMessage`` (the plain text always,
its escaped HTML alternative), then talks to the server step by step so that the server's own
reply to the message (``250 ...``) is what gets stored.
"""
from __future__ import annotations

import os
import smtplib
import ssl
import tomllib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from analytics.kernel.times import utc_now
from analytics.notices.rules import one_line, valid_address

SECRETS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "secrets.toml"
SECURITY = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
TIMEOUT_SECONDS = 20
# CRLF line ends (smtplib sends bytes as they are); headers folded only past RFC 5322's hard limit,
# so that a one-line subject reads back as written.
MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)


class NotConfigured(RuntimeError):
    """No SMTP provider is configured (or its configuration is unusable): nothing is sent."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and as whom messages leave Vigie."""

    host: str
    port: int
    security: str
    sender: str
    user: str = ""
    password: str = ""
    allow_example_domains: bool = False   # a test server: example domains may be sent to it
    ca_file: str = ""                     # a CA bundle to trust for a private relay (default: the system's)

    def describe(self) -> str:
        """'smtp.example.com:587 (starttls) as vigie@example.com', without the password."""
        return f"{self.host}:{self.port} ({self.security}) as {self.sender}"


@dataclass(frozen=True)
class Outgoing:
    """One message to send: what the outbox row holds."""

    message_id: int
    recipients: tuple[str, ...]
    subject: str
    body_text: str
    body_html: str
    attachments: tuple[tuple[str, str, bytes], ...] = ()   # (filename, content type, bytes)


class Rejected(Exception):
    """The server refused the message; ``code`` is its reply code (None: no reply, e.g. unreachable)."""

    def __init__(self, reply: str, code: int | None = None):
        super().__init__(reply)
        self.reply, self.code = reply, code


def _table(secrets_file: Path, env: dict) -> dict:
    if env.get("VIGIE_SMTP_HOST"):
        keys = ("host", "port", "security", "user", "password", "sender", "allow_example_domains", "ca_file")
        return {k: env[f"VIGIE_SMTP_{k.upper()}"] for k in keys if env.get(f"VIGIE_SMTP_{k.upper()}")}
    if not secrets_file.exists():
        return {}
    try:
        return dict(tomllib.loads(secrets_file.read_text()).get("smtp") or {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise NotConfigured(f"{secrets_file} cannot be read: {exc}") from exc


def load_config(secrets_file: Path | None = None, env: dict | None = None) -> SmtpConfig | None:
    """The provider configured, or None when there is none; NotConfigured when it is unusable."""
    table = _table(secrets_file or SECRETS_FILE, dict(os.environ) if env is None else env)
    if not str(table.get("host", "")).strip():
        return None
    security = str(table.get("security", "starttls")).strip().lower()
    if security not in SECURITY:
        raise NotConfigured(f"[smtp] security must be one of {', '.join(SECURITY)}, not {security!r}.")
    sender = str(table.get("sender", "")).strip()
    if not valid_address(sender):
        raise NotConfigured("[smtp] sender must be one plain e-mail address (name@domain).")
    try:
        port = int(table.get("port") or DEFAULT_PORTS[security])
    except ValueError as exc:
        raise NotConfigured("[smtp] port must be a number.") from exc
    return SmtpConfig(host=str(table["host"]).strip(), port=port, security=security, sender=sender,
                      user=str(table.get("user", "")), password=str(table.get("password", "")),
                      allow_example_domains=str(table.get("allow_example_domains", "")).lower() in ("true", "1"),
                      ca_file=str(table.get("ca_file", "")))


def build_message(config: SmtpConfig, outgoing: Outgoing) -> EmailMessage:
    """The MIME message: one-line subject, plain text first, then the HTML alternative."""
    international = not all(a.isascii() for a in (config.sender, *outgoing.recipients))
    message = EmailMessage(policy=MESSAGE_POLICY.clone(utf8=True) if international else MESSAGE_POLICY)
    message["From"] = config.sender
    message["To"] = ", ".join(a for a in outgoing.recipients if valid_address(a))
    message["Subject"] = one_line(outgoing.subject)
    message["Date"] = format_datetime(utc_now())
    message["Message-ID"] = make_msgid(idstring=f"vigie-outbox-{outgoing.message_id}",
                                       domain=config.sender.rpartition("@")[2])
    message.set_content(outgoing.body_text)
    message.add_alternative(outgoing.body_html, subtype="html")
    for filename, content_type, content in outgoing.attachments:
        maintype, _, subtype = content_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=one_line(filename))
    return message


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    """A connection, encrypted as configured (the server's certificate and name verified), logged in."""
    if config.security == "tls":
        client = smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_SECONDS, context=_tls(config))
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
        if config.security == "starttls":
            client.starttls(context=_tls(config))
    if config.user:
        client.login(config.user, config.password)
    return client


def _tls(config: SmtpConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=config.ca_file or None)


def send(config: SmtpConfig, outgoing: Outgoing) -> str:
    """Hand one message to the server; its reply to the message (``250 ...``), or :class:`Rejected`."""
    message = build_message(config, outgoing)
    recipients = [a for a in outgoing.recipients if valid_address(a)]
    try:  # a failure before the message is offered (unreachable, TLS, a refused login) is the provider's:
        client = _connect(config)  # no code, so the message waits and the run ends
    except smtplib.SMTPResponseException as exc:
        raise Rejected(f"{config.host}:{config.port}: {_reply(exc.smtp_code, exc.smtp_error)}") from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise Rejected(f"cannot reach {config.host}:{config.port}: {exc}") from exc
    try:
        with client:
            return _transaction(client, config.sender, recipients, message)
    except smtplib.SMTPServerDisconnected as exc:
        raise Rejected(f"the server closed the connection: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        raise Rejected(_reply(exc.smtp_code, exc.smtp_error), exc.smtp_code) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise Rejected(f"error while sending: {exc}") from exc


def _transaction(client: smtplib.SMTP, sender: str, recipients: list[str], message: EmailMessage) -> str:
    client.ehlo_or_helo_if_needed()
    options = []
    if not all(a.isascii() for a in (sender, *recipients)):  # an address in another script: RFC 6531
        if not client.has_extn("smtputf8"):
            raise Rejected("the server does not accept addresses outside ASCII (no SMTPUTF8)", 553)
        options = ["SMTPUTF8", "BODY=8BITMIME"]
    code, text = client.mail(sender, options)
    if code != 250:
        raise Rejected(_reply(code, text), code)
    for address in recipients:
        code, text = client.rcpt(address)
        if code not in (250, 251):
            raise Rejected(f"{address}: {_reply(code, text)}", code)
    code, text = client.data(message.as_bytes())
    if code != 250:
        raise Rejected(_reply(code, text), code)
    return _reply(code, text)


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return one_line(f"{code} {text}")
