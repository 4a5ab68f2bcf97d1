package dev.fanout.queue;

import dev.fanout.bus.JobState;
import dev.fanout.bus.NewJob;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs table through vertx-pg-client: enqueue in batches, claim with FOR UPDATE SKIP LOCKED,
 * finish attempts in batches, leases and rescue, reads for the API. Every method is one round
 * trip or one transaction and never blocks.
 */
public final class JobStore {
  private static final Logger LOG = LoggerFactory.getLogger(JobStore.class);
  /** The default of {@code queue.maxSnoozeMs}: 30 days. */
  public static final long MAX_SNOOZE_MS = 30L * 86_400_000L;

  private final Pool pool;
  private final Outcomes outcomes;
  private final long maxSnoozeMs;

  /** A store over {@code pool} (migrated) whose snoozes last at most {@link #MAX_SNOOZE_MS}. */
  public JobStore(Pool pool) {
    this(pool, MAX_SNOOZE_MS);
  }

  /** A store over {@code pool} (migrated) whose snoozes last at most {@code maxSnoozeMs}. */
  public JobStore(Pool pool, long maxSnoozeMs) {
    this.pool = pool;
    this.outcomes = new Outcomes(pool);
    this.maxSnoozeMs = maxSnoozeMs;
  }

  /**
   * What an enqueue did: the job ids in input order, and the batch they belong to — the batch of
   * this call's new jobs, or, when it inserted none (every key existed), the batch the first
   * job was enqueued with.
   */
  public record Enqueued(UUID batch, List<Long> ids) {}

  /**
   * Inserts {@code jobs} in one statement (one round trip, one commit); a job whose idempotency
   * key exists already — or repeats an earlier job's in this call — gets that job's id instead.
   * Notifies the workers of the kinds involved (delivered at commit). Completes with one id per
   * job, in input order.
   */
  public Future<Enqueued> enqueue(List<NewJob> jobs) {
    return enqueue(jobs, null);
  }

  /** {@link #enqueue(List)} into batch {@code batch} (created when it does not exist), or a new one when null. */
  public Future<Enqueued> enqueue(List<NewJob> jobs, UUID batch) {
    return Enqueue.run(pool, jobs, batch);
  }

  /**
   * A claimed job: its row as API JSON, plus what later writes of this attempt are guarded by, and
   * how long it waited to start ({@link Jobs#waitedNanos}; -1 when unknown).
   */
  public record Claimed(long id, int attempt, int maxAttempts, String kind, JsonObject job, long waitedNanos) {
    /** A claimed job whose wait is not known. */
    public Claimed(long id, int attempt, int maxAttempts, String kind, JsonObject job) {
      this(id, attempt, maxAttempts, kind, job, -1);
    }
  }

  /**
   * Claims up to {@code limit} runnable jobs of {@code kind}, leased for {@code leaseMs}. Running
   * jobs of the kind whose lease expired count as runnable: they run again as their next attempt,
   * or are discarded (and not answered) when that was their last. A claimed job whose row cannot
   * be read is discarded right after with an {@code invalid-row} error, and not answered; should
   * that write fail, its lease expires and a later claim tries again.
   */
  public Future<List<Claimed>> claim(String kind, int limit, long leaseMs) {
    return claim(kind, limit, leaseMs, null);
  }

  /**
   * {@link #claim(String, int, long)} for node {@code node}, recorded on each job it claims: when
   * that node leaves the cluster, {@link #rescueNode} takes the jobs back.
   */
  public Future<List<Claimed>> claim(String kind, int limit, long leaseMs, String node) {
    return pool.preparedQuery(JobSql.CLAIM).execute(Tuple.of(kind, limit, leaseMs, node)).compose(rows -> {
      List<Claimed> out = new ArrayList<>(rows.size());
      if (rows.size() == 0) {
        return Future.succeededFuture(out);
      }
      List<Claimed> unreadable = new ArrayList<>();
      List<String> why = new ArrayList<>();
      Jobs jobs = Jobs.of(rows);
      for (Row r : rows) {
        if ("running".equals(jobs.state(r))) {
          JsonObject job = jobs.toJson(r);
          String invalid = Jobs.invalid(job);
          Claimed c = new Claimed(jobs.id(r), jobs.attempt(r), jobs.maxAttempts(r), kind, job, jobs.waitedNanos(r));
          (invalid == null ? out : unreadable).add(c);
          if (invalid != null) {
            why.add(invalid);
          }
        }
      }
      return unreadable.isEmpty() ? Future.succeededFuture(out) : discard(unreadable, why).map(out);
    });
  }

