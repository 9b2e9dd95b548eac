-- 025: customer escalations (DOMAIN.md section 3) and their events.
-- An escalation climbs the chain (setting escalation.chain) one level at a time; the row holds
-- its current state, escalation_events its history, from which depth and time at level are computed.
CREATE SEQUENCE escalations_id;
CREATE TABLE escalations (
    id               BIGINT PRIMARY KEY DEFAULT nextval('escalations_id'),
    reference        VARCHAR NOT NULL UNIQUE,          -- ESC-YYYY-NNNN
    ref_year         INTEGER NOT NULL,
    ref_seq          INTEGER NOT NULL,
    company_id       INTEGER NOT NULL,
    ticket_id        BIGINT,                           -- the ticket escalated, if any
    incident_id      BIGINT,                           -- a major incident, if any (no foreign key)
    level            SMALLINT NOT NULL CHECK (level >= 1),  -- 1 = first level of the chain
    level_since      TIMESTAMPTZ NOT NULL,             -- when it reached its current level
    reason           VARCHAR NOT NULL,
    reason_code      VARCHAR NOT NULL
                     CHECK (reason_code IN ('sla_breach', 'commitment_not_kept', 'quality', 'other')),
    raised_by        VARCHAR NOT NULL,                 -- the customer's contact who escalated
    raised_at        TIMESTAMPTZ NOT NULL,
    owner            VARCHAR NOT NULL,
    acknowledged_at  TIMESTAMPTZ,                      -- acknowledged at the current level
    acknowledged_by  VARCHAR,
    resolved_at      TIMESTAMPTZ,
    resolved_by      VARCHAR,
    resolution       VARCHAR,
    recorded_by      VARCHAR NOT NULL,                 -- the Vigie user who entered it
    submission_key   VARCHAR UNIQUE,                   -- one form submission = one escalation
    UNIQUE (ref_year, ref_seq)
);

CREATE SEQUENCE escalation_events_id;
CREATE TABLE escalation_events (
    id             BIGINT PRIMARY KEY DEFAULT nextval('escalation_events_id'),
    escalation_id  BIGINT NOT NULL,
    occurred_at    TIMESTAMPTZ NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('raised', 'acknowledged', 'escalated', 'resolved')),
    from_level     SMALLINT,                           -- escalated: the level left
    to_level       SMALLINT NOT NULL,                  -- the level the escalation is at after the event
    actor          VARCHAR NOT NULL,
    note           VARCHAR
);
