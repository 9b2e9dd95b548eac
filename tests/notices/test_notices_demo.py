"""The demo never sends: its customers' administrators all live under reserved example domains, and a
delivery run through a real (loopback) server configured as production hands nothing over."""
from __future__ import annotations

import shutil
from uuid import uuid4

from analytics.domains import open_store
from analytics.notices import service as notices
from analytics.notices.delivery import deliver
from analytics.notices.queries import recipients
from analytics.notices.rules import reserved_domain
from analytics.notices.smtp import SmtpConfig
from tests.conftest import DEMO_NOW
from tests.incidents.factories import SUPERVISOR


def test_the_demo_notifies_its_customers_administrators_and_sends_nothing(demo_db_path, tmp_path, smtp_server):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    db = open_store(path)
    open_id, _ = db.rows("SELECT id, reference FROM incidents WHERE status NOT IN "
                                 "('resolved', 'post_mortem', 'closed') ORDER BY id LIMIT 1")[0]
    found = recipients(db, incident_id=open_id)
    addresses = [a for entry in found.values() for a in entry["addresses"]]
    assert found and all(entry["addresses"] for entry in found.values())  # every impacted customer has an admin
    assert all(reserved_domain(a) and a.endswith(".example") for a in addresses)
    draft = notices.compose(db, incident_id=open_id, purpose="notification", now=DEMO_NOW)
    queued = notices.queue_incident_notice(db, actor=SUPERVISOR, incident_id=open_id, purpose="notification",
                                           subject=draft.subject, body=draft.body, company_ids=tuple(found),
                                           token=uuid4().hex, now=DEMO_NOW)
    production = SmtpConfig(host="127.0.0.1", port=smtp_server.port, security="none", sender="vigie@support.example")
    run = deliver(db, config=production)
    assert (run.accepted, sorted(run.failed), smtp_server.received) == ([], sorted(queued.message_ids), [])
    assert db.scalar("SELECT count(*) FROM incident_notifications WHERE idempotency_token LIKE 'outbox:%'") == 0
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'notice.failed' AND entity_id = ?",
                     [str(open_id)]) == len(queued.message_ids)
    db.close()
