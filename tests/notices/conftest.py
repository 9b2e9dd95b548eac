"""Fixtures of the notice tests: a real SMTP server on loopback, started per test."""
from __future__ import annotations

import pytest

from tests.notices.smtp_server import LoopbackSmtp


@pytest.fixture
def smtp_server():
    server = LoopbackSmtp()
    server.start()
    yield server
    server.stop()
