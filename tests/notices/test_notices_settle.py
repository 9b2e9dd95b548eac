"""Settling a message a killed run left ``sending``: ``notices settle ID --as accepted|queued|failed``, as the
operator found it in the server's log; accepted records what depends on the delivery, queued sends it again."""
from __future__ import annotations

import getpass
import json

from analytics.audit.service import load_audit
from analytics.cli.main import main
from analytics.domains import open_store
from analytics.notices.delivery import _claim, deliver
from tests.notices.test_notices_cli import queued_store, smtp_env


def killed_mid_send(path: str) -> int:
    """A run that claimed the first message and died before recording it: the message stays ``sending``."""
    db = open_store(path)
    claimed = db.write(_claim, worker="host:123:dead", at=db.scalar("SELECT max(queued_at) FROM outbox"))
    db.close()
    return int(claimed["id"])


def test_a_message_the_server_got_is_settled_accepted_and_counts_as_the_notification(tmp_path, capsys, monkeypatch):
    smtp_env(monkeypatch)
    path = queued_store(tmp_path)
    message_id = killed_mid_send(path)
    assert main(["notices", "status", "--db", path]) == 0
    assert capsys.readouterr().out.startswith("outbox: 1 queued (1 due now), 1 being sent or interrupted, 0 accepted")
    assert main(["notices", "settle", str(message_id), "--as", "accepted", "--note", "250 OK queued as 7F3A",
                 "--db", path]) == 0
    assert capsys.readouterr().out == f"outbox message {message_id} settled as accepted\n"
    db = open_store(path)
    operator = f"operator:{getpass.getuser()}"
    assert db.rows("SELECT status, last_reply FROM outbox WHERE id = ?", [message_id]) == [
        ("accepted", f"settled as accepted by {operator}: 250 OK queued as 7F3A")]
    assert db.rows("SELECT attempt, claimed_by, outcome FROM outbox_attempts") == [(1, "host:123:dead", "accepted")]
    # the accepted notice is the incident's notification, as a delivery the run had recorded itself
    assert db.scalar("SELECT count(*) FROM incident_notifications") == 1
    after = json.loads(load_audit(db, action="notice.settle")["after"].iloc[0])
    assert after == {"message_id": message_id, "as": "accepted", "note": "250 OK queued as 7F3A"}
    db.close()


def test_a_message_that_never_left_is_settled_queued_and_sent_by_the_next_run(tmp_path, capsys, monkeypatch,
                                                                             smtp_server):
    smtp_env(monkeypatch, smtp_server)
    path = queued_store(tmp_path)
    message_id = killed_mid_send(path)
    assert main(["notices", "settle", str(message_id), "--as", "queued", "--db", path]) == 0
    assert main(["notices", "deliver", "--db", path]) == 0
    assert len(smtp_server.received) == 2  # the settled one and the other one, each once
    db = open_store(path)
    assert db.rows("SELECT status, attempts FROM outbox WHERE id = ?", [message_id]) == [("accepted", 2)]
    db.close()


def test_only_a_message_left_sending_can_be_settled(tmp_path, capsys, monkeypatch, smtp_server):
    smtp_env(monkeypatch, smtp_server)
    path = queued_store(tmp_path)
    db = open_store(path)
    deliver(db, config=smtp_server.config())
    first = db.scalar("SELECT min(id) FROM outbox")
    db.close()
    assert main(["notices", "settle", str(first), "--as", "failed", "--db", path]) == 2
    assert capsys.readouterr().err == f"error: Outbox message {first} is accepted, not sending: nothing to settle.\n"
    assert main(["notices", "settle", "999", "--as", "failed", "--db", path]) == 2
    assert capsys.readouterr().err == "error: No outbox message 999.\n"
