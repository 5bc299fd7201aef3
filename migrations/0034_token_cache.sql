-- Token caches (issue 18): each kedja serve instance keeps the tokens it
-- has authenticated in memory for a few seconds instead of reading
-- api_tokens on every request. A revocation must still be refused on the
-- very next request at every instance, so:
--
--   * every change of who a token is or whether it is live (revoked,
--     expiry, role, name, secret, deleted) bumps token_epoch and notifies
--     the channel kedja_tokens with the new epoch, in the changing
--     transaction (delivered at its commit);
--   * every instance listens, drops its cache when told, and then records
--     the epoch it has dropped its cache for (token_caches.seen); it also
--     renews its lease (heard_at) every third of it, and serves from its cache
--     only while the lease it last renewed runs;
--   * a revocation (store.RevokeToken) returns only once every instance
--     whose lease may still run has seen its epoch.

-- The number of changes to api_tokens so far: one row.
CREATE TABLE token_epoch (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n   bigint  NOT NULL
);
INSERT INTO token_epoch (n) VALUES (0);

-- The instances caching tokens: the epoch each has dropped its cache for,
-- when it last renewed its lease, and how long its lease runs. An instance
-- that stops without saying so leaves its row, which no revocation waits
-- for once its lease has run out; rows an hour stale are removed when an
-- instance starts.
CREATE TABLE token_caches (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seen       bigint      NOT NULL,
    heard_at   timestamptz NOT NULL DEFAULT now(),
    lease      interval    NOT NULL CHECK (lease > interval '0'),
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION kedja_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    e bigint;
BEGIN
    UPDATE token_epoch SET n = n + 1 RETURNING n INTO e;
    PERFORM pg_notify('kedja_tokens', e::text);
    RETURN NULL;
END
$$;

-- last_used_at is not listed: marking a use changes nothing a cache holds.
CREATE TRIGGER api_tokens_changed
    AFTER UPDATE OF name, role, prefix, hash, expires_at, revoked_at OR DELETE OR TRUNCATE ON api_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_tokens_changed();
