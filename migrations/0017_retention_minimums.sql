-- How long a controller's law says data must be kept at least, by the kind
-- of system that keeps it: Swedish patient records at least ten years.
-- Kept as data with dates, like the EEA and adequacy lists, since the law
-- changes and differs by country (issue 14 will hang it on jurisdictions).
CREATE TABLE retention_minimums (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code char(2) NOT NULL REFERENCES countries,
    system_kind  text    NOT NULL,
    min_days     int     NOT NULL CHECK (min_days > 0),
    legal_ref    text    NOT NULL CHECK (length(legal_ref) BETWEEN 1 AND 300),
    valid        daterange NOT NULL,
    CONSTRAINT retention_minimums_no_overlap EXCLUDE USING gist (country_code WITH =, system_kind WITH =, valid WITH &&)
);
DO $$
BEGIN
    EXECUTE 'CREATE TRIGGER retention_minimums_history AFTER INSERT OR UPDATE ON retention_minimums FOR EACH ROW EXECUTE FUNCTION kedja_record_change()';
    EXECUTE 'CREATE TRIGGER retention_minimums_no_delete BEFORE DELETE ON retention_minimums FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()';
END $$;

SELECT set_config('kedja.actor', 'migration 0017', true);
INSERT INTO retention_minimums (country_code, system_kind, min_days, legal_ref, valid)
VALUES ('SE', 'records', 3650, 'Patientdatalagen (2008:355) 3 kap. 17 §: patient records are kept at least ten years', daterange('2008-07-01', NULL));