  /** Discards claimed attempts that cannot be read; a failure is logged, and their leases expire. */
  private Future<Void> discard(List<Claimed> unreadable, List<String> why) {
    unreadable.forEach(c -> LOG.warn("discarding job {}: {}", c.id(), why.get(unreadable.indexOf(c))));
    Tuple args = Tuple.tuple()
        .addArrayOfLong(unreadable.stream().map(Claimed::id).toArray(Long[]::new))
        .addArrayOfInteger(unreadable.stream().map(Claimed::attempt).toArray(Integer[]::new))
        .addArrayOfString(why.toArray(String[]::new));
    return pool.preparedQuery(JobSql.DISCARD_INVALID).execute(args).<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("discarding {} unreadable job(s) failed ({}); their leases will expire", unreadable.size(),
              e.getMessage());
          return Future.succeededFuture();
        });
  }

  /** One finished attempt: the result, or an error with the delay before the retry. */
  public record Outcome(long id, int attempt, JsonObject result, JsonObject error, long delayMs) {}

  /** Marks attempts completed; completes with how many were still theirs to complete. */
  public Future<Integer> complete(List<Outcome> done) {
    return outcomes.write(Outcomes.Kind.COMPLETE, done);
  }

  /** Records failed attempts: retryable after their delay, or discarded after the last. */
  public Future<Integer> fail(List<Outcome> failed) {
    return outcomes.write(Outcomes.Kind.FAIL, failed);
  }

  /**
   * Puts attempts back without using them: snoozed for {@code delayMs} (at most the store's
   * {@code maxSnoozeMs}), or released (delay 0).
   */
  public Future<Integer> reschedule(List<Outcome> later) {
    List<Outcome> clamped = new ArrayList<>(later.size());
    later.forEach(o -> clamped.add(o.delayMs() >= 0 && o.delayMs() <= maxSnoozeMs ? o
        : new Outcome(o.id(), o.attempt(), o.result(), o.error(), Math.max(0, Math.min(o.delayMs(), maxSnoozeMs)))));
    return outcomes.write(Outcomes.Kind.RESCHEDULE, clamped);
  }

  /** Cancels running attempts at their handler's request ({@code result} holds the reason). */
  public Future<Integer> cancelRunning(List<Outcome> cancelled) {
    return outcomes.write(Outcomes.Kind.CANCEL, cancelled);
  }

  /** Extends the leases of running attempts by {@code leaseMs} from now. */
  public Future<Integer> renew(List<Claimed> running, long leaseMs) {
    if (running.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Long[] ids = running.stream().map(Claimed::id).toArray(Long[]::new);
    Integer[] attempts = running.stream().map(Claimed::attempt).toArray(Integer[]::new);
    return pool.preparedQuery(JobSql.RENEW)
        .execute(Tuple.tuple().addArrayOfLong(ids).addArrayOfInteger(attempts).addLong(leaseMs))
        .map(RowSet::rowCount);
  }

  /**
   * Returns running jobs of any kind whose lease expired to retryable (or discarded); completes
   * with how many. A claim takes back its own kind's without this.
   */
  public Future<Integer> rescue() {
    return pool.query(JobSql.RESCUE).execute().map(RowSet::rowCount);
  }

  /**
   * Takes back the running jobs claimed by {@code node}, which left the cluster, as
   * {@link #rescue} takes back expired leases (retryable, or discarded after the last attempt),
   * without waiting for their leases; completes with how many. Idempotent: several survivors may
   * run it at once, and each job is taken back once.
   */
  public Future<Integer> rescueNode(String node) {
    return Outcomes.retry(() -> pool.preparedQuery(JobSql.RESCUE_NODE).execute(Tuple.of(node)).map(RowSet::rowCount),
        3);
  }

  /** One job as API JSON, or null. */
  public Future<JsonObject> get(long id) {
    return pool.preparedQuery(JobSql.GET).execute(Tuple.of(id)).map(JobStore::first);
  }

  /** Jobs after {@code afterId}, filtered, oldest first (keyset pagination). */
  public Future<JsonArray> list(JobState state, String kind, UUID batch, long afterId, int limit) {
    String wire = state == null ? null : state.wire();
    return (batch == null
        ? pool.preparedQuery(JobSql.LIST).execute(Tuple.of(wire, kind, afterId, limit))
        : pool.preparedQuery(JobSql.LIST_BATCH).execute(Tuple.of(wire, kind, batch, afterId, limit)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          if (rows.size() > 0) {
            Jobs jobs = Jobs.of(rows);
            rows.forEach(r -> out.add(jobs.toJson(r)));
          }
          return out;
        });
  }

  /** Cancels a job that is not final; null when there is no such job or it is final. */
  public Future<JsonObject> cancel(long id) {
    return pool.preparedQuery(JobSql.CANCEL).execute(Tuple.of(id)).map(JobStore::first);
  }

  /** Makes a scheduled, retryable, discarded or cancelled job available now; null otherwise. */
  public Future<JsonObject> retry(long id) {
    return pool.preparedQuery(JobSql.RETRY).execute(Tuple.of(id)).map(JobStore::first);
  }

  /** The first job of {@code rows} as API JSON, or null. */
  private static JsonObject first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : Jobs.of(rows).toJson(rows.iterator().next());
  }

  /** A batch: {@code {id, total, counts: {state: n}, done}}; total 0 when unknown. */
  public Future<JsonObject> batch(UUID id) {
    return pool.preparedQuery(JobSql.BATCH).execute(Tuple.of(id)).map(rows -> {
      JsonObject counts = new JsonObject();
      long total = 0;
      boolean done = true;
      for (Row r : rows) {
        String state = r.getString("state");
        long n = r.getLong("n");
        counts.put(state, n);
        total += n;
        done &= JobState.parse("state", state).isFinal();
      }
      return new JsonObject().put("id", id.toString()).put("total", total).put("counts", counts)
          .put("done", total > 0 && done);
    });
  }

  /** Counts by kind and state, with the age of the oldest runnable job of each. */
  public Future<JsonArray> queues() {
    return pool.query(JobSql.QUEUES).execute().map(rows -> {
      Map<String, JsonObject> byKind = new TreeMap<>();
      for (Row r : rows) {
        JsonObject k = byKind.computeIfAbsent(r.getString("kind"),
            name -> new JsonObject().put("kind", name).put("counts", new JsonObject()));
        String state = r.getString("state");
        k.getJsonObject("counts").put(state, r.getLong("n"));
        if ("available".equals(state) && r.getValue("oldest_ms") != null) {
          k.put("oldestAvailableMs", Math.max(0, ((Number) r.getValue("oldest_ms")).longValue()));
        }
      }
      return new JsonArray(new ArrayList<>(byKind.values()));
    });
  }

  /**
   * Deletes up to {@code limit} jobs finished more than {@code retentionMs} ago, then the batches
   * older than that with no job left. Completes with the jobs deleted.
   */
  public Future<Integer> prune(long retentionMs, int limit) {
    return pool.withTransaction(conn -> conn.query("SET LOCAL enable_bitmapscan = on").execute()
            .compose(v -> conn.preparedQuery(JobSql.PRUNE).execute(Tuple.of(retentionMs, limit))))
        .compose(jobs -> pool.preparedQuery(JobSql.PRUNE_BATCHES).execute(Tuple.of(retentionMs)).map(jobs.rowCount()));
  }
}
