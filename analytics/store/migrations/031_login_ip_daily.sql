-- 031: per day, address and company, the accounts that failed to log in from the address without
-- logging in from it that day (what a password spray leaves behind). Rebuilt with login_daily after
-- every write of login events; the spray threshold is a setting applied on read.
CREATE TABLE login_ip_daily (
    day         DATE NOT NULL,          -- local day (deployment time zone)
    ip          VARCHAR NOT NULL,
    ip_num      UHUGEINT NOT NULL,
    company_id  INTEGER NOT NULL,
    accounts    BIGINT NOT NULL,        -- the company's accounts failing from the address, never succeeding
    failures    BIGINT NOT NULL,        -- their failed attempts from it
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL
);
-- Databases that already hold login events get the new rollup at their next write; until then
-- the figures are computed from the events.
DELETE FROM login_rollup_state;
