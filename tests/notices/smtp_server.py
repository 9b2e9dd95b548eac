"""A real SMTP server on loopback for the notice tests (aiosmtpd), on a free port, that can be stopped
and started again on the same port; every message it accepts is kept with the time it accepted it."""
from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from analytics.notices.smtp import SmtpConfig


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    at: datetime

    @property
    def message(self):
        return BytesParser(policy=policy.default).parsebytes(self.data)


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    reply: str = "250 Message accepted for delivery"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                                      datetime.now(UTC)))
        return self.reply


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackSmtp:
    """The server: ``start()``, ``stop()``, ``received``, and the Vigie configuration that points at it."""

    def __init__(self, login: tuple[str, str] | None = None, *, security: str = "none",
                 cert: tuple[str, str] | None = None):
        self.security, self.cert = security, cert  # 'starttls' (required) or 'tls' with (certfile, keyfile)
        self.port = free_port()
        self.handler = Handler()
        self.controller: Controller | None = None
        self.login = login  # (user, password) the server requires, or None: no AUTH

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == self.login
        return AuthResult(success=ok, handled=False)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        options = dict(authenticator=self._authenticate, auth_required=True, auth_require_tls=False) if self.login else {}
        if self.security != "none":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*self.cert)
            options.update(tls_context=context, require_starttls=True) if self.security == "starttls" \
                else options.update(ssl_context=context)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self) -> SmtpConfig:
        return SmtpConfig(host="127.0.0.1", port=self.port, security=self.security, sender="vigie@support.example",
                          allow_example_domains=True, ca_file=self.cert[0] if self.cert else "")
