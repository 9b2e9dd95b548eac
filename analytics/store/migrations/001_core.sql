-- 001: the core schema: settings, audit log, customers, calendars, SLA targets,
-- tickets and their events, import runs.
CREATE TABLE schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL
);

-- Administrator overrides of the declarative settings in analytics/settings.py.
CREATE TABLE settings (
    name        VARCHAR PRIMARY KEY,
    value       JSON NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    updated_by  VARCHAR NOT NULL
);

CREATE SEQUENCE audit_log_id;
CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id'),
    occurred_at TIMESTAMPTZ NOT NULL,
    actor       VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    entity      VARCHAR NOT NULL,
    entity_id   VARCHAR,
    before      JSON,
    after       JSON
);

CREATE SEQUENCE companies_id;
CREATE TABLE companies (
    id          INTEGER PRIMARY KEY DEFAULT nextval('companies_id'),
    name        VARCHAR NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- People of customer companies; one or two per company are its administrators.
CREATE SEQUENCE contacts_id;
CREATE TABLE contacts (
    id          INTEGER PRIMARY KEY DEFAULT nextval('contacts_id'),
    company_id  INTEGER NOT NULL,
    name        VARCHAR NOT NULL,
    email       VARCHAR,
    phone       VARCHAR,
    user_id     VARCHAR,
    is_admin    BOOLEAN NOT NULL DEFAULT false
);

-- Business calendars are data: weekly hours, time zone, public holidays.
CREATE TABLE calendars (
    id               INTEGER PRIMARY KEY,
    name             VARCHAR NOT NULL UNIQUE,
    timezone         VARCHAR NOT NULL,
    hours_per_day    DOUBLE NOT NULL,       -- one business day = this many working hours
    holiday_country  VARCHAR,               -- ISO code for the holidays package, NULL = none
    holiday_subdiv   VARCHAR,
    always_open      BOOLEAN NOT NULL DEFAULT false  -- the 24/7 clock
);
CREATE TABLE calendar_hours (
    calendar_id  INTEGER NOT NULL,
    weekday      SMALLINT NOT NULL,         -- 0 = Monday .. 6 = Sunday
    start_time   TIME NOT NULL,
    end_time     TIME NOT NULL
);
-- Extra closed days (company closures) beyond the public holidays.
CREATE TABLE calendar_closures (
    calendar_id  INTEGER NOT NULL,
    day          DATE NOT NULL,
    name         VARCHAR NOT NULL
);
-- Derived from the three tables above by analytics/calendars.py (never edited by hand):
-- each working interval in epoch seconds with the working seconds before it.
CREATE TABLE calendar_intervals (
    calendar_id  INTEGER NOT NULL,
    start_s      DOUBLE NOT NULL,
    end_s        DOUBLE NOT NULL,
    seconds      DOUBLE NOT NULL,
    cum_start    DOUBLE NOT NULL
);

CREATE TABLE severities (
    severity    SMALLINT PRIMARY KEY,
    name        VARCHAR NOT NULL,
    definition  VARCHAR NOT NULL
);

-- Targets per severity and measure, and the calendar each runs on.
CREATE TABLE sla_targets (
    severity     SMALLINT NOT NULL,
    measure      VARCHAR NOT NULL CHECK (measure IN ('response', 'resolution')),
    target_value DOUBLE NOT NULL CHECK (target_value > 0),
    target_unit  VARCHAR NOT NULL CHECK (target_unit IN ('minutes', 'hours', 'business_days')),
    calendar_id  INTEGER NOT NULL,
    PRIMARY KEY (severity, measure)
);

CREATE TABLE tickets (
    id                BIGINT PRIMARY KEY,     -- assigned by the (serialised) writer: max(id) + n
    reference         VARCHAR NOT NULL,
    company_id        INTEGER NOT NULL,
    contact_name      VARCHAR,
    contact_email     VARCHAR,
    contact_phone     VARCHAR,
    user_id           VARCHAR,
    raised_by_admin   BOOLEAN,
    channel           VARCHAR NOT NULL,
    severity          SMALLINT NOT NULL,     -- final severity: the targets it is measured against
    initial_severity  SMALLINT,              -- severity at creation (e-mail defaults to 4)
    category          VARCHAR,
    platform          VARCHAR,
    status            VARCHAR NOT NULL,
    opened_at         TIMESTAMPTZ NOT NULL,
    first_response_at TIMESTAMPTZ,
    resolved_at       TIMESTAMPTZ,
    closed_at         TIMESTAMPTZ,
    assignee          VARCHAR,
    team              VARCHAR,
    resolution_code   VARCHAR,
    description       VARCHAR,
    transaction_ids   VARCHAR,               -- job number or transaction ids of the report
    event_at          TIMESTAMPTZ,           -- when the reported event happened
    error_messages    VARCHAR,
    source            VARCHAR NOT NULL DEFAULT 'vigie',
    source_made_sla   BOOLEAN,               -- the source system's own verdict, when it has one
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE ticket_events_id;
CREATE TABLE ticket_events (
    id           BIGINT DEFAULT nextval('ticket_events_id'),
    ticket_id    BIGINT NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    kind         VARCHAR NOT NULL,  -- opened, response, status, reassigned, severity, resolved, reopened, closed
    from_value   VARCHAR,
    to_value     VARCHAR,
    actor        VARCHAR
);

CREATE SEQUENCE import_runs_id;
CREATE TABLE import_runs (
    id           BIGINT PRIMARY KEY DEFAULT nextval('import_runs_id'),
    kind         VARCHAR NOT NULL,      -- tickets, logins, ...
    source       VARCHAR NOT NULL,      -- canonical, servicenow, ...
    file_name    VARCHAR NOT NULL,
    actor        VARCHAR NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ NOT NULL,
    rows_read    BIGINT NOT NULL,
    inserted     BIGINT NOT NULL,
    updated      BIGINT NOT NULL,
    unchanged    BIGINT NOT NULL,
    rejected     BIGINT NOT NULL
);
CREATE TABLE import_rejections (
    import_id    BIGINT NOT NULL,
    line         BIGINT NOT NULL,
    reason       VARCHAR NOT NULL,
    raw          VARCHAR
);
