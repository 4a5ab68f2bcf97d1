package dev.fanout.queue;

import dev.fanout.bus.JobState;
import dev.fanout.bus.NewJob;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
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

  /** What an enqueue did: the job ids in input order, and the batch they belong to. */
  public record Enqueued(UUID batch, List<Long> ids) {}

  /**
   * Inserts {@code jobs} in one transaction (ids allocated first, so each input gets its own);
   * a job whose idempotency key exists already gets the existing job's id instead. Notifies the
   * workers of the kinds involved (delivered at commit).
   */
  public Future<Enqueued> enqueue(List<NewJob> jobs) {
    UUID batch = UUID.randomUUID();
    List<String> keys = new ArrayList<>();
    jobs.forEach(j -> {
      if (j.idempotencyKey() != null) {
        keys.add(j.idempotencyKey());
      }
    });
    return pool.withTransaction(conn -> existing(conn, keys).compose(found -> {
      List<NewJob> fresh = new ArrayList<>();
      for (NewJob j : jobs) {
        if (j.idempotencyKey() == null || !found.containsKey(j.idempotencyKey())) {
          fresh.add(j);
        }
      }
      return insert(conn, fresh, batch).compose(ids -> {
        Map<String, Long> byKey = new HashMap<>(found);
        List<Long> out = new ArrayList<>(jobs.size());
        int next = 0;
        List<String> raced = new ArrayList<>();
        for (NewJob j : jobs) {
          if (j.idempotencyKey() != null && byKey.containsKey(j.idempotencyKey())) {
            out.add(byKey.get(j.idempotencyKey()));
          } else {
            Long id = ids.get(next++);
            out.add(id);
            if (j.idempotencyKey() != null) {
              byKey.put(j.idempotencyKey(), id);
            }
          }
        }
        return notify(conn, jobs).map(new Enqueued(batch, out));
      });
    }));
  }

  private static Future<Map<String, Long>> existing(SqlConnection conn, List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return conn.preparedQuery(JobSql.EXISTING_KEYS).execute(Tuple.of(keys.toArray(String[]::new))).map(rows -> {
      Map<String, Long> m = new HashMap<>();
      rows.forEach(r -> m.put(r.getString(1), r.getLong(0)));
      return m;
    });
  }

  /** Inserts with pre-allocated ids; completes with one id per input (in order). */
  private static Future<List<Long>> insert(SqlConnection conn, List<NewJob> jobs, UUID batch) {
    if (jobs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery(JobSql.NEXT_IDS).execute(Tuple.of(jobs.size())).compose(idRows -> {
      int n = jobs.size();
      Long[] ids = new Long[n];
      int i = 0;
      for (Row r : idRows) {
        ids[i++] = r.getLong(0);
      }
      String[] kinds = new String[n];
      String[] queues = new String[n];
      Object[] payloads = new Object[n];
      Short[] priorities = new Short[n];
      OffsetDateTime[] runAts = new OffsetDateTime[n];
      Integer[] maxAttempts = new Integer[n];
      String[] keys = new String[n];
      for (i = 0; i < n; i++) {
        NewJob j = jobs.get(i);
        kinds[i] = j.kind();
        queues[i] = j.queue();
        payloads[i] = j.payload();
        priorities[i] = (short) j.priority();
        runAts[i] = j.runAt() == null ? null : j.runAt().atOffset(ZoneOffset.UTC);
        maxAttempts[i] = j.maxAttempts();
        keys[i] = j.idempotencyKey();
      }
      Tuple args = Tuple.tuple().addArrayOfLong(ids).addArrayOfString(kinds).addArrayOfString(queues)
          .addValue(jsonArray(payloads)).addArrayOfShort(priorities).addArrayOfOffsetDateTime(runAts)
          .addArrayOfInteger(maxAttempts).addArrayOfString(keys).addUUID(batch);
      return conn.preparedQuery(JobSql.INSERT).execute(args).compose(inserted -> {
        if (inserted.rowCount() == n) {
          return Future.succeededFuture(List.of(ids));
        }
        // Another enqueue took some of these keys between our check and our insert: use its jobs.
        return raced(conn, jobs, ids, inserted);
      });
    });
  }

  private static Future<List<Long>> raced(SqlConnection conn, List<NewJob> jobs, Long[] ids, RowSet<Row> inserted) {
    java.util.Set<Long> got = new java.util.HashSet<>();
    inserted.forEach(r -> got.add(r.getLong(0)));
    List<String> lost = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      if (!got.contains(ids[i])) {
        lost.add(jobs.get(i).idempotencyKey());
      }
    }
    return existing(conn, lost).map(found -> {
      List<Long> out = new ArrayList<>(ids.length);
      for (int i = 0; i < ids.length; i++) {
        out.add(got.contains(ids[i]) ? ids[i] : found.get(jobs.get(i).idempotencyKey()));
      }
      return out;
    });
  }

  private static Object jsonArray(Object[] payloads) {
    // jsonb[] parameter: an array of JsonObject values
    JsonObject[] out = new JsonObject[payloads.length];
    for (int i = 0; i < payloads.length; i++) {
      out[i] = (JsonObject) payloads[i];
    }
    return out;
  }

  private static Future<Void> notify(SqlConnection conn, List<NewJob> jobs) {
    LinkedHashSet<String> kinds = new LinkedHashSet<>();
    jobs.forEach(j -> kinds.add(j.kind()));
    return conn.preparedQuery(JobSql.NOTIFY).execute(Tuple.of(kinds.toArray(String[]::new))).mapEmpty();
  }

  /** A claimed job: its row as API JSON, plus what later writes of this attempt are guarded by. */
  public record Claimed(long id, int attempt, int maxAttempts, String kind, JsonObject job) {}

  /** Claims up to {@code limit} runnable jobs of {@code kind}, leased for {@code leaseMs}. */
  public Future<List<Claimed>> claim(String kind, int limit, long leaseMs) {
    return pool.preparedQuery(JobSql.CLAIM).execute(Tuple.of(kind, limit, leaseMs)).map(rows -> {
      List<Claimed> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new Claimed(r.getLong("id"), r.getInteger("attempt"), r.getInteger("max_attempts"), kind, Jobs.toJson(r)));
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
    Tuple args = Tuple.tuple()
        .addArrayOfLong(outcomes.stream().map(Outcome::id).toArray(Long[]::new))
        .addArrayOfInteger(outcomes.stream().map(Outcome::attempt).toArray(Integer[]::new));
    if (json != null) {
      args.addValue(outcomes.stream().map(json).toArray(JsonObject[]::new));
    }
    if (delays) {
      args.addArrayOfLong(outcomes.stream().map(Outcome::delayMs).toArray(Long[]::new));
    }
    return pool.preparedQuery(sql).execute(args).map(RowSet::rowCount);
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

  /** Returns running jobs whose lease expired to retryable (or discarded); completes with how many. */
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
    return pool.preparedQuery(JobSql.LIST)
        .execute(Tuple.of(state == null ? null : state.wire(), kind, batch, afterId, limit))
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

  /** Deletes up to {@code limit} jobs finished more than {@code retentionMs} ago. */
  public Future<Integer> prune(long retentionMs, int limit) {
    return pool.preparedQuery(JobSql.PRUNE).execute(Tuple.of(retentionMs, limit)).map(RowSet::rowCount);
  }
}
