-- 040: imports from ticketing systems (source profiles, event logs).
-- What each import run was beyond its counts (import_runs, in 001): the format read, the
-- profile, how many tickets the accepted rows became, how long it took.
CREATE TABLE import_run_details (
    import_id      BIGINT PRIMARY KEY,
    tickets        BIGINT NOT NULL,       -- tickets the accepted rows became (= accepted for one row per ticket)
    accepted       BIGINT NOT NULL,       -- rows read - rows rejected
    events         BIGINT NOT NULL,       -- ticket events written
    reasons        JSON,                  -- rejection reason -> count
    seconds        DOUBLE NOT NULL,
    file_format    VARCHAR,               -- csv, xlsx, parquet
    encoding       VARCHAR,
    delimiter      VARCHAR,
    profile_title  VARCHAR,
    mapping        VARCHAR                -- the TOML mapping used, as text
);

-- The source system's own counters for a ticket: reopenings, reassignments and the time spent
-- waiting on the customer (from an event log, or from an export's metric columns).
CREATE TABLE ticket_source_facts (
    ticket_id           BIGINT PRIMARY KEY,
    reopen_count        INTEGER,
    reassignment_count  INTEGER,
    waiting_s           DOUBLE
);
