package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.NewJob;
import dev.fanout.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The take-back of a departed node's jobs ({@link JobStore#rescueNode}) against a real
 * PostgreSQL: only that node's running jobs, with the accounting of an expired lease, once, and
 * fenced against the departed node's late writes.
 */
@ExtendWith(VertxExtension.class)
class NodeRescueTest {
  private static final long TEN_MINUTES = 600_000;
  JobStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    TestDb.freshPool(vertx, 8).onComplete(ctx.succeeding(p -> {
      store = new JobStore(p);
      ctx.completeNow();
    }));
  }

  private static List<NewJob> jobs(String kind, int n, int maxAttempts) {
    List<NewJob> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new NewJob(kind, "default", new JsonObject().put("i", i), 0, null, maxAttempts, null));
    }
    return out;
  }

  @Test
  void a_claim_records_its_node_until_the_job_leaves_running(VertxTestContext ctx) {
    store.enqueue(jobs("c", 1, 5))
        .compose(e -> store.claim("c", 1, TEN_MINUTES, "node-a"))
        .compose(c -> store.get(c.get(0).id()).compose(running -> store.complete(List.of(
                new JobStore.Outcome(c.get(0).id(), c.get(0).attempt(), new JsonObject(), null, 0)))
            .compose(n -> store.get(c.get(0).id())).map(done -> new JsonObject[] {running, done})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0].getString("claimedBy")).isEqualTo("node-a");
          assertThat(r[1].getString("state")).isEqualTo("completed");
          assertThat(r[1].getString("claimedBy")).isNull();
          ctx.completeNow();
        })));
  }

  @Test
  void takes_back_only_the_departed_nodes_running_jobs_at_once(VertxTestContext ctx) {
    store.enqueue(jobs("n", 5, 5))
        .compose(e -> store.claim("n", 3, TEN_MINUTES, "dead"))
        .compose(dead -> store.claim("n", 2, TEN_MINUTES, "alive")
            .compose(alive -> store.rescueNode("dead")
                .compose(rescued -> store.rescueNode("dead").map(again -> new int[] {rescued, again}))
                .compose(counts -> store.get(dead.get(0).id()).compose(taken -> store.get(alive.get(0).id())
                    .map(kept -> new Object[] {counts, taken, kept})))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          int[] counts = (int[]) r[0];
          assertThat(counts[0]).isEqualTo(3);
          assertThat(counts[1]).as("a second survivor finds nothing left").isZero();
          JsonObject taken = (JsonObject) r[1];
          assertThat(taken.getString("state")).isEqualTo("retryable");
          assertThat(taken.getString("claimedBy")).isNull();
          assertThat(taken.getString("leaseUntil")).isNull();
          assertThat(taken.getJsonArray("errors")).singleElement().satisfies(err -> {
            assertThat(((JsonObject) err).getString("kind")).isEqualTo("node-left");
            assertThat(((JsonObject) err).getInteger("attempt")).isEqualTo(1);
          });
          JsonObject kept = (JsonObject) r[2];
          assertThat(kept.getString("state")).isEqualTo("running");
          assertThat(kept.getString("claimedBy")).isEqualTo("alive");
          ctx.completeNow();
        })));
  }

  @Test
  void the_departed_nodes_late_writes_are_refused(VertxTestContext ctx) {
    store.enqueue(jobs("f", 1, 5))
        .compose(e -> store.claim("f", 1, TEN_MINUTES, "dead"))
        .compose(dead -> store.rescueNode("dead")
            // before anyone claims it again: the attempt is no longer running
            .compose(n -> store.complete(List.of(outcome(dead.get(0), "dead, before"))))
            .compose(before -> store.claim("f", 1, TEN_MINUTES, "alive").compose(alive ->
                // after the next claim: the attempt number differs
                store.complete(List.of(outcome(dead.get(0), "dead, after")))
                    .compose(after -> store.renew(dead, TEN_MINUTES))
                    .compose(renewed -> store.reschedule(List.of(
                        new JobStore.Outcome(dead.get(0).id(), dead.get(0).attempt(), null, null, 0))))
                    .compose(released -> store.complete(List.of(outcome(alive.get(0), "alive"))))
                    .map(mine -> new int[] {before, mine})))
            .compose(counts -> store.get(dead.get(0).id()).map(job -> new Object[] {counts, job})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          int[] counts = (int[]) r[0];
          assertThat(counts[0]).isZero();
          assertThat(counts[1]).isEqualTo(1);
          JsonObject job = (JsonObject) r[1];
          assertThat(job.getString("state")).isEqualTo("completed");
          assertThat(job.getInteger("attempt")).isEqualTo(2);
          assertThat(job.getJsonObject("result").getString("by")).isEqualTo("alive");
          ctx.completeNow();
        })));
  }

  @Test
  void a_departed_nodes_last_attempt_is_discarded_as_an_expired_lease_is(VertxTestContext ctx) {
    store.enqueue(jobs("l", 1, 1))
        .compose(e -> store.claim("l", 1, TEN_MINUTES, "dead"))
        .compose(dead -> store.rescueNode("dead").compose(n -> store.claim("l", 1, TEN_MINUTES, "alive"))
            .compose(none -> store.get(dead.get(0).id()).map(job -> new Object[] {none, job})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat((List<?>) r[0]).isEmpty();
          JsonObject job = (JsonObject) r[1];
          assertThat(job.getString("state")).isEqualTo("discarded");
          assertThat(job.getString("finalizedAt")).isNotNull();
          assertThat(job.getJsonArray("errors").getJsonObject(0).getString("kind")).isEqualTo("node-left");
          ctx.completeNow();
        })));
  }

  private static JobStore.Outcome outcome(JobStore.Claimed c, String by) {
    return new JobStore.Outcome(c.id(), c.attempt(), new JsonObject().put("by", by), null, 0);
  }
}
