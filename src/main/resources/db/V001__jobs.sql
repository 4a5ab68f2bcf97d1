-- V001: durable jobs.
--
-- One row per job. A job moves available/scheduled -> running -> completed, or
-- running -> retryable (back to running after its backoff) -> ... -> discarded after max_attempts;
-- cancelled from any state that is not final. Final states: completed, cancelled, discarded.
CREATE TABLE fanout_job (
  id              bigserial   PRIMARY KEY,
  -- which handler runs it: consumers of fanout.job.<kind>
  kind            text        NOT NULL,
  queue           text        NOT NULL DEFAULT 'default',
  state           text        NOT NULL DEFAULT 'available'
                  CHECK (state IN ('available', 'scheduled', 'running', 'retryable', 'completed', 'cancelled', 'discarded')),
  payload         jsonb       NOT NULL DEFAULT '{}',
  -- higher runs first; ties by run_at, then id
  priority        smallint    NOT NULL DEFAULT 0,
  -- not before this time (scheduled jobs, retry backoff, snooze)
  run_at          timestamptz NOT NULL DEFAULT now(),
  -- attempts started so far; a claim increments it, and it guards every later write of that attempt
  attempt         int         NOT NULL DEFAULT 0,
  max_attempts    int         NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
  -- while running: the time after which the rescuer may take the job back
  lease_until     timestamptz,
  -- one {at, attempt, kind, message} per failed attempt, oldest first
  errors          jsonb       NOT NULL DEFAULT '[]',
  result          jsonb,
  batch_id        uuid,
  -- unique while the job exists: enqueueing the same key again returns this job
  idempotency_key text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  attempted_at    timestamptz,
  finalized_at    timestamptz
);

-- The claim: runnable jobs of the kinds a node serves, best first.
CREATE INDEX fanout_job_runnable ON fanout_job (kind, priority DESC, run_at, id)
  WHERE state IN ('available', 'scheduled', 'retryable');
-- The rescuer: running jobs by lease expiry.
CREATE INDEX fanout_job_leases ON fanout_job (lease_until) WHERE state = 'running';
-- Batches (queue.join) and listing by state and kind.
CREATE INDEX fanout_job_batch ON fanout_job (batch_id, state) WHERE batch_id IS NOT NULL;
CREATE INDEX fanout_job_state_kind ON fanout_job (state, kind, id);
-- Pruning finished jobs.
CREATE INDEX fanout_job_finalized ON fanout_job (finalized_at) WHERE finalized_at IS NOT NULL;
CREATE UNIQUE INDEX fanout_job_idempotency ON fanout_job (idempotency_key) WHERE idempotency_key IS NOT NULL;
