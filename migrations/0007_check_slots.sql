-- Every scheduled slot leaves a row of its fate in check_runs, not only the
-- slots that ran to the end on the instance that won them.
--
-- A row is written with status 'running' and committed before the run's
-- work starts, so a runner killed mid-run leaves that row behind instead of
-- nothing (its work rolls back with its transaction). The runner holds a
-- session-level advisory lock on lock_key for as long as the row says
-- 'running'; PostgreSQL drops the lock when the runner's connection dies, so a
-- 'running' row whose lock nobody holds belongs to a dead runner, and the next
-- run or scheduler start marks it 'abandoned'.
--
-- Status values:
--   running               claimed, the work is under way (or its runner died
--                         and nobody has noticed yet)
--   ran                   finished; found/opened/reopened/resolved are set
--   failed                finished with an error; failure says which kind,
--                         in words safe to show (error keeps the detail for
--                         operators, and the server log has it too)
--   abandoned             its runner died while it was running
--   skipped_still_running the instance's previous run of the same checks
--                         had not finished when the slot came
--   claimed_elsewhere     another instance holds or has already claimed the
--                         slot
-- The last two are one instance's view of a slot another row may have run;
-- they are not claims, so they do not take part in the slot's uniqueness.

ALTER TABLE check_runs
    ADD COLUMN status   text,
    ADD COLUMN failure  text,
    ADD COLUMN lock_key bigint,
    -- Slots that did not run on this instance evaluated nothing.
    ALTER COLUMN evaluated_at DROP NOT NULL;

-- Runs before this migration committed their row only when they finished,
-- or wrote a row of their own when they failed.
UPDATE check_runs SET status = CASE WHEN error IS NULL THEN 'ran' ELSE 'failed' END,
                      failure = CASE WHEN error IS NULL THEN NULL ELSE 'error' END;

ALTER TABLE check_runs
    ALTER COLUMN status SET NOT NULL,
    ADD CONSTRAINT check_runs_status CHECK (status IN
        ('running', 'ran', 'failed', 'abandoned', 'skipped_still_running', 'claimed_elsewhere')),
    ADD CONSTRAINT check_runs_failure CHECK (
        CASE WHEN status = 'failed' THEN failure IS NOT NULL AND failure IN ('stopped', 'timeout', 'error')
             ELSE failure IS NULL END),
    -- The sweep finds a dead runner by its lock; a slot not run here was
    -- never locked here.
    ADD CONSTRAINT check_runs_lock CHECK (CASE
        WHEN status IN ('running', 'abandoned') THEN lock_key IS NOT NULL
        WHEN status IN ('skipped_still_running', 'claimed_elsewhere') THEN lock_key IS NULL
        ELSE true END),
    ADD CONSTRAINT check_runs_evaluated CHECK (
        evaluated_at IS NOT NULL OR status IN ('skipped_still_running', 'claimed_elsewhere')),
    -- Only the scheduler skips or loses slots.
    ADD CONSTRAINT check_runs_slot_fate CHECK (
        slot IS NOT NULL OR status NOT IN ('skipped_still_running', 'claimed_elsewhere')),
    DROP CONSTRAINT check_runs_slot_once;

-- One claim per (checks, slot) across instances. A claim is a row written
-- under the slot's lock, so it has a lock_key; it goes on to ran, failed or
-- abandoned. A run that fails before it could claim (the database away, the
-- instance stopping) records its failure without a key, and so does not take
-- the slot from an instance that can still run it. A run's INSERT ... ON
-- CONFLICT names this predicate.
CREATE UNIQUE INDEX check_runs_slot_once ON check_runs (checks, slot) WHERE lock_key IS NOT NULL;

-- The sweep looks only at running rows; there are few.
CREATE INDEX check_runs_running ON check_runs (id) WHERE status = 'running';
