-- Web sessions: a browser signs in with an API token once and is then known
-- by a random session id in a cookie. Only the id's SHA-256 is kept, so a
-- copy of this table lets nobody in. A session belongs to the token it was
-- made from: revoking or expiring the token ends its sessions at once.
CREATE TABLE web_sessions (
    hash        bytea       PRIMARY KEY,
    token_id    bigint      NOT NULL REFERENCES api_tokens ON DELETE CASCADE,
    -- The form token every POST of this session must carry (CSRF).
    csrf        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    idle        interval    NOT NULL CHECK (idle > interval '0'),
    expires_at  timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- An access-request handler's own earlier cases (the traces its token made,
-- 0020), newest first.
CREATE INDEX call_traces_made_by_newest ON call_traces (made_by, created_at DESC, id);
