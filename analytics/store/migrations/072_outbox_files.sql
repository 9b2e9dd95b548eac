-- 072: files attached to outbox messages (analytics/notices). The outbox's `attachments` column
-- refers to them by id ([{"kind": "file", "ref": <outbox_files.id>}]); the bytes are written in
-- the transaction that queues the message, so what is sent is what was decided.
CREATE SEQUENCE outbox_files_id;
CREATE TABLE outbox_files (
    id            BIGINT PRIMARY KEY DEFAULT nextval('outbox_files_id'),
    filename      VARCHAR NOT NULL,
    content_type  VARCHAR NOT NULL,      -- e.g. 'application/pdf'
    content       BLOB NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
