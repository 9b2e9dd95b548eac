-- 075: scheduled jobs run by the server (analytics/jobs). One row per (job, period): the row is
-- written in the transaction that does the job's work, so a period is done once, never twice,
-- and a restart catches up the one run it missed. Written only by analytics/jobs.
CREATE SEQUENCE job_runs_id;
CREATE TABLE job_runs (
    id           BIGINT PRIMARY KEY DEFAULT nextval('job_runs_id'),
    job          VARCHAR NOT NULL,       -- e.g. 'monthly_report'
    period       VARCHAR NOT NULL,       -- what the run covers, e.g. '2026-11'
    due_at       TIMESTAMPTZ NOT NULL,   -- the scheduled instant it answers
    started_at   TIMESTAMPTZ NOT NULL,
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('done', 'failed')),
    detail       VARCHAR,                -- what it did (message id) or why it failed
    worker       VARCHAR NOT NULL,       -- host:pid:run of the process that ran it
    UNIQUE (job, period)
);
