"""``python -m analytics notices deliver|status``: one line and an exit code on every path."""
from __future__ import annotations

from datetime import timedelta

from analytics.cli.main import main
from analytics.domains import open_store
from analytics.kernel.times import utc_now
from tests.notices.factories import incident_with_admins, queue_first_notice


def smtp_env(monkeypatch, server=None, **extra):
    for key in ("HOST", "PORT", "SECURITY", "USER", "PASSWORD", "SENDER", "ALLOW_EXAMPLE_DOMAINS"):
        monkeypatch.delenv(f"VIGIE_SMTP_{key}", raising=False)
    if server:
        values = {"HOST": "127.0.0.1", "PORT": str(server.port), "SECURITY": "none",
                  "SENDER": "vigie@support.example", "ALLOW_EXAMPLE_DOMAINS": "true", **extra}
        for key, value in values.items():
            monkeypatch.setenv(f"VIGIE_SMTP_{key}", value)


def queued_store(tmp_path) -> str:
    path = str(tmp_path / "cli.duckdb")
    db = open_store(path)
    incident = incident_with_admins(db, defined=utc_now() - timedelta(minutes=10))
    queue_first_notice(db, incident.incident_id, now=utc_now() - timedelta(minutes=5))
    db.close()
    return path


def test_deliver_then_status(tmp_path, monkeypatch, capsys, smtp_server):
    path = queued_store(tmp_path)
    smtp_env(monkeypatch, smtp_server)
    assert main(["notices", "status", "--db", path]) == 0
    assert capsys.readouterr().out == (f"outbox: 2 queued (2 due now), 0 being sent or interrupted, 0 accepted, 0 failed; "
                                       f"provider: 127.0.0.1:{smtp_server.port} (none) as vigie@support.example\n")
    assert main(["notices", "deliver", "--db", path]) == 0
    assert capsys.readouterr().out == (f"notices deliver via 127.0.0.1:{smtp_server.port} (none) as "
                                       "vigie@support.example: 2 accepted, 0 to retry, 0 failed, 0 left for the next run\n")
    assert len(smtp_server.received) == 2


def test_deliver_with_the_server_down_exits_1(tmp_path, monkeypatch, capsys, smtp_server):
    path = queued_store(tmp_path)
    smtp_env(monkeypatch, smtp_server)
    smtp_server.stop()
    assert main(["notices", "deliver", "--db", path]) == 1
    assert capsys.readouterr().out.endswith(": 0 accepted, 1 to retry, 0 failed, 1 left for the next run\n")


def test_no_provider_sends_nothing_and_says_so(tmp_path, monkeypatch, capsys):
    import analytics.notices.smtp as smtp

    path = queued_store(tmp_path)
    smtp_env(monkeypatch)
    monkeypatch.setattr(smtp, "SECRETS_FILE", tmp_path / "no-secrets.toml")
    assert main(["notices", "deliver", "--db", path]) == 2
    err = capsys.readouterr().err
    assert err == ("error: no SMTP provider configured ([smtp] in .streamlit/secrets.toml, or VIGIE_SMTP_HOST): "
                   "nothing was sent\n")
    assert main(["notices", "status", "--db", path]) == 0
    assert capsys.readouterr().out.endswith("provider: none configured (nothing is sent)\n")


def test_an_unusable_configuration_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, smtp_server):
    path = queued_store(tmp_path)
    smtp_env(monkeypatch, smtp_server, SECURITY="ssl3")
    assert main(["notices", "deliver", "--db", path]) == 2
    assert capsys.readouterr().err == ("error: [smtp] security must be one of starttls, tls, none, not 'ssl3'. "
                                       "Nothing was sent.\n")


def test_status_on_a_new_store_and_a_missing_directory(tmp_path, monkeypatch, capsys):
    smtp_env(monkeypatch)
    import analytics.notices.smtp as smtp

    monkeypatch.setattr(smtp, "SECRETS_FILE", tmp_path / "none.toml")
    assert main(["notices", "status", "--db", str(tmp_path / "new.duckdb")]) == 0
    assert capsys.readouterr().out == ("outbox: 0 queued (0 due now), 0 being sent or interrupted, 0 accepted, "
                                       "0 failed; provider: none configured (nothing is sent)\n")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["notices", "status", "--db", str(blocker / "sub" / "x.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
