-- 030: login events of the SaaS (DOMAIN.md section 5) and their daily rollup.
-- One row per event; the trusted zone is never stored: it is derived on read from
-- ip_num and the lockout.trusted_zone setting, so changing the zone re-evaluates history.
CREATE TABLE login_events (
    occurred_at      TIMESTAMPTZ NOT NULL,
    user_id          VARCHAR NOT NULL,
    company_id       INTEGER NOT NULL,
    ip               VARCHAR NOT NULL,   -- canonical text form
    ip_num           UHUGEINT NOT NULL,  -- 128-bit number; IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d)
    outcome          VARCHAR NOT NULL CHECK (outcome IN ('success', 'failure', 'locked', 'unlock',
                                                         'password_regenerated', 'inactivity_logout')),
    actor            VARCHAR,            -- the administrator who unlocked / regenerated
    source           VARCHAR NOT NULL,   -- demo, canonical
    import_id        BIGINT,
    -- Facts of each user's sequence, derived by analytics/login_store.py when events are written:
    streak           SMALLINT NOT NULL,  -- failed attempts in a row before this event
    since_attempt_s  DOUBLE,             -- failures: seconds since the user's previous attempt
    since_success_s  DOUBLE,             -- inactivity logouts: seconds since the user's last success
    next_attempt_s   DOUBLE,             -- inactivity logouts: seconds until the user's next attempt
    release_s        DOUBLE              -- lockouts: seconds until the next unlock or regeneration
);

-- Events per local day (deployment time zone), company and outcome; rebuilt after every write
-- of login events so that the daily figures stay interactive over millions of events.
CREATE TABLE login_daily (
    day         DATE NOT NULL,
    company_id  INTEGER NOT NULL,
    outcome     VARCHAR NOT NULL,
    events      BIGINT NOT NULL
);
CREATE TABLE login_rollup_state (
    timezone      VARCHAR NOT NULL,  -- the time zone the days were cut in
    events        BIGINT NOT NULL,   -- login_events rows when it was rebuilt
    refreshed_at  TIMESTAMPTZ NOT NULL
);
