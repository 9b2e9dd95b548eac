"""STARTTLS and implicit TLS against a real SMTP server on loopback with its own certificate (made here with
``cryptography``): the message arrives encrypted, and a certificate the client does not trust sends nothing."""
from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import replace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from analytics.notices.delivery import deliver
from tests.incidents.factories import utc
from tests.notices.factories import ALPHA_ADMINS, BETA_ADMINS, incident_with_admins, later, queue_first_notice
from tests.notices.smtp_server import LoopbackSmtp

DEFINED = utc(2026, 6, 1, 8, 0)
QUEUED = DEFINED + dt.timedelta(minutes=5)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (its own CA): (certfile, keyfile)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=7))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return str(certfile), str(keyfile)


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_an_encrypted_connection_delivers(db, certificate, security):
    server = LoopbackSmtp(security=security, cert=certificate)
    server.start()
    try:
        incident = incident_with_admins(db, defined=DEFINED)
        queue_first_notice(db, incident.incident_id, now=QUEUED)
        untrusted = replace(server.config(), ca_file="")  # the system's CAs do not know this certificate
        run = deliver(db, config=untrusted, now=later(QUEUED, 1))
        assert (run.accepted, len(run.retrying), server.received) == ([], 1, [])
        assert "CERTIFICATE_VERIFY_FAILED" in db.scalar("SELECT last_reply FROM outbox WHERE attempts = 1")
        assert len(deliver(db, config=server.config(), now=later(QUEUED, 5)).accepted) == 2
        assert sorted(tuple(r.rcpt_tos) for r in server.received) == [ALPHA_ADMINS, BETA_ADMINS]
    finally:
        server.stop()


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(db, smtp_server):
    incident = incident_with_admins(db, defined=DEFINED)
    queue_first_notice(db, incident.incident_id, now=QUEUED)
    run = deliver(db, config=replace(smtp_server.config(), security="starttls"), now=later(QUEUED, 1))
    assert (run.accepted, len(run.retrying), smtp_server.received) == ([], 1, [])
    assert db.scalar("SELECT last_reply FROM outbox WHERE attempts = 1") == (
        f"cannot reach 127.0.0.1:{smtp_server.port}: STARTTLS extension not supported by server.")
