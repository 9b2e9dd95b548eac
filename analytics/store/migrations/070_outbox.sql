-- 070: the outbox of e-mail notices (analytics/notices). A message is written here in the
-- transaction that decides to send it; a delivery run claims it (queued -> sending), hands it
-- to the SMTP server, then records the outcome (accepted with its time, or the server's reply).
-- Written only by analytics/notices.
CREATE SEQUENCE outbox_id;
CREATE TABLE outbox (
    id               BIGINT PRIMARY KEY DEFAULT nextval('outbox_id'),
    batch            VARCHAR NOT NULL,              -- the compose action's idempotency token
    entity           VARCHAR NOT NULL,              -- what it belongs to: 'incident'
    entity_id        VARCHAR NOT NULL,              -- e.g. the incident id
    purpose          VARCHAR NOT NULL,              -- 'notification' | 'status_update' | 'resolution'
    company_id       INTEGER,                       -- the customer company addressed (NULL: none)
    recipients       VARCHAR[] NOT NULL,            -- validated addresses, one per element
    subject          VARCHAR NOT NULL,              -- one line (CR/LF removed before storing)
    body_text        VARCHAR NOT NULL,
    body_html        VARCHAR NOT NULL,              -- built from body_text, every character escaped
    attachments      JSON NOT NULL DEFAULT '[]',    -- by reference: [{"kind": ..., "ref": ...}]
    status           VARCHAR NOT NULL CHECK (status IN ('queued', 'sending', 'accepted', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,          -- not before this instant (backoff)
    claimed_by       VARCHAR,                       -- the delivery run that holds or held it
    claimed_at       TIMESTAMPTZ,
    accepted_at      TIMESTAMPTZ,                   -- when the SMTP server accepted it
    last_reply       VARCHAR,                       -- the server's last reply (or the connection error)
    queued_by        VARCHAR NOT NULL,
    queued_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (batch, company_id)
);

-- Every delivery attempt, with its outcome and the server's reply.
CREATE SEQUENCE outbox_attempts_id;
CREATE TABLE outbox_attempts (
    id           BIGINT PRIMARY KEY DEFAULT nextval('outbox_attempts_id'),
    message_id   BIGINT NOT NULL,
    attempt      INTEGER NOT NULL,
    claimed_by   VARCHAR NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ NOT NULL,
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('accepted', 'retry', 'failed')),
    reply        VARCHAR
);
