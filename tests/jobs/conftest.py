"""Fixtures of the jobs tests: the notice tests' real SMTP server on loopback."""
from tests.notices.conftest import smtp_server  # noqa: F401 - the fixture, shared
