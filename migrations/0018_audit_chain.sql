-- The audit log's chain becomes keyed (issue 12). Rows written until now
-- keep chain version 1: SHA-256 over the row before's hash and the row's
-- fields, which anyone with the database can recompute. Rows from now on are
-- version 2: HMAC-SHA256 with a key kept outside the database, and numbered
-- one after another (id = the row before's id + 1), so that a gap is
-- visible too. The first version-2 row's MAC covers the last version-1
-- row's hash, which covers every version-1 row before it: the old rows are
-- sealed by the first keyed one and cannot be re-chained without the key.
-- The default fills the rows already there; kedja names the version of
-- every row it appends, and a row appended without one after keyed rows is
-- reported by kedja audit verify as written without the key.
ALTER TABLE audit_log ADD COLUMN chain_version smallint NOT NULL DEFAULT 1 CHECK (chain_version IN (1, 2));

-- Row triggers do not see TRUNCATE: a statement trigger refuses it, so that
-- emptying the log takes disabling a trigger first (which only the owner
-- can, and which the signed checkpoints outside the database reveal anyway).
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION kedja_forbid_change();
