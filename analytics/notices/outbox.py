"""Queueing one message with attached files inside the caller's transaction (for scheduled jobs).

:func:`queue_with_files` validates the message as every notice is validated (one-line subject,
plain addresses), writes its files to ``outbox_files`` (migration 072) and the message to the
outbox with ``attachments`` naming them, and audits ``notice.queue``: all in the cursor's
transaction, so a job that decides to send records that decision and the message together.
"""
from __future__ import annotations

import json
from datetime import datetime

from analytics.audit import service as audit
from analytics.kernel.errors import ValidationError
from analytics.notices.rules import html_body, one_line, validate_message

FIELD_LABELS = {"subject": "Subject", "body": "Text", "recipients": "Recipients"}


def queue_with_files(cur, *, actor, batch: str, entity: str, entity_id: str, purpose: str, recipients: list[str],
                     subject: str, body: str, files: list[tuple[str, str, bytes]], now: datetime) -> int:
    """Write the message and its files (``(filename, content type, bytes)``); its outbox id."""
    subject = one_line(subject)
    errors = validate_message(subject=subject, body=body, recipients=list(recipients))
    if errors:
        raise ValidationError(errors, FIELD_LABELS)
    refs = []
    for filename, content_type, content in files:
        refs.append({"kind": "file", "ref": int(cur.execute(
            "INSERT INTO outbox_files (filename, content_type, content, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [one_line(filename), content_type, content, now]).fetchone()[0]), "filename": one_line(filename)})
    message_id = int(cur.execute(
        "INSERT INTO outbox (batch, entity, entity_id, purpose, recipients, subject, body_text, body_html, attachments, "
        "status, next_attempt_at, queued_by, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) "
        "RETURNING id", [batch, entity, entity_id, purpose, list(recipients), subject, body, html_body(body),
                         json.dumps(refs), now, actor.label, now]).fetchone()[0])
    audit.record(cur, actor=actor, action="notice.queue", entity=entity, entity_id=entity_id,
                 after={"purpose": purpose, "subject": subject, "recipients": list(recipients),
                        "message_id": message_id, "attachments": [r["filename"] for r in refs]})
    return message_id
