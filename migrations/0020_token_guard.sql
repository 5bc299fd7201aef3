-- Token guessing and trace ownership (issue 12, items 4 and 5).

-- A lock-out stops authentication attempts from a client address, or
-- against a token prefix (the first characters of a secret, shown in token
-- lists), after too many failures. It is kept here so that a restart does
-- not lift it; an admin lifts it (lifted_at, lifted_by), and the row stays
-- as the record of both.
CREATE TABLE auth_lockouts (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind      text        NOT NULL CHECK (kind IN ('address', 'prefix')),
    key       text        NOT NULL CHECK (length(key) BETWEEN 1 AND 100),
    failures  int         NOT NULL CHECK (failures > 0),
    locked_at timestamptz NOT NULL DEFAULT now(),
    lifted_at timestamptz,
    lifted_by text,
    CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
);
-- Never deleted: a lifted lock-out stays as the record of who lifted it.
CREATE TRIGGER auth_lockouts_no_delete BEFORE DELETE ON auth_lockouts
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete();
-- At most one lock-out in force per address or prefix.
CREATE UNIQUE INDEX auth_lockouts_active ON auth_lockouts (kind, key) WHERE lifted_at IS NULL;

-- Authentication looks a token up by its prefix and compares the hash in
-- constant time in memory.
CREATE INDEX api_tokens_prefix ON api_tokens (prefix);

-- The token a trace was made with: a dsr user reads only the traces its
-- own token made. An id rather than created_by (the token's name), because
-- names are free text that two tokens may share.
ALTER TABLE call_traces ADD COLUMN made_by bigint REFERENCES api_tokens;
CREATE INDEX call_traces_made_by_case ON call_traces (made_by, case_ref);

-- Traces made before this migration get the token whose name they carry,
-- where exactly one token has that name; the others stay unowned, readable
-- by auditors and admins only. call_traces is append-only, so its guard is
-- set aside for this one backfill.
ALTER TABLE call_traces DISABLE TRIGGER call_traces_append_only;
UPDATE call_traces c SET made_by = t.id
FROM (SELECT name, min(id) AS id FROM api_tokens GROUP BY name HAVING count(*) = 1) t
WHERE t.name = c.created_by;
ALTER TABLE call_traces ENABLE TRIGGER call_traces_append_only;
