-- V004: a claim that PostgreSQL can write in place.
--
-- A claim changes state, attempt, attempted_at and lease_until. When none of the columns it
-- changes is in an index (as a key or in a partial index's WHERE), PostgreSQL writes the new row
-- version on the same page as a heap-only tuple (HOT): no index gets an entry for it. Measured
-- with pgbench on this schema, the two-write job life (claim, then complete) runs about 1.5 times
-- as fast. So:
--
-- * the claim's index covers every job that is not final (finalized_at IS NULL, which every
--   final state sets and every way out of one clears), running ones included: the claim steps
--   over running jobs whose lease holds, and takes back the ones whose lease expired;
-- * the lease index goes (the sweep for expired leases walks the claim's index);
-- * the batch index no longer holds the state (a batch's counts read its rows).
DROP INDEX IF EXISTS fanout_job_leases;

DROP INDEX IF EXISTS fanout_job_batch;
CREATE INDEX fanout_job_batch ON fanout_job (batch_id) WHERE batch_id IS NOT NULL;

DROP INDEX IF EXISTS fanout_job_runnable;
CREATE INDEX fanout_job_runnable ON fanout_job (kind, priority DESC, run_at, id) WHERE finalized_at IS NULL;

-- An in-place version needs room on its page: a claim takes a page's jobs about all at once, so
-- half of each new page is left free for their claimed versions (80 % left too little: most
-- claims moved to another page and wrote every index). Pages written before keep their fill.
ALTER TABLE fanout_job SET (fillfactor = 50);
