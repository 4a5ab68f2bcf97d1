-- V003: fewer writes per job.
--
-- A claim and a completion each write a new row version, and every index on the table gets an
-- entry for it: each index costs every job three index insertions (enqueue, claim, completion).
-- The (state, kind, id) index served no statement well (listing filters on optional parameters
-- and walks the primary key; the queue summary counts the whole table), so it goes.
DROP INDEX IF EXISTS fanout_job_state_kind;

-- Ids come from the sequence in blocks of 100 per connection instead of one at a time: a batch
-- enqueue allocates a thousand ids per statement. Ids stay unique and ascending within one
-- enqueue; across concurrent enqueues they interleave in blocks, and a connection that closes
-- leaves a gap.
ALTER SEQUENCE fanout_job_id_seq CACHE 100;
