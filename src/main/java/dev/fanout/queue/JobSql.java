package dev.fanout.queue;

/**
 * Every statement the queue runs, in one place. Writes that belong to one attempt are guarded by
 * {@code state = 'running' AND attempt = $attempt}, so a late finisher (its lease expired and the
 * job was rescued, or it was cancelled) can neither overwrite the outcome nor touch a newer
 * attempt. Batches go through unnest() arrays: one statement for many jobs.
 */
final class JobSql {
  private JobSql() {}

  /** A job row ({@link JobColumn}) as {@link Jobs} reads it. */
  static final String COLUMNS = JobColumn.list("");

  static final String EXISTING_KEYS =
      "SELECT id, idempotency_key, batch_id FROM fanout_job WHERE idempotency_key = ANY($1::text[])";

  /**
   * The whole enqueue in one statement (one round trip, one commit): ids are allocated per input
   * row, inputs whose idempotency key exists (or repeats an earlier input's) take that job's id,
   * the rest are inserted, the batch's range of ids is recorded ({@code fanout_batch}: a batch's
   * jobs are read by walking it), and each kind is notified (delivered at commit). One row per input, in
   * input order: its id, whether a row with a key lost a race to a concurrent enqueue, whether
   * this statement inserted its job, and the batch of the job that existed already.
   */
  static final String ENQUEUE = """
      WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::smallint[], $5::timestamptz[], $6::int[],
                             $7::text[])
          WITH ORDINALITY AS u(kind, queue, payload, priority, run_at, max_attempts, idempotency_key, ord)
      ), existing AS (
        SELECT id, idempotency_key, batch_id FROM fanout_job WHERE idempotency_key = ANY($7::text[])
      ), firsts AS (
        SELECT idempotency_key, min(ord) AS ord FROM input WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key
      ), fresh AS (
        SELECT nextval(pg_get_serial_sequence('fanout_job', 'id')) AS id, i.*
        FROM input i
        LEFT JOIN existing e ON e.idempotency_key = i.idempotency_key
        LEFT JOIN firsts f ON f.idempotency_key = i.idempotency_key
        WHERE i.idempotency_key IS NULL OR (e.id IS NULL AND f.ord = i.ord)
      ), ins AS (
        INSERT INTO fanout_job (id, kind, queue, payload, priority, run_at, state, max_attempts, idempotency_key,
                                batch_id)
        SELECT id, kind, queue, payload, priority, coalesce(run_at, now()),
               CASE WHEN run_at > now() THEN 'scheduled' ELSE 'available' END, max_attempts, idempotency_key, $8
        FROM fresh ORDER BY idempotency_key, ord  -- keys in one order: concurrent enqueues cannot deadlock on them
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING id
      ), batch AS (
        -- the range of ids inserted, by which the batch's jobs are read (none when nothing was inserted)
        INSERT INTO fanout_batch (id, first_id, last_id) SELECT $8, min(id), max(id) FROM ins HAVING count(*) > 0
          -- an enqueue that joins an existing batch ("batch" given) widens its range
          ON CONFLICT (id) DO UPDATE SET first_id = least(fanout_batch.first_id, excluded.first_id),
                                         last_id = greatest(fanout_batch.last_id, excluded.last_id)
      ), notified AS (
        SELECT count(pg_notify('fanout_jobs', kind)) AS n FROM (SELECT DISTINCT kind FROM input) k
      )
      SELECT i.ord, coalesce(fr.id, e.id, frk.id) AS id,
             (fr.id IS NOT NULL OR frk.id IS NOT NULL) AND ins.id IS NULL AND insk.id IS NULL AS lost,
             ins.id IS NOT NULL AS inserted, e.batch_id AS existing_batch,
             (SELECT n FROM notified) AS notified
      FROM input i
      LEFT JOIN fresh fr ON fr.ord = i.ord
      LEFT JOIN existing e ON e.idempotency_key = i.idempotency_key
      LEFT JOIN firsts f ON f.idempotency_key = i.idempotency_key AND f.ord <> i.ord
      LEFT JOIN fresh frk ON frk.ord = f.ord
      LEFT JOIN ins ON ins.id = fr.id
      LEFT JOIN ins insk ON insk.id = frk.id
      ORDER BY i.ord""";

