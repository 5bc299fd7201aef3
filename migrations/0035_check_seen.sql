-- When each check was last run (issue 18): a run of checks used to rewrite
-- every finding it found again, only to move its last_seen and that of its
-- controllers, some 110,000 rows on every run of a large registry. Now a run
-- writes only the findings whose state changed, and says once per check when
-- it ran.
--
-- That is enough to know when a finding was last seen: every run over a
-- check either finds each of that check's findings that is not resolved, or
-- resolves it. So a finding not resolved was last seen by the last run over
-- its check (check_seen.last_seen), and findings.last_seen is the clock time
-- of the last run that wrote it; a run that resolves a finding sets it to
-- the check's last_seen before its own, when it was last found. A finding's
-- controllers were last seen when the finding was.
CREATE TABLE check_seen (
    check_id  text        PRIMARY KEY,
    last_seen timestamptz NOT NULL,   -- clock time of the last run over this check
    run_id    bigint      REFERENCES check_runs
);

-- The findings not resolved were all seen by the last run over their check.
INSERT INTO check_seen (check_id, last_seen)
SELECT check_id, max(last_seen) FROM findings WHERE status <> 'resolved' GROUP BY check_id;
