package dev.fanout.queue;

import dev.fanout.bus.NewJob;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/**
 * {@link JobStore#enqueue}: jobs without idempotency keys go in with a plain insert
 * ({@link JobSql#ENQUEUE_PLAIN}); with keys, one statement ({@link JobSql#ENQUEUE}) gives a key
 * that exists the existing job's id, and the jobs a concurrent enqueue stored first are read back.
 */
final class Enqueue {
  private Enqueue() {}

  static Future<JobStore.Enqueued> run(Pool pool, List<NewJob> jobs, UUID join) {
    UUID batch = join != null ? join : UUID.randomUUID();
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
      args.addUUID(batch).addArrayOfString(new TreeSet<>(Arrays.asList(kinds)).toArray(String[]::new));
      return pool.preparedQuery(JobSql.ENQUEUE_PLAIN).execute(args).map(rows -> {
        List<Long> ids = new ArrayList<>(n);
        for (Row r : rows) {
          ids.add(r.getLong("id"));
        }
        return new JobStore.Enqueued(batch, ids);
      });
    }
    args.addArrayOfString(keys).addUUID(batch);
    return Outcomes.retry(() -> pool.preparedQuery(JobSql.ENQUEUE).execute(args), 3).compose(rows -> {
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
        return Future.succeededFuture(new JobStore.Enqueued(answer, ids));
      }
      // A concurrent enqueue stored some of these keys first: answer with its jobs.
      List<String> lostKeys = new ArrayList<>();
      lost.forEach(i -> lostKeys.add(keys[i]));
      boolean none = !inserted;
      Tuple lostArgs = Tuple.of(lostKeys.toArray(String[]::new));
      return pool.preparedQuery(JobSql.EXISTING_KEYS).execute(lostArgs).map(found -> {
        Map<String, Row> byKey = new HashMap<>();
        found.forEach(r -> byKey.put(r.getString("idempotency_key"), r));
        lost.forEach(i -> ids.set(i, byKey.containsKey(keys[i]) ? byKey.get(keys[i]).getLong("id") : null));
        UUID lostFirst = lost.get(0) == 0 && byKey.containsKey(keys[0])
            ? byKey.get(keys[0]).getUUID("batch_id") : null;
        return new JobStore.Enqueued(none && lostFirst != null ? lostFirst : answer, ids);
      });
    });
  }
}