  /**
   * The enqueue of jobs without idempotency keys (the bulk case): a plain insert, about a third
   * cheaper for PostgreSQL than {@link #ENQUEUE}. The function scan hands the rows over in input
   * order and nextval() ascends within one statement, so the ids sorted are the ids in input order.
   */
  static final String ENQUEUE_PLAIN = """
      WITH ins AS (
        INSERT INTO fanout_job (kind, queue, payload, priority, run_at, state, max_attempts, batch_id)
        SELECT kind, queue, payload, priority, coalesce(run_at, now()),
               CASE WHEN run_at > now() THEN 'scheduled' ELSE 'available' END, max_attempts, $7
        FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::smallint[], $5::timestamptz[], $6::int[])
          AS u(kind, queue, payload, priority, run_at, max_attempts)
        RETURNING id
      ), batch AS (
        INSERT INTO fanout_batch (id, first_id, last_id) SELECT $7, min(id), max(id) FROM ins HAVING count(*) > 0
          -- an enqueue that joins an existing batch ("batch" given) widens its range
          ON CONFLICT (id) DO UPDATE SET first_id = least(fanout_batch.first_id, excluded.first_id),
                                         last_id = greatest(fanout_batch.last_id, excluded.last_id)
      )
      SELECT id, (SELECT count(pg_notify('fanout_jobs', k)) FROM unnest($8::text[]) AS k) AS notified
      FROM ins ORDER BY id""";

  /** What a lease that expired adds to the job's errors (for the attempt that held it). */
  private static final String LEASE_EXPIRED =
      "jsonb_build_object('at', now(), 'attempt', j.attempt, 'kind', 'lease-expired', "
      + "'message', 'the lease expired: the worker stopped or lost the database')";

  /**
   * Claims up to $2 jobs of kind $1, best first, leased for $3 ms. It walks the index of jobs that
   * are not final, stepping over running jobs whose lease holds; a running job whose lease expired
   * is taken back here (that is the rescue): its error is recorded, and it runs again as the next
   * attempt, or is discarded when that was its last. The changed columns are in no index, so the
   * new row versions are written in place (HOT). The claiming node ($4) is recorded in
   * {@code claimed_by}, so the jobs it holds can be taken back as soon as it leaves the cluster
   * ({@link #RESCUE_NODE}). Answers every row it changed; only those in state running are the
   * caller's to run.
   */
  static final String CLAIM = """
      WITH picked AS (
        SELECT id, state = 'running' AS expired, state = 'running' AND attempt >= max_attempts AS spent
        FROM fanout_job
        WHERE kind = $1 AND finalized_at IS NULL AND run_at <= now() AND (state <> 'running' OR lease_until < now())
        ORDER BY priority DESC, run_at, id
        LIMIT $2
        FOR NO KEY UPDATE SKIP LOCKED)
      UPDATE fanout_job j SET
        state = CASE WHEN picked.spent THEN 'discarded' ELSE 'running' END,
        errors = CASE WHEN picked.expired THEN j.errors || jsonb_build_array(""" + LEASE_EXPIRED + """
      ) ELSE j.errors END,
        finalized_at = CASE WHEN picked.spent THEN now() END,
        attempt = CASE WHEN picked.spent THEN j.attempt ELSE j.attempt + 1 END,
        attempted_at = CASE WHEN picked.spent THEN j.attempted_at ELSE now() END,
        lease_until = CASE WHEN picked.spent THEN NULL ELSE now() + $3 * interval '1 millisecond' END,
        claimed_by = CASE WHEN picked.spent THEN NULL ELSE $4::text END
      FROM picked WHERE j.id = picked.id
      RETURNING\s""" + JobColumn.list("j.");

  /**
   * Discards claimed attempts whose row the API cannot read ($3: why), recording an
   * {@code invalid-row} error: they would fail every time they were claimed.
   */
  static final String DISCARD_INVALID = """
      UPDATE fanout_job j SET state = 'discarded', finalized_at = now(), lease_until = NULL, claimed_by = NULL,
        errors = j.errors || jsonb_build_array(jsonb_build_object('at', now(), 'attempt', j.attempt,
          'kind', 'invalid-row', 'message', u.message))
      FROM unnest($1::bigint[], $2::int[], $3::text[]) AS u(id, attempt, message)
      WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running'""";

