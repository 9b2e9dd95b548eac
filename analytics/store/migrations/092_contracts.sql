-- 092: contracts per customer (analytics/sla/contracts.py). A contract holds its own SLA targets per
-- severity and measure, each on a calendar; a company is under a contract from an instant on, so a change
-- of contract applies to the tickets opened from then on and history before it stays measured under the
-- old one. Contract 1, Standard, is the default: its targets are the table sla_targets, and a company
-- with no contract (or a ticket opened before the company's first contract) is measured under it.
CREATE TABLE contracts (
    id           INTEGER PRIMARY KEY,
    name         VARCHAR NOT NULL UNIQUE,
    description  VARCHAR
);
INSERT INTO contracts (id, name, description) VALUES (1, 'Standard', 'The default contract: the SLA targets table');

-- The targets of every contract but Standard (whose targets are sla_targets).
CREATE TABLE contract_targets (
    contract_id   INTEGER NOT NULL,
    severity      SMALLINT NOT NULL,
    measure       VARCHAR NOT NULL CHECK (measure IN ('response', 'resolution')),
    target_value  DOUBLE NOT NULL CHECK (target_value > 0),
    target_unit   VARCHAR NOT NULL CHECK (target_unit IN ('minutes', 'hours', 'business_days')),
    calendar_id   INTEGER NOT NULL,
    PRIMARY KEY (contract_id, severity, measure)
);

-- Which contract a company is under, from starts_at (midnight of the chosen day in the deployment time
-- zone) until the company's next row.
CREATE TABLE company_contracts (
    company_id   INTEGER NOT NULL,
    contract_id  INTEGER NOT NULL,
    starts_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (company_id, starts_at)
);

-- The rules of each version of the ledger hold the contracts too.
ALTER TABLE sla_version_targets ADD COLUMN contract_id INTEGER DEFAULT 1;
CREATE TABLE sla_version_contracts (
    version      INTEGER NOT NULL,
    company_id   INTEGER NOT NULL,
    contract_id  INTEGER NOT NULL,
    starts_at    TIMESTAMPTZ NOT NULL
);
ALTER TABLE sla_ledger ADD COLUMN contract_id INTEGER DEFAULT 1;
ALTER TABLE sla_daily ADD COLUMN contract_id INTEGER DEFAULT 1;
