-- Access: API tokens (only their hashes are kept) and the audit log, whose
-- rows are hash-chained so that an altered, inserted or deleted row shows.

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role         text        NOT NULL CHECK (role IN ('admin', 'editor', 'auditor', 'dsr')),
    prefix       text        NOT NULL,  -- the token's first characters, to recognise it in lists
    hash         bytea       NOT NULL UNIQUE,  -- SHA-256 of the whole token
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text        NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE audit_log (
    id         bigint      PRIMARY KEY,
    at         timestamptz NOT NULL,
    principal  text        NOT NULL,
    role       text        NOT NULL,
    operation  text        NOT NULL,
    query_hash text        NOT NULL,
    affected   text[]      NOT NULL,
    case_ref   text,
    client     text        NOT NULL,
    outcome    text        NOT NULL,
    prev_hash  bytea       NOT NULL,
    hash       bytea       NOT NULL
);
CREATE SEQUENCE audit_log_id;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_change();
