-- 085: events pushed to POST /api/v1/events/{source} (analytics/api/intake.py). One row per (source, the
-- source's event id), written in the transaction that applies the event: a replayed delivery finds its row
-- and changes nothing (idempotent), and the row says what the event did to which ticket.
CREATE TABLE api_events (
    source       VARCHAR NOT NULL,       -- 'canonical' | 'zendesk'
    event_id     VARCHAR NOT NULL,       -- the source's id of the delivery (the canonical event_id, Zendesk's invocation id)
    received_at  TIMESTAMPTZ NOT NULL,
    reference    VARCHAR NOT NULL,       -- the ticket it concerned
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('inserted', 'updated', 'unchanged')),
    PRIMARY KEY (source, event_id)
);
