-- The kinds of security evidence health buyers ask for, and whether the
-- evidence is self-assessed: a self-assessment is weaker than a
-- certificate or an auditor's report, and the attestation check says so.
ALTER TABLE attestations DROP CONSTRAINT attestations_kind_check;
ALTER TABLE attestations ADD CONSTRAINT attestations_kind_check CHECK (kind IN (
    'iso27001', 'iso27701', 'soc2_type2', 'csa_star', 'bsi_c5', 'hds', 'health_self_assessment', 'cyber_essentials',
    'pentest', 'dpf_certification', 'other'));
ALTER TABLE attestations ADD COLUMN self_assessed boolean NOT NULL DEFAULT false;

-- kedja_attestation_evidence says whether an attestation counts as
-- security evidence of a party or system at all (a DPF certification is a
-- transfer condition, not security evidence: NULL), and whether as
-- certified or only self-assessed evidence. (A national health-sector
-- self-assessment is stored as self-assessed: Attestation.Validate.)
CREATE FUNCTION kedja_attestation_evidence(kind text, self_assessed boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN kind = 'dpf_certification' THEN NULL
                WHEN self_assessed THEN 'self_assessed'
                ELSE 'certified' END
$$;
