-- 020: major incidents (DOMAIN.md section 4): declaration, lifecycle, customer notifications,
-- the investigation track. Written only by analytics/incidents.py; RCA reports build on it.

-- One row per major incident. Status and the *_at milestones are kept in step with
-- incident_transitions by the service (the transitions table is the history).
CREATE TABLE incidents (
    id                 INTEGER PRIMARY KEY,           -- max(id) + 1 by the serialised writer
    reference          VARCHAR NOT NULL UNIQUE,       -- INC-YYYY-NNNN
    ref_year           INTEGER NOT NULL,              -- YYYY of the reference (year of declaration)
    ref_number         INTEGER NOT NULL,              -- NNNN: 1, 2, ... within ref_year
    title              VARCHAR NOT NULL,
    severity           SMALLINT NOT NULL,             -- severities.severity
    security_breach    BOOLEAN NOT NULL DEFAULT false,
    all_customers      BOOLEAN NOT NULL DEFAULT false,  -- true: every company is impacted
    platforms          VARCHAR[] NOT NULL,            -- impacted platforms / services
    description        VARCHAR NOT NULL,
    status             VARCHAR NOT NULL CHECK (status IN ('declared', 'investigating', 'identified',
                                   'monitoring', 'resolved', 'post_mortem', 'closed')),
    started_at         TIMESTAMPTZ NOT NULL,          -- when the disruption began
    detected_at        TIMESTAMPTZ NOT NULL,          -- when support noticed it
    impact_defined_at  TIMESTAMPTZ NOT NULL,          -- starts the customer-notification clock
    declared_at        TIMESTAMPTZ NOT NULL,          -- when the form was submitted
    declared_by        VARCHAR NOT NULL,
    commander          VARCHAR NOT NULL,              -- incident commander
    notification_lead  VARCHAR NOT NULL,              -- leads the customer-notification team
    investigation_lead VARCHAR NOT NULL,              -- leads the investigation and resolution team
    acknowledged_at    TIMESTAMPTZ,                   -- first move out of 'declared' (MTTA)
    identified_at      TIMESTAMPTZ,                   -- first time the cause was identified
    resolved_at        TIMESTAMPTZ,                   -- latest resolution (cleared on reopening)
    postmortem_at      TIMESTAMPTZ,                   -- post-mortem started
    closed_at          TIMESTAMPTZ,
    idempotency_token  VARCHAR NOT NULL UNIQUE,       -- one per form instance: no double declaration
    updated_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (ref_year, ref_number)
);

-- Companies named as impacted (none when all_customers; see incident_impacted_companies).
CREATE TABLE incident_companies (
    incident_id  INTEGER NOT NULL,
    company_id   INTEGER NOT NULL,
    PRIMARY KEY (incident_id, company_id)
);

-- Every impacted company, expanding all_customers to every company.
CREATE VIEW incident_impacted_companies AS
    SELECT incident_id, company_id FROM incident_companies
    UNION
    SELECT i.id AS incident_id, c.id AS company_id FROM incidents i CROSS JOIN companies c
    WHERE i.all_customers;

-- The lifecycle history: one row per status change (the declaration is from_status NULL).
CREATE SEQUENCE incident_transitions_id;
CREATE TABLE incident_transitions (
    id           BIGINT PRIMARY KEY DEFAULT nextval('incident_transitions_id'),
    incident_id  INTEGER NOT NULL,
    from_status  VARCHAR,
    to_status    VARCHAR NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    actor        VARCHAR NOT NULL,
    note         VARCHAR
);

-- The customer-notification track: the first written notification and the periodic
-- status reports, each with the customers it went to and when the next one is due.
CREATE SEQUENCE incident_notifications_id;
CREATE TABLE incident_notifications (
    id                BIGINT PRIMARY KEY DEFAULT nextval('incident_notifications_id'),
    incident_id       INTEGER NOT NULL,
    kind              VARCHAR NOT NULL CHECK (kind IN ('notification', 'status_update')),
    sent_at           TIMESTAMPTZ NOT NULL,
    sent_by           VARCHAR NOT NULL,
    all_customers     BOOLEAN NOT NULL DEFAULT false,
    company_ids       INTEGER[] NOT NULL,            -- recipients (empty when all_customers)
    message           VARCHAR NOT NULL,
    next_update_due   TIMESTAMPTZ,                   -- NULL once the incident is resolved
    recorded_by       VARCHAR NOT NULL,
    recorded_at       TIMESTAMPTZ NOT NULL,
    idempotency_token VARCHAR NOT NULL UNIQUE
);

-- The investigation-and-resolution track: each step once, with its owner and time.
CREATE TABLE incident_steps (
    incident_id  INTEGER NOT NULL,
    step         VARCHAR NOT NULL CHECK (step IN ('scope_assessed', 'experts_gathered',
                                                  'plan_established', 'plan_executed')),
    owner        VARCHAR NOT NULL,
    completed_at TIMESTAMPTZ NOT NULL,
    note         VARCHAR,
    recorded_by  VARCHAR NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (incident_id, step)
);