  static final String COMPLETE = """
      UPDATE fanout_job j SET state = 'completed', result = u.result, finalized_at = now(), lease_until = NULL,
    claimed_by = NULL
      FROM unnest($1::bigint[], $2::int[], $3::jsonb[]) AS u(id, attempt, result)
      WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running'
      RETURNING j.id""";

  /** A failed attempt: retryable after its delay, or discarded when it was the last. */
  static final String FAIL = """
      UPDATE fanout_job j SET
        errors = j.errors || jsonb_build_array(u.error),
        state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'retryable' END,
        run_at = CASE WHEN j.attempt >= j.max_attempts THEN j.run_at
                      ELSE now() + u.delay_ms * interval '1 millisecond' END,
        finalized_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
        lease_until = NULL, claimed_by = NULL
      FROM unnest($1::bigint[], $2::int[], $3::jsonb[], $4::bigint[]) AS u(id, attempt, error, delay_ms)
      WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running'
      RETURNING j.id, j.state""";

  /** Snooze (the handler asked for later; no attempt used) and release (stopping; no attempt used). */
  static final String RESCHEDULE = """
      UPDATE fanout_job j SET state = 'scheduled', attempt = j.attempt - 1,
        run_at = now() + u.delay_ms * interval '1 millisecond', lease_until = NULL, claimed_by = NULL
      FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS u(id, attempt, delay_ms)
      WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running'
      RETURNING j.id""";

  static final String CANCEL_RUNNING = """
      UPDATE fanout_job j SET state = 'cancelled', result = u.result, finalized_at = now(), lease_until = NULL,
    claimed_by = NULL
      FROM unnest($1::bigint[], $2::int[], $3::jsonb[]) AS u(id, attempt, result)
      WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running'
      RETURNING j.id""";

  /**
   * Renewal and rescue skip rows another statement holds (a batch of outcomes being written), so
   * they never wait for, nor deadlock with, the worker's other writes: a skipped renewal belongs
   * to an attempt that is finishing, and a skipped rescue happens on the next round.
   */
  static final String RENEW = """
      WITH mine AS (
        SELECT j.id FROM fanout_job j, unnest($1::bigint[], $2::int[]) AS u(id, attempt)
        WHERE j.id = u.id AND j.attempt = u.attempt AND j.state = 'running'
        FOR NO KEY UPDATE OF j SKIP LOCKED)
      UPDATE fanout_job j SET lease_until = now() + $3 * interval '1 millisecond'
      FROM mine WHERE j.id = mine.id
      RETURNING j.id""";

  /**
   * The sweep for expired leases of every kind, also those no worker serves now (a claim takes
   * back its own kind's at once): back to retryable, or discarded after the last attempt. It walks
   * the index of jobs that are not final, as there is no index on leases (it would stop claims
   * from being written in place).
   */
  static final String RESCUE = """
      WITH expired AS (
        SELECT id FROM fanout_job WHERE finalized_at IS NULL AND state = 'running' AND lease_until < now()
        FOR NO KEY UPDATE SKIP LOCKED)
      UPDATE fanout_job j SET
        errors = j.errors || jsonb_build_array(""" + LEASE_EXPIRED + """
      ),
        state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'retryable' END,
        finalized_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
        run_at = now(), lease_until = NULL, claimed_by = NULL
      FROM expired WHERE j.id = expired.id
      RETURNING j.id""";

  /** What a node that left the cluster adds to the errors of the jobs it held. */
  private static final String NODE_LEFT =
      "jsonb_build_object('at', now(), 'attempt', j.attempt, 'kind', 'node-left', "
      + "'message', 'the node running it left the cluster')";

