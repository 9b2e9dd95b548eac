-- 060: the SLA ledger (analytics/sla/ledger.py): every ticket's measures computed once per
-- version of the SLA rules, maintained on write, read by every SLA figure.

-- A version of the rules the figures depend on (targets, calendars and their intervals,
-- severities, pause statuses). 'building' while its ledger is computed (next_ticket_id: where
-- to resume), 'complete' once every ticket is in it; the latest complete version is in force.
CREATE TABLE sla_versions (
    version         INTEGER PRIMARY KEY,
    rules_hash      VARCHAR NOT NULL,
    pause_statuses  VARCHAR NOT NULL,         -- JSON list of the lower-cased pause statuses
    state           VARCHAR NOT NULL CHECK (state IN ('building', 'complete', 'retired')),
    created_at      TIMESTAMPTZ NOT NULL,
    completed_at    TIMESTAMPTZ,
    tickets_total   BIGINT NOT NULL DEFAULT 0,
    tickets_done    BIGINT NOT NULL DEFAULT 0,
    next_ticket_id  BIGINT NOT NULL DEFAULT 0,
    max_end_s       DOUBLE                    -- the latest end in its ledger (the daily rollups count
                                              -- every decision up to then)
);

-- The rules of each version, as they were when it was created (the ledger of a version and
-- its open tickets are always computed under its own rules).
CREATE TABLE sla_version_targets (
    version         INTEGER NOT NULL,
    severity        SMALLINT NOT NULL,
    measure         VARCHAR NOT NULL,
    calendar_id     INTEGER NOT NULL,
    calendar_name   VARCHAR NOT NULL,
    always_open     BOOLEAN NOT NULL,
    target_value    DOUBLE NOT NULL,
    target_unit     VARCHAR NOT NULL,
    target_seconds  DOUBLE NOT NULL
);
CREATE TABLE sla_version_intervals (
    version      INTEGER NOT NULL,
    calendar_id  INTEGER NOT NULL,
    start_s      DOUBLE NOT NULL,
    end_s        DOUBLE NOT NULL,
    seconds      DOUBLE NOT NULL,
    cum_start    DOUBLE NOT NULL
);

-- One row per ticket and measure and version. A decided measure (it ended) carries its
-- decision: state met/breached, elapsed working time, deadline, decided_at. An open one
-- (ended_at NULL) carries only who it is: its state is derived when asked, from the clock.
CREATE TABLE sla_ledger (
    version          INTEGER NOT NULL,
    ticket_id        BIGINT NOT NULL,
    measure          VARCHAR NOT NULL,
    severity         SMALLINT NOT NULL,
    company_id       INTEGER NOT NULL,
    channel          VARCHAR NOT NULL,
    team             VARCHAR,
    calendar_id      INTEGER NOT NULL,
    target_seconds   DOUBLE NOT NULL,
    opened_at        TIMESTAMPTZ NOT NULL,
    ended_at         TIMESTAMPTZ,
    elapsed_s        DOUBLE,
    paused_s         DOUBLE,
    deadline         TIMESTAMPTZ,
    state            VARCHAR,
    decided_s        DOUBLE,
    decided_day      DATE,                     -- local day (deployment time zone) of the decision
    ended_day        DATE,                     -- local day of the end
    source_made_sla  BOOLEAN,
    first_response_at TIMESTAMPTZ,             -- the ticket's times: an open measure's clock is read
    resolved_at      TIMESTAMPTZ,              -- from its row alone
    fingerprint      BIGINT NOT NULL           -- of the ticket's inputs, to find what changed
);

-- Rollups of a complete version, per local day: the decisions (met, breached) by severity,
-- measure, company, channel and team, and the ended measures' elapsed working time in
-- buckets of 0.1 % (bucket b holds [1.001^b - 1, 1.001^(b+1) - 1) seconds) for the medians.
CREATE TABLE sla_daily (
    version     INTEGER NOT NULL,
    day         DATE NOT NULL,
    severity    SMALLINT NOT NULL,
    measure     VARCHAR NOT NULL,
    company_id  INTEGER NOT NULL,
    channel     VARCHAR NOT NULL,
    team        VARCHAR,
    met         BIGINT NOT NULL,
    breached    BIGINT NOT NULL
);
CREATE TABLE sla_daily_elapsed (
    version     INTEGER NOT NULL,
    day         DATE NOT NULL,
    severity    SMALLINT NOT NULL,
    measure     VARCHAR NOT NULL,
    bucket      INTEGER NOT NULL,
    measures    BIGINT NOT NULL
);
