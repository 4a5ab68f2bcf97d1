package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.JobState;
import dev.fanout.bus.NewJob;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The jobs table against a real PostgreSQL (a fresh schema per test). */
@ExtendWith(VertxExtension.class)
class JobStoreTest {
  Pool pool;
  JobStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    TestDb.freshPool(vertx, 8).onComplete(ctx.succeeding(p -> {
      pool = p;
      store = new JobStore(p);
      ctx.completeNow();
    }));
  }

  private static NewJob job(String kind, int i) {
    return NewJob.fromJson(new JsonObject().put("kind", kind).put("payload", new JsonObject().put("i", i)));
  }

  private static List<NewJob> jobs(String kind, int n) {
    List<NewJob> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(job(kind, i));
    }
    return out;
  }

  @Test
  void enqueues_a_batch_and_reads_it_back(VertxTestContext ctx) {
    store.enqueue(jobs("echo", 3))
        .compose(e -> store.get(e.ids().get(1))
            .compose(job -> store.batch(e.batch()).map(b -> new Object[] {e, job, b})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JobStore.Enqueued e = (JobStore.Enqueued) r[0];
          JsonObject job = (JsonObject) r[1];
          JsonObject batch = (JsonObject) r[2];
          assertThat(e.ids()).hasSize(3).isSorted();
          assertThat(job.getString("kind")).isEqualTo("echo");
          assertThat(job.getString("state")).isEqualTo("available");
          assertThat(job.getJsonObject("payload").getInteger("i")).isEqualTo(1);
          assertThat(job.getString("batch")).isEqualTo(e.batch().toString());
          assertThat(job.getInteger("attempt")).isZero();
          assertThat(job.getInteger("maxAttempts")).isEqualTo(5);
          assertThat(batch.getLong("total")).isEqualTo(3);
          assertThat(batch.getJsonObject("counts").getLong("available")).isEqualTo(3);
          assertThat(batch.getBoolean("done")).isFalse();
          ctx.completeNow();
        })));
  }

  @Test
  void concurrent_bulk_enqueues_answer_each_job_its_own_id(VertxTestContext ctx) {
    // three enqueues at once on three connections, each crossing several blocks of cached ids
    List<Future<JobStore.Enqueued>> all = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      all.add(store.enqueue(jobs("bulk" + k, 450)));
    }
    Future.all(all)
        .compose(f -> store.list(null, "bulk1", null, 0, 1000).map(rows -> rows))
        .onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
          Set<Long> every = new HashSet<>();
          for (Future<JobStore.Enqueued> f : all) {
            assertThat(f.result().ids()).hasSize(450).doesNotContainNull();
            every.addAll(f.result().ids());
          }
          assertThat(every).hasSize(3 * 450);
          List<Long> ids = all.get(1).result().ids();
          assertThat(rows.size()).isEqualTo(450);
          for (int i = 0; i < rows.size(); i++) {
            JsonObject row = rows.getJsonObject(i);
            assertThat(row.getLong("id")).isEqualTo(ids.get(row.getJsonObject("payload").getInteger("i")));
          }
          ctx.completeNow();
        })));
  }

  @Test
  void a_batch_interleaved_with_concurrent_enqueues_counts_and_lists_only_its_own_jobs(VertxTestContext ctx) {
    // the three enqueues take blocks of cached ids in turn, so each batch's range of ids holds
    // the others' jobs too
    List<Future<JobStore.Enqueued>> all = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      all.add(store.enqueue(jobs("mixed", 450)));
    }
    Future.all(all)
        .compose(f -> {
          JobStore.Enqueued middle = all.get(1).result();
          return store.batch(middle.batch())
              .compose(b -> store.list(null, null, middle.batch(), 0, 300)
                  .compose(page1 -> store.list(null, "mixed", middle.batch(),
                      page1.getJsonObject(299).getLong("id"), 300)
                      .map(page2 -> new Object[] {middle, b, page1, page2})));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JobStore.Enqueued middle = (JobStore.Enqueued) r[0];
          JsonObject b = (JsonObject) r[1];
          JsonArray page1 = (JsonArray) r[2];
          JsonArray page2 = (JsonArray) r[3];
          assertThat(b.getLong("total")).isEqualTo(450);
          assertThat(b.getJsonObject("counts").getLong("available")).isEqualTo(450);
          assertThat(page1.size()).isEqualTo(300);
          assertThat(page2.size()).isEqualTo(150);
          List<Long> listed = new ArrayList<>();
          page1.forEach(j -> listed.add(((JsonObject) j).getLong("id")));
          page2.forEach(j -> listed.add(((JsonObject) j).getLong("id")));
          assertThat(listed).isEqualTo(middle.ids());
          ctx.completeNow();
        })));
  }

  @Test
  void pruning_deletes_finished_jobs_past_retention_and_then_their_batch(VertxTestContext ctx) {
    // batch a: two jobs, one finished; batch b: one job, finished
    store.enqueue(jobs("prune-a", 2))
        .compose(a -> store.enqueue(jobs("prune-b", 1)).compose(b -> store.claim("prune-a", 2, 60_000)
            .compose(ca -> store.claim("prune-b", 1, 60_000).compose(cb -> store.complete(List.of(
                    new JobStore.Outcome(ca.get(0).id(), ca.get(0).attempt(), new JsonObject(), null, 0),
                    new JobStore.Outcome(cb.get(0).id(), cb.get(0).attempt(), new JsonObject(), null, 0)))
                .compose(n -> store.prune(0, 1000))
                .compose(pruned -> store.batch(a.batch()).compose(ba -> store.batch(b.batch())
                    .compose(bb -> batchRows()
                        .compose(rows1 -> store.complete(List.of(
                                new JobStore.Outcome(ca.get(1).id(), ca.get(1).attempt(), new JsonObject(), null, 0)))
                            .compose(n -> store.prune(0, 1000))
                            .compose(pruned2 -> batchRows().map(rows2 ->
                                new Object[] {pruned, ba, bb, rows1, pruned2, rows2, a.batch(), b.batch()}))))))))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0]).isEqualTo(2);
          JsonObject ba = (JsonObject) r[1];
          assertThat(ba.getLong("total")).isEqualTo(1);
          assertThat(ba.getJsonObject("counts").getLong("running")).isEqualTo(1);
          assertThat(((JsonObject) r[2]).getLong("total")).isZero();
          assertThat(r[3]).isEqualTo(List.of(r[6].toString()));
          assertThat(r[4]).isEqualTo(1);
          assertThat(r[5]).isEqualTo(List.of());
          ctx.completeNow();
        })));
  }

  /** The batch ids the batch table holds. */
  private Future<List<String>> batchRows() {
    return pool.query("SELECT id FROM fanout_batch ORDER BY id").execute().map(rows -> {
      List<String> ids = new ArrayList<>();
      rows.forEach(row -> ids.add(row.getUUID(0).toString()));
      return ids;
    });
  }

  @Test
  void an_existing_idempotency_key_returns_the_existing_job(VertxTestContext ctx) {
    NewJob keyed = NewJob.fromJson(new JsonObject().put("kind", "echo").put("idempotencyKey", "k-1"));
    store.enqueue(List.of(keyed))
        .compose(first -> store.enqueue(List.of(job("echo", 9), keyed, keyed)).map(second -> List.of(first, second)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          long id = r.get(0).ids().get(0);
          assertThat(r.get(1).ids()).hasSize(3);
          assertThat(r.get(1).ids().get(1)).isEqualTo(id);
          assertThat(r.get(1).ids().get(2)).isEqualTo(id);
          assertThat(r.get(1).ids().get(0)).isNotEqualTo(id);
          ctx.completeNow();
        })));
  }

  @Test
  void concurrent_claimers_never_hold_a_job_twice_nor_more_than_asked(Vertx vertx, VertxTestContext ctx) {
    int total = 500;
    Set<Long> seen = new HashSet<>();
    List<Long> duplicates = new ArrayList<>();
    int[] maxBatch = {0};
    store.enqueue(jobs("echo", total)).compose(e -> {
      List<Future<Void>> claimers = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        claimers.add(claimUntilEmpty(seen, duplicates, maxBatch));
      }
      return Future.all(claimers);
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(duplicates).isEmpty();
      assertThat(seen).hasSize(total);
      assertThat(maxBatch[0]).isLessThanOrEqualTo(7);
      ctx.completeNow();
    })));
  }

  private Future<Void> claimUntilEmpty(Set<Long> seen, List<Long> duplicates, int[] maxBatch) {
    return store.claim("echo", 7, 60_000).compose(batch -> {
      maxBatch[0] = Math.max(maxBatch[0], batch.size());
      for (JobStore.Claimed c : batch) {
        if (!seen.add(c.id())) {
          duplicates.add(c.id());
        }
      }
      return batch.isEmpty() ? Future.succeededFuture() : claimUntilEmpty(seen, duplicates, maxBatch);
    });
  }

  @Test
  void claim_takes_only_the_asked_kind_and_runnable_jobs(VertxTestContext ctx) {
    List<NewJob> mixed = new ArrayList<>(jobs("a", 2));
    mixed.addAll(jobs("b", 2));
    mixed.add(NewJob.fromJson(new JsonObject().put("kind", "a").put("runAt", "2999-01-01T00:00:00Z")));
    store.enqueue(mixed).compose(e -> store.claim("a", 10, 60_000))
        .onComplete(ctx.succeeding(claimed -> ctx.verify(() -> {
          assertThat(claimed).hasSize(2).allSatisfy(c -> {
            assertThat(c.kind()).isEqualTo("a");
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.job().getString("state")).isEqualTo("running");
            assertThat(c.job().getString("leaseUntil")).isNotNull();
          });
          ctx.completeNow();
        })));
  }

  @Test
  void renewals_and_outcome_writes_at_once_never_deadlock(VertxTestContext ctx) {
    // a worker renews all its leases while batches of outcomes are written on other connections,
    // each batch in its own order; every outcome must land
    store.enqueue(jobs("rw", 400)).compose(e -> store.claim("rw", 400, 60_000)).compose(claimed -> {
      List<Future<Integer>> writes = new ArrayList<>();
      for (int round = 0; round < 8; round++) {
        List<JobStore.Outcome> part = new ArrayList<>();
        for (int i = round * 50; i < round * 50 + 50; i++) {
          JobStore.Claimed c = claimed.get(i);
          part.add(new JobStore.Outcome(c.id(), c.attempt(), new JsonObject(), null, 0));
        }
        Collections.shuffle(part, new Random(round));
        writes.add(store.renew(claimed, 60_000));
        writes.add(store.complete(part));
        writes.add(store.renew(claimed, 60_000));
      }
      return Future.all(writes).map(f -> {
        int completed = 0;
        for (int i = 1; i < writes.size(); i += 3) {
          completed += writes.get(i).result();
        }
        return completed;
      });
    }).onComplete(ctx.succeeding(completed -> ctx.verify(() -> {
      assertThat(completed).isEqualTo(400);
      ctx.completeNow();
    })));
  }

  @Test
  void concurrent_enqueues_of_the_same_keys_in_opposite_orders_agree(VertxTestContext ctx) {
    List<NewJob> forward = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      forward.add(NewJob.fromJson(new JsonObject().put("kind", "keyed").put("idempotencyKey", "key-" + i)));
    }
    List<NewJob> backward = new ArrayList<>(forward);
    Collections.reverse(backward);
    Future<JobStore.Enqueued> a = store.enqueue(forward);
    Future<JobStore.Enqueued> b = store.enqueue(backward);
    Future.all(a, b).onComplete(ctx.succeeding(f -> ctx.verify(() -> {
      List<Long> reversed = new ArrayList<>(b.result().ids());
      Collections.reverse(reversed);
      assertThat(a.result().ids()).doesNotContainNull().doesNotHaveDuplicates().isEqualTo(reversed);
      ctx.completeNow();
    })));
  }

  @Test
  void failures_retry_then_discard_keeping_every_error(VertxTestContext ctx) {
    NewJob twice = NewJob.fromJson(new JsonObject().put("kind", "f").put("maxAttempts", 2));
    store.enqueue(List.of(twice))
        .compose(e -> failOnce().compose(s1 -> failOnce().map(s2 -> List.of(s1, s2)))
            .compose(states -> store.get(e.ids().get(0)).map(job -> new Object[] {states, job})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject job = (JsonObject) r[1];
          assertThat(job.getString("state")).isEqualTo("discarded");
          assertThat(job.getString("finalizedAt")).isNotNull();
          assertThat(job.getJsonArray("errors")).hasSize(2);
          assertThat(job.getJsonArray("errors").getJsonObject(0).getInteger("attempt")).isEqualTo(1);
          assertThat(job.getJsonArray("errors").getJsonObject(1).getInteger("attempt")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  private Future<Integer> failOnce() {
    return store.claim("f", 1, 60_000).compose(c -> store.fail(List.of(
        new JobStore.Outcome(c.get(0).id(), c.get(0).attempt(), null,
        new JsonObject().put("attempt", c.get(0).attempt()).put("kind", "error").put("message", "boom"), 0))));
  }

  @Test
  void a_rescued_attempt_cannot_complete_late(Vertx vertx, VertxTestContext ctx) {
    store.enqueue(jobs("r", 1))
        .compose(e -> store.claim("r", 1, 0))           // a zero lease: expired for any later statement
        .compose(claimed -> store.rescue()
            .compose(rescued -> store.complete(List.of(
                new JobStore.Outcome(claimed.get(0).id(), claimed.get(0).attempt(),
                new JsonObject().put("late", true), null, 0))).map(late -> new int[] {rescued, late}))
            .compose(counts -> store.claim("r", 1, 60_000).compose(again -> store.complete(List.of(new JobStore.Outcome(
                    claimed.get(0).id(), claimed.get(0).attempt(), new JsonObject().put("stale", true), null, 0)))
                .compose(stale -> store.get(claimed.get(0).id())
                    .map(job -> new Object[] {counts, again, stale, job})))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          int[] counts = (int[]) r[0];
          assertThat(counts[0]).isEqualTo(1);               // rescued
          assertThat(counts[1]).isZero();                   // late completion of attempt 1 rejected
          @SuppressWarnings("unchecked") List<JobStore.Claimed> again = (List<JobStore.Claimed>) r[1];
          assertThat(again.get(0).attempt()).isEqualTo(2);
          assertThat((Integer) r[2]).isZero();              // attempt 1 cannot touch attempt 2
          JsonObject job = (JsonObject) r[3];
          assertThat(job.getString("state")).isEqualTo("running");
          assertThat(job.getJsonArray("errors").getJsonObject(0).getString("kind")).isEqualTo("lease-expired");
          ctx.completeNow();
        })));
  }

  @Test
  void a_claim_takes_back_an_expired_lease_of_its_kind(VertxTestContext ctx) {
    store.enqueue(jobs("x", 1))
        .compose(e -> store.claim("x", 1, 0))           // a zero lease: expired for any later statement
        .compose(first -> store.claim("x", 5, 60_000)
            .compose(again -> store.complete(List.of(new JobStore.Outcome(first.get(0).id(), first.get(0).attempt(),
                    new JsonObject().put("late", true), null, 0)))
                .compose(late -> store.claim("x", 5, 60_000)
                    .compose(none -> store.get(first.get(0).id()).map(job -> new Object[] {again, late, none, job})))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          @SuppressWarnings("unchecked") List<JobStore.Claimed> again = (List<JobStore.Claimed>) r[0];
          assertThat(again).singleElement().satisfies(c -> assertThat(c.attempt()).isEqualTo(2));
          assertThat((Integer) r[1]).isZero();              // the late completion of attempt 1 is refused
          assertThat((List<?>) r[2]).isEmpty();             // a lease that holds is not taken
          JsonObject job = (JsonObject) r[3];
          assertThat(job.getString("state")).isEqualTo("running");
          assertThat(job.getInteger("attempt")).isEqualTo(2);
          assertThat(job.getJsonArray("errors")).singleElement().satisfies(err -> {
            assertThat(((JsonObject) err).getString("kind")).isEqualTo("lease-expired");
            assertThat(((JsonObject) err).getInteger("attempt")).isEqualTo(1);
          });
          ctx.completeNow();
        })));
  }

  @Test
  void a_claim_discards_an_expired_last_attempt_instead_of_running_it(VertxTestContext ctx) {
    NewJob once = NewJob.fromJson(new JsonObject().put("kind", "once").put("maxAttempts", 1));
    store.enqueue(List.of(once))
        .compose(e -> store.claim("once", 1, 0))
        .compose(first -> store.claim("once", 5, 60_000)
            .compose(again -> store.get(first.get(0).id()).map(job -> new Object[] {again, job})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat((List<?>) r[0]).isEmpty();
          JsonObject job = (JsonObject) r[1];
          assertThat(job.getString("state")).isEqualTo("discarded");
          assertThat(job.getInteger("attempt")).isEqualTo(1);
          assertThat(job.getString("finalizedAt")).isNotNull();
          assertThat(job.getValue("leaseUntil")).isNull();
          assertThat(job.getJsonArray("errors")).singleElement()
              .satisfies(err -> assertThat(((JsonObject) err).getString("kind")).isEqualTo("lease-expired"));
          ctx.completeNow();
        })));
  }

  @Test
  void snooze_uses_no_attempt_and_cancel_ends_the_job(VertxTestContext ctx) {
    store.enqueue(jobs("s", 2))
        .compose(e -> store.claim("s", 2, 60_000))
        .compose(c -> store.reschedule(List.of(new JobStore.Outcome(c.get(0).id(), 1, null, null, 60_000)))
            .compose(n -> store.cancelRunning(List.of(
                new JobStore.Outcome(c.get(1).id(), 1, new JsonObject().put("cancel", "no"), null, 0))))
            .compose(n -> store.get(c.get(0).id())
                .compose(snoozed -> store.get(c.get(1).id())
                    .map(cancelled -> List.of(snoozed, cancelled)))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.get(0).getString("state")).isEqualTo("scheduled");
          assertThat(r.get(0).getInteger("attempt")).isZero();
          assertThat(r.get(1).getString("state")).isEqualTo("cancelled");
          assertThat(r.get(1).getJsonObject("result").getString("cancel")).isEqualTo("no");
          ctx.completeNow();
        })));
  }

  @Test
  void batches_finish_and_lists_page_by_keyset(VertxTestContext ctx) {
    store.enqueue(jobs("p", 5))
        .compose(e -> store.claim("p", 5, 60_000)
            .compose(c -> {
              List<JobStore.Outcome> done = new ArrayList<>();
              c.forEach(j -> done.add(
                  new JobStore.Outcome(j.id(), j.attempt(), new JsonObject().put("ok", true), null, 0)));
              return store.complete(done);
            })
            .compose(n -> store.batch(e.batch()))
            .compose(b -> store.list(JobState.COMPLETED, "p", null, 0, 2)
                .compose(page1 -> store.list(JobState.COMPLETED, "p", null, page1.getJsonObject(1).getLong("id"), 10)
                    .map(page2 -> new Object[] {b, page1, page2}))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject b = (JsonObject) r[0];
          assertThat(b.getBoolean("done")).isTrue();
          assertThat(b.getJsonObject("counts").getLong("completed")).isEqualTo(5);
          assertThat(((JsonArray) r[1])).hasSize(2);
          assertThat(((JsonArray) r[2])).hasSize(3);
          ctx.completeNow();
        })));
  }
}