  /**
   * Takes back the running jobs of node $1, which left the cluster, as {@link #RESCUE} takes back
   * expired leases (the same attempt accounting: retryable now, or discarded after the last
   * attempt), only without waiting for the leases. Safe to run on every survivor at once: it waits
   * for a row another statement holds (rows locked in id order, as the outcome writes lock them),
   * then re-checks it, so each job is taken back once; a late outcome of the node that left is
   * refused as any outcome of an attempt no longer running is. Notifies the kinds taken back
   * (delivered at commit), so any node that runs them claims them at once.
   */
  static final String RESCUE_NODE = """
      WITH gone AS (
        SELECT id FROM fanout_job WHERE finalized_at IS NULL AND state = 'running' AND claimed_by = $1::text
        ORDER BY id
        FOR NO KEY UPDATE), moved AS (
      UPDATE fanout_job j SET
        errors = j.errors || jsonb_build_array(""" + NODE_LEFT + """
      ),
        state = CASE WHEN j.attempt >= j.max_attempts THEN 'discarded' ELSE 'retryable' END,
        finalized_at = CASE WHEN j.attempt >= j.max_attempts THEN now() END,
        run_at = now(), lease_until = NULL, claimed_by = NULL
      FROM gone WHERE j.id = gone.id AND j.state = 'running' AND j.claimed_by = $1
      RETURNING j.id, j.kind)
      SELECT id, (SELECT count(pg_notify('fanout_jobs', k.kind)) FROM (SELECT DISTINCT kind FROM moved) k) AS notified
      FROM moved""";

  static final String GET = "SELECT " + COLUMNS + " FROM fanout_job WHERE id = $1";

  static final String LIST = "SELECT " + COLUMNS + """
       FROM fanout_job
      WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR kind = $2) AND id > $3
      ORDER BY id LIMIT $4""";

  /** {@link #LIST} within one batch ($3): its range of ids, walked on the primary key. */
  static final String LIST_BATCH = "SELECT " + JobColumn.list("j.") + """
       FROM fanout_batch b
      JOIN fanout_job j ON j.id BETWEEN greatest(b.first_id, $4 + 1) AND b.last_id AND j.batch_id = b.id
      WHERE b.id = $3 AND ($1::text IS NULL OR j.state = $1) AND ($2::text IS NULL OR j.kind = $2)
      ORDER BY j.id LIMIT $5""";

  static final String CANCEL = "UPDATE fanout_job SET state = 'cancelled', finalized_at = now(), lease_until = NULL, "
      + "claimed_by = NULL "
      + "WHERE id = $1 AND state NOT IN ('completed', 'cancelled', 'discarded') RETURNING " + COLUMNS;

  static final String RETRY = "UPDATE fanout_job SET state = 'available', run_at = now(), finalized_at = NULL, "
      + "max_attempts = greatest(max_attempts, attempt + 1) "
      + "WHERE id = $1 AND state IN ('scheduled', 'retryable', 'discarded', 'cancelled') RETURNING " + COLUMNS;

  static final String BATCH = """
      SELECT j.state, count(*) AS n
      FROM fanout_batch b JOIN fanout_job j ON j.id BETWEEN b.first_id AND b.last_id AND j.batch_id = b.id
      WHERE b.id = $1 GROUP BY j.state""";

  /** Counts by kind and state, with the age of the oldest job (an infinite run_at has none). */
  static final String QUEUES = """
      SELECT kind, state, count(*) AS n,
             extract(epoch FROM now() - min(run_at) FILTER (WHERE isfinite(run_at))) * 1000 AS oldest_ms
      FROM fanout_job GROUP BY kind, state ORDER BY kind, state""";

  /**
   * Deletes up to $2 jobs finished more than $1 ms ago. Their index is a BRIN index, which only a
   * bitmap scan reads: the caller turns bitmap scans on for this statement (the worker's pool has
   * them off). The outer WHERE repeats the predicate: a job changed while the DELETE waited for
   * its row lock (retried: finalized_at cleared) is re-checked in its new version, where the
   * subquery's row would be reused as it was.
   */
  static final String PRUNE = """
      DELETE FROM fanout_job WHERE id IN (
          SELECT id FROM fanout_job WHERE finalized_at < now() - $1 * interval '1 millisecond' LIMIT $2)
        AND finalized_at < now() - $1 * interval '1 millisecond'""";

  /**
   * Deletes the batches older than the retention ($1 ms) that have no job left; a batch with a
   * job left (one that runs later or longer than the retention) stays until that job is pruned.
   */
  static final String PRUNE_BATCHES = """
      DELETE FROM fanout_batch b WHERE b.created_at < now() - $1 * interval '1 millisecond'
        AND NOT EXISTS (SELECT 1 FROM fanout_job j
                        WHERE j.id BETWEEN b.first_id AND b.last_id AND j.batch_id = b.id)""";
}
