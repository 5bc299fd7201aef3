-- Security clearance of the people on a privileged access path (issue 13):
-- "administrator versus ordinary access, how many people, security
-- clearance where national law requires it". Swedish säkerhetsskyddslagen
-- (2018:585) requires security vetting (säkerhetsprövning, 3 kap.) of staff
-- given access to a security-sensitive activity, and a security protection
-- agreement with a supplier who is (2 kap. 6 §). Whether the people on a
-- path are cleared is yes, no or not established (NULL), dated with the
-- path as every fact of it is; rows already stored are not established.
-- At the end, indexes for the ways in from the internet at an instant.
ALTER TABLE access_paths ADD COLUMN staff_cleared boolean;

-- kedja_clearance_gap judges a privileged access path into a system
-- holding health data: 'abroad' when supplier staff (vendor support or
-- customers' users) with administrator rights reach a system accessed
-- from outside the EEA, where Swedish vetting cannot follow them, and
-- their clearance is not recorded as yes; 'clearance_unknown' when it is
-- not established at home. NULL when the path is not privileged, is the
-- operator's own staff or the public, or its staff are cleared. A
-- recorded "no" at home is not raised: whether the law requires
-- clearance depends on the controller's classification of its system as
-- security-sensitive, which kedja does not record; a "no" is the
-- controller's account, unknown is the gap.
CREATE FUNCTION kedja_clearance_gap(privileged boolean, audience text, staff_cleared boolean, accessed_abroad boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN NOT COALESCE(privileged, false) OR audience NOT IN ('vendor_support', 'customer_users') OR staff_cleared IS TRUE THEN NULL
        WHEN COALESCE(accessed_abroad, false) THEN 'abroad'
        WHEN staff_cleared IS NULL THEN 'clearance_unknown'
    END
$$;

-- kedja_clearance_severity: high for administrator access to health data
-- from outside the EEA (the 2017 regional outsourcing that gave a
-- subcontractor's staff in three countries administrator rights on
-- patient-record servers; IMY 2021 on the 1177 nurses working in the
-- record system from Thailand), medium for clearance not established, as
-- not_established weighs an unknown security fact.
CREATE FUNCTION kedja_clearance_severity(gap text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE gap WHEN 'abroad' THEN 'high' WHEN 'clearance_unknown' THEN 'medium' END
$$;

-- The ways in from the internet at an instant (kedja_internet_access) are
-- asked for per trace too, which names each held system's known exposure:
-- these indexes let that read, and the checks, find the few exposed
-- profiles and internet access paths in force without scanning every
-- profile in force.
CREATE INDEX system_profiles_internet_exposed ON system_profiles USING gist (valid) WHERE internet_exposed;
CREATE INDEX access_paths_from_internet ON access_paths USING gist (valid) WHERE origin = 'internet';
