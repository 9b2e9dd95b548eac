-- 050: post-incident reviews and RCA reports (DOMAIN.md section 4), customer requests for them.
-- Written only by analytics/rca.py (and analytics/rca_demo.py for demo data).

-- One RCA per incident; its content lives in numbered revisions.
CREATE TABLE rca_reports (
    id           INTEGER PRIMARY KEY,             -- max(id) + 1 by the serialised writer
    incident_id  INTEGER NOT NULL UNIQUE,         -- incidents.id
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   VARCHAR NOT NULL
);

-- The post-incident review and RCA text, one row per revision. A revision goes
-- draft -> in_review -> published; a published revision is frozen (never updated again,
-- except superseded_at when a later revision is published). Customer-facing fields:
-- overview, measures_taken, contributing_factors, the impact figures; the others are internal.
CREATE TABLE rca_revisions (
    report_id            INTEGER NOT NULL,
    revision             INTEGER NOT NULL,         -- 1, 2, ...
    status               VARCHAR NOT NULL CHECK (status IN ('draft', 'in_review', 'published')),
    overview             VARCHAR NOT NULL,         -- customer: what happened, in a paragraph
    measures_taken       VARCHAR NOT NULL,         -- customer: what was done to restore the service
    contributing_factors VARCHAR NOT NULL,         -- customer
    customers_affected   INTEGER,                  -- customer impact: how many customers
    impact_minutes       INTEGER,                  -- customer impact: duration
    tickets              INTEGER,                  -- customer impact: support tickets raised
    participants         VARCHAR[] NOT NULL,       -- internal: who took part in the analysis
    went_well            VARCHAR NOT NULL,         -- internal: handling, what went well
    went_badly           VARCHAR NOT NULL,         -- internal: handling, what went badly
    failure_causes       VARCHAR NOT NULL,         -- internal: why things failed in the handling
    internal_notes       VARCHAR NOT NULL,         -- internal
    action_snapshot      JSON,                     -- the action items as published (frozen with it)
    revision_reason      VARCHAR,                  -- why revision n > 1 was started
    edits                INTEGER NOT NULL,         -- saves so far: optimistic check between editors
    created_at           TIMESTAMPTZ NOT NULL,
    created_by           VARCHAR NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    updated_by           VARCHAR NOT NULL,
    submitted_at         TIMESTAMPTZ,
    submitted_by         VARCHAR,
    published_at         TIMESTAMPTZ,
    published_by         VARCHAR,
    superseded_at        TIMESTAMPTZ,              -- a later revision was published
    PRIMARY KEY (report_id, revision)
);

-- Root causes of a revision, each with a category of the taxonomy (setting
-- rca.root_cause_categories) and the platform concerned. Customer-facing.
CREATE TABLE rca_root_causes (
    report_id    INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    position     INTEGER NOT NULL,
    category     VARCHAR NOT NULL,
    platform     VARCHAR NOT NULL,
    description  VARCHAR NOT NULL
);

-- The reviewed timeline of a revision (prefilled from the incident's events, then edited).
-- Customers see occurred_at and event of the rows marked customer_visible, never who or the note.
CREATE TABLE rca_timeline (
    report_id         INTEGER NOT NULL,
    revision          INTEGER NOT NULL,
    position          INTEGER NOT NULL,
    occurred_at       TIMESTAMPTZ NOT NULL,
    event             VARCHAR NOT NULL,
    who               VARCHAR,                    -- internal
    internal_note     VARCHAR,                    -- internal
    customer_visible  BOOLEAN NOT NULL
);

-- The action plan against recurrence. Items belong to the report, not to a revision: their
-- status is tracked after publication (a revision keeps the snapshot it was published with).
CREATE SEQUENCE rca_action_items_id;
CREATE TABLE rca_action_items (
    id            BIGINT PRIMARY KEY DEFAULT nextval('rca_action_items_id'),
    report_id     INTEGER NOT NULL,
    description   VARCHAR NOT NULL,
    owner         VARCHAR,                        -- internal
    due_date      DATE,
    status        VARCHAR NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    completed_at  TIMESTAMPTZ,                    -- when it was done (or cancelled)
    published_in  INTEGER,                        -- first revision published with this item
    created_at    TIMESTAMPTZ NOT NULL,
    created_by    VARCHAR NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    updated_by    VARCHAR NOT NULL
);

-- Customers asking for a copy of an RCA (DOMAIN.md section 4: available on request).
CREATE SEQUENCE rca_requests_id;
CREATE TABLE rca_requests (
    id                  BIGINT PRIMARY KEY DEFAULT nextval('rca_requests_id'),
    incident_id         INTEGER NOT NULL,
    company_id          INTEGER NOT NULL,
    requested_at        TIMESTAMPTZ NOT NULL,
    requested_by        VARCHAR NOT NULL,         -- the customer's contact
    delivered_at        TIMESTAMPTZ,
    delivered_revision  INTEGER,
    recorded_by         VARCHAR NOT NULL,
    recorded_at         TIMESTAMPTZ NOT NULL
);

-- The latest revision of each report, with the incident it belongs to.
CREATE VIEW rca_current AS
    SELECT r.incident_id, v.*
    FROM rca_reports r
    JOIN rca_revisions v ON v.report_id = r.id
    WHERE v.revision = (SELECT max(x.revision) FROM rca_revisions x WHERE x.report_id = r.id);

-- The revision customers receive: the latest published one.
CREATE VIEW rca_published AS
    SELECT r.incident_id, v.*,
           (SELECT min(x.published_at) FROM rca_revisions x WHERE x.report_id = r.id) AS first_published_at
    FROM rca_reports r
    JOIN rca_revisions v ON v.report_id = r.id
    WHERE v.status = 'published' AND v.superseded_at IS NULL;
