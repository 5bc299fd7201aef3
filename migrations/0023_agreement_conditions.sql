-- Conditions written into an agreement (issue 13): a link's agreement may
-- forbid what the chain below it then does ("no supplier staff may access
-- patient data"). Each condition is a dated fact of the link, from a small
-- closed set, so that the agreement_condition check can hold the dated
-- facts below the link against it.
CREATE TABLE agreement_conditions (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id           bigint    NOT NULL REFERENCES links,
    kind              text      NOT NULL CHECK (kind IN ('no_supplier_access_to_health_data', 'no_privileged_access_abroad',
                                                          'data_stays_in', 'no_subprocessors_without_approval')),
    -- data_stays_in only: ISO 3166-1 alpha-2 codes, or EEA for the
    -- countries of the EEA at the instant judged.
    allowed_countries text[]    NOT NULL DEFAULT '{}',
    clause            text      CHECK (length(clause) <= 300),
    note              text      CHECK (length(note) <= 4000),
    valid             tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT agreement_conditions_countries CHECK ((kind = 'data_stays_in') = (cardinality(allowed_countries) > 0)),
    CONSTRAINT agreement_conditions_no_overlap EXCLUDE USING gist (link_id WITH =, kind WITH =, valid WITH &&)
);
CREATE INDEX agreement_conditions_link ON agreement_conditions (link_id);

CREATE TRIGGER agreement_conditions_history AFTER INSERT OR UPDATE ON agreement_conditions
    FOR EACH ROW EXECUTE FUNCTION kedja_record_change();
CREATE TRIGGER agreement_conditions_no_delete BEFORE DELETE ON agreement_conditions
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete();

-- kedja_country_allowed: whether a country is among those a data_stays_in
-- condition allows at instant at (EEA: an EEA member then, by
-- kedja_transfer_class, the one statement of EEA membership).
CREATE FUNCTION kedja_country_allowed(code text, allowed text[], at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT code = ANY(allowed) OR ('EEA' = ANY(allowed) AND kedja_transfer_class(CAST(code AS char(2)), at) = 'eea')
$$;

-- kedja_supplier_staff: an access path's audience is staff of a supplier:
-- the vendor's support, or the operator's own staff when the operator is
-- the receiving party of the conditioned link or a party below it.
CREATE FUNCTION kedja_supplier_staff(audience text, operator_below boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT audience = 'vendor_support' OR (audience = 'own_staff' AND COALESCE(operator_below, false))
$$;
