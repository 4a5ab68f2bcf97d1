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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The jobs table through vertx-pg-client: enqueue in batches, claim with FOR UPDATE SKIP LOCKED,
 * finish attempts in batches, leases and rescue, reads for the API. Every method is one round
 * trip or one transaction and never blocks.
 */
public final class JobStore {
  private final Pool pool;

  /** A store over {@code pool} (migrated). */
  public JobStore(Pool pool) {
    this.pool = pool;
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
    UUID batch = UUID.randomUUID();
    int n = jobs.size();
    String[] kinds = new String[n];
    String[] queues = new String[n];
    JsonObject[] payloads = new JsonObject[n];
    Short[] priorities = new Short[n];
    OffsetDateTime[] runAts = new OffsetDateTime[n];
    Integer[] maxAttempts = new Integer[n];
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      NewJob j = jobs.get(i);
      kinds[i] = j.kind();
      queues[i] = j.queue();
      payloads[i] = j.payload();
      priorities[i] = (short) j.priority();
      runAts[i] = j.runAt() == null ? null : j.runAt().atOffset(ZoneOffset.UTC);
      maxAttempts[i] = j.maxAttempts();
      keys[i] = j.idempotencyKey();
    }
    boolean anyKey = false;
    for (String k : keys) {
      anyKey |= k != null;
    }
    Tuple args = Tuple.tuple().addArrayOfString(kinds).addArrayOfString(queues).addValue(payloads)
        .addArrayOfShort(priorities).addArrayOfOffsetDateTime(runAts).addArrayOfInteger(maxAttempts);
    if (!anyKey) {
      args.addUUID(batch).addArrayOfString(new java.util.TreeSet<>(java.util.Arrays.asList(kinds)).toArray(String[]::new));
      return pool.preparedQuery(JobSql.ENQUEUE_PLAIN).execute(args).map(rows -> {
        List<Long> ids = new ArrayList<>(n);
        for (Row r : rows) {
          ids.add(r.getLong(0));
        }
        return new Enqueued(batch, ids);
      });
    }
    args.addArrayOfString(keys).addUUID(batch);
    return retry(() -> pool.preparedQuery(JobSql.ENQUEUE).execute(args), 3).compose(rows -> {
      List<Long> ids = new ArrayList<>(n);
      List<Integer> lost = new ArrayList<>();
      boolean inserted = false;
      UUID firstBatch = null;
      for (Row r : rows) {
        ids.add(r.getLong("id"));
        inserted |= Boolean.TRUE.equals(r.getBoolean("inserted"));
        if (ids.size() == 1) {
          firstBatch = r.getUUID("existing_batch");
        }
        if (Boolean.TRUE.equals(r.getBoolean("lost"))) {
          lost.add(ids.size() - 1);
        }
      }
      // nothing inserted (a whole enqueue sent again): no batch row was written for the new id,
      // so the answer names the batch the first job was enqueued with
      UUID answer = inserted || firstBatch == null ? batch : firstBatch;
      if (lost.isEmpty()) {
        return Future.succeededFuture(new Enqueued(answer, ids));
      }
      // A concurrent enqueue stored some of these keys first: answer with its jobs.
      List<String> lostKeys = new ArrayList<>();
      lost.forEach(i -> lostKeys.add(keys[i]));
      boolean none = !inserted;
      return pool.preparedQuery(JobSql.EXISTING_KEYS).execute(Tuple.of(lostKeys.toArray(String[]::new))).map(found -> {
        Map<String, Row> byKey = new HashMap<>();
        found.forEach(r -> byKey.put(r.getString(1), r));
        lost.forEach(i -> ids.set(i, byKey.containsKey(keys[i]) ? byKey.get(keys[i]).getLong(0) : null));
        UUID lostFirst = lost.get(0) == 0 && byKey.containsKey(keys[0]) ? byKey.get(keys[0]).getUUID(2) : null;
        return new Enqueued(none && lostFirst != null ? lostFirst : answer, ids);
      });
    });
  }

  /** A claimed job: its row as API JSON, plus what later writes of this attempt are guarded by. */
  public record Claimed(long id, int attempt, int maxAttempts, String kind, JsonObject job) {}

  /**
   * Claims up to {@code limit} runnable jobs of {@code kind}, leased for {@code leaseMs}. Running
   * jobs of the kind whose lease expired count as runnable: they run again as their next attempt,
   * or are discarded (and not answered) when that was their last.
   */
  public Future<List<Claimed>> claim(String kind, int limit, long leaseMs) {
    return pool.preparedQuery(JobSql.CLAIM).execute(Tuple.of(kind, limit, leaseMs)).map(rows -> {
      List<Claimed> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        if ("running".equals(r.getString(3))) {
          out.add(new Claimed(r.getLong(0), r.getInteger(7), r.getInteger(8), kind, Jobs.toJson(r)));
        }
      }
      return out;
    });
  }

  /** One finished attempt: the result, or an error with the delay before the retry. */
  public record Outcome(long id, int attempt, JsonObject result, JsonObject error, long delayMs) {}

  /** Marks attempts completed; completes with how many were still theirs to complete. */
  public Future<Integer> complete(List<Outcome> done) {
    return write(JobSql.COMPLETE, done, Outcome::result, false);
  }

  /** Records failed attempts: retryable after their delay, or discarded after the last. */
  public Future<Integer> fail(List<Outcome> failed) {
    return write(JobSql.FAIL, failed, Outcome::error, true);
  }

  /** Puts attempts back without using them: snoozed for {@code delayMs}, or released (delay 0). */
  public Future<Integer> reschedule(List<Outcome> later) {
    return write(JobSql.RESCHEDULE, later, null, true);
  }

  /** Cancels running attempts at their handler's request ({@code result} holds the reason). */
  public Future<Integer> cancelRunning(List<Outcome> cancelled) {
    return write(JobSql.CANCEL_RUNNING, cancelled, Outcome::result, false);
  }

  /**
   * One batched, attempt-guarded update: {@code $1} ids, {@code $2} attempts, then the JSON column
   * ({@code json}, if any) and the delays ({@code delays}). Completes with the rows changed.
   */
  private Future<Integer> write(String sql, List<Outcome> outcomes, java.util.function.Function<Outcome, JsonObject> json,
      boolean delays) {
    if (outcomes.isEmpty()) {
      return Future.succeededFuture(0);
    }
    // in id order: the nested-loop plan these statements get then locks rows in that order, and
    // a deadlock victim all the same is retried below
    outcomes = new ArrayList<>(outcomes);
    outcomes.sort(java.util.Comparator.comparingLong(Outcome::id));
    Tuple args = Tuple.tuple()
        .addArrayOfLong(outcomes.stream().map(Outcome::id).toArray(Long[]::new))
        .addArrayOfInteger(outcomes.stream().map(Outcome::attempt).toArray(Integer[]::new));
    if (json != null) {
      args.addValue(outcomes.stream().map(json).toArray(JsonObject[]::new));
    }
    if (delays) {
      args.addArrayOfLong(outcomes.stream().map(Outcome::delayMs).toArray(Long[]::new));
    }
    return retry(() -> pool.preparedQuery(sql).execute(args).map(RowSet::rowCount), 3);
  }

  /** Runs {@code write} again (up to {@code tries} in all) when PostgreSQL chose it as a deadlock or serialization victim. */
  private static <T> Future<T> retry(java.util.function.Supplier<Future<T>> write, int tries) {
    return write.get().recover(e -> tries > 1 && e instanceof io.vertx.pgclient.PgException pe
        && ("40P01".equals(pe.getSqlState()) || "40001".equals(pe.getSqlState()))
        ? retry(write, tries - 1)
        : Future.failedFuture(e));
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

  /** One job as API JSON, or null. */
  public Future<JsonObject> get(long id) {
    return pool.preparedQuery(JobSql.GET).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : Jobs.toJson(rows.iterator().next()));
  }

  /** Jobs after {@code afterId}, filtered, oldest first (keyset pagination). */
  public Future<JsonArray> list(JobState state, String kind, UUID batch, long afterId, int limit) {
    String wire = state == null ? null : state.wire();
    return (batch == null
        ? pool.preparedQuery(JobSql.LIST).execute(Tuple.of(wire, kind, afterId, limit))
        : pool.preparedQuery(JobSql.LIST_BATCH).execute(Tuple.of(wire, kind, batch, afterId, limit)))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(r -> out.add(Jobs.toJson(r)));
          return out;
        });
  }

  /** Cancels a job that is not final; null when there is no such job or it is final. */
  public Future<JsonObject> cancel(long id) {
    return pool.preparedQuery(JobSql.CANCEL).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : Jobs.toJson(rows.iterator().next()));
  }

  /** Makes a scheduled, retryable, discarded or cancelled job available now; null otherwise. */
  public Future<JsonObject> retry(long id) {
    return pool.preparedQuery(JobSql.RETRY).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : Jobs.toJson(rows.iterator().next()));
  }

  /** A batch: {@code {id, total, counts: {state: n}, done}}; total 0 when unknown. */
  public Future<JsonObject> batch(UUID id) {
    return pool.preparedQuery(JobSql.BATCH).execute(Tuple.of(id)).map(rows -> {
      JsonObject counts = new JsonObject();
      long total = 0;
      boolean done = true;
      for (Row r : rows) {
        String state = r.getString(0);
        long n = r.getLong(1);
        counts.put(state, n);
        total += n;
        done &= JobState.parse("state", state).isFinal();
      }
      return new JsonObject().put("id", id.toString()).put("total", total).put("counts", counts).put("done", total > 0 && done);
    });
  }

  /** Counts by kind and state, with the age of the oldest runnable job of each. */
  public Future<JsonArray> queues() {
    return pool.query(JobSql.QUEUES).execute().map(rows -> {
      Map<String, JsonObject> byKind = new java.util.TreeMap<>();
      for (Row r : rows) {
        JsonObject k = byKind.computeIfAbsent(r.getString(0), name -> new JsonObject().put("kind", name).put("counts", new JsonObject()));
        k.getJsonObject("counts").put(r.getString(1), r.getLong(2));
        if ("available".equals(r.getString(1)) && r.getValue(3) != null) {
          k.put("oldestAvailableMs", Math.max(0, ((Number) r.getValue(3)).longValue()));
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
