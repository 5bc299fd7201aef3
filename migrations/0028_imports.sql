-- Suppliers' sub-processor lists (issue 17): each upload is kept with its
-- author, file name and hash, its rows and its dry run, until a person
-- approves it (applied in one transaction through the registry's own
-- writes, which record their history in changes) or rejects it with a
-- reason. An import is never deleted; only its decision is filled in once.
CREATE TABLE imports (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id        bigint      NOT NULL REFERENCES organisations,
    controller_link_id bigint      REFERENCES links,
    effective_date     date        NOT NULL,
    author             text        NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
    source_name        text        NOT NULL CHECK (length(source_name) BETWEEN 1 AND 255),
    source_sha256      text        NOT NULL CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    format             text        NOT NULL CHECK (format IN ('csv', 'xlsx', 'yaml')),
    rows               jsonb       NOT NULL,
    diff               jsonb       NOT NULL,
    status             text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    decided_by         text        CHECK (length(decided_by) <= 200),
    decided_at         timestamptz,
    reason             text        CHECK (length(reason) <= 2000),
    decisions          jsonb       NOT NULL DEFAULT '[]',
    new_link_ids       bigint[]    NOT NULL DEFAULT '{}',
    applied            jsonb       NOT NULL DEFAULT '[]',
    CONSTRAINT imports_decided CHECK ((status = 'pending') = (decided_at IS NULL AND decided_by IS NULL)),
    CONSTRAINT imports_rejected_why CHECK (status <> 'rejected' OR reason IS NOT NULL)
);
CREATE INDEX imports_supplier ON imports (supplier_id, id DESC);

CREATE TRIGGER imports_no_delete BEFORE DELETE ON imports
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete();

-- A decided import stays as decided: only a pending one may change, and
-- only to its decision.
CREATE FUNCTION kedja_import_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'import % is already %', OLD.id, OLD.status USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER imports_decided_once BEFORE UPDATE ON imports
    FOR EACH ROW EXECUTE FUNCTION kedja_import_decided_once();
