-- 080: tokens for the HTTP API (issued by admins on the Settings page). Only a SHA-256 of the secret
-- is kept: the secret is shown once, when it is made. A token reads (the figures) or writes (events).
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    name          VARCHAR NOT NULL,
    scope         VARCHAR NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash    VARCHAR NOT NULL UNIQUE,
    prefix        VARCHAR NOT NULL,           -- the secret's first characters, to recognise it in a list
    created_by    VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    revoked_by    VARCHAR
);
