package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.queue.JobHandlers;
import dev.fanout.testing.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two attempts of one job on one node: the database is cut off for longer than the lease while
 * the job's handler runs, the job is taken back, and this node claims it again as the next
 * attempt while the first is still at its handler. Each attempt is its own entry.
 */
@ExtendWith(VertxExtension.class)
class WorkerAttemptsTest {
  private static final JsonObject QUEUE = new JsonObject()
      .put("leaseMs", 1000).put("renewEveryMs", 200).put("pollMs", 20)
      .put("rescueEveryMs", 86_400_000).put("flushMs", 5);

  @Test
  void a_job_claimed_again_by_its_own_node_after_an_outage_completes_and_its_kind_keeps_running(Vertx vertx,
      VertxTestContext ctx) {
    HeldHandler held = new HeldHandler();
    long[] ids = new long[2];
    WorkerRig.start(vertx, QUEUE, true).compose(rig ->
        JobHandlers.register(vertx, "held", new JobHandlers.Options(1, 600_000, false), held::handle)
        .compose(c -> rig.enqueue("held", 5))
        .compose(id -> {
          ids[0] = id;
          return Conditions.until(vertx, () -> held.count() == 1, 10_000);
        })
        // attempt 1 is at its handler; the database goes away for longer than the lease
        .compose(v -> {
          rig.link.cut();
          return rig.until("SELECT lease_until < now() FROM fanout_job WHERE id = $1", Tuple.of(ids[0]), 10_000);
        })
        // a rescuer (any node's sweep) takes the job back while this node cannot reach the database
        .compose(v -> rig.store.rescue())
        .compose(n -> {
          ctx.verify(() -> assertThat(n).isEqualTo(1));
          rig.link.restore();
          // this node claims it again: attempt 2, while attempt 1 still runs at the handler
          return rig.until("SELECT state = 'running' AND attempt = 2 FROM fanout_job WHERE id = $1",
              Tuple.of(ids[0]), 10_000);
        })
        .compose(v -> {
          held.calls.get(0).release(); // attempt 1 finishes late: its outcome is refused
          return Conditions.until(vertx, () -> held.count() == 2, 10_000);
        })
        .compose(v -> {
          held.calls.get(1).release(); // attempt 2 finishes: it completes the job
          return rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1", Tuple.of(ids[0]), 10_000);
        })
        // the kind still runs jobs: its slot was given back by both attempts
        .compose(v -> rig.enqueue("held", 5))
        .compose(id -> {
          ids[1] = id;
          return Conditions.until(vertx, () -> held.count() == 3, 10_000);
        })
        .compose(v -> {
          held.calls.get(2).release();
          return rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1", Tuple.of(ids[1]), 10_000);
        })
        .compose(v -> rig.job(ids[0]))
        .eventually(() -> vertx.undeploy(rig.deployment).eventually(() -> rig.link.close())))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertThat(job.getInteger("attempt")).isEqualTo(2);
          assertThat(job.getJsonObject("result").getInteger("attempt")).isEqualTo(2);
          assertThat(job.getJsonArray("errors")).hasSize(1);
          assertThat(job.getJsonArray("errors").getJsonObject(0).getString("kind")).isEqualTo("lease-expired");
          ctx.completeNow();
        })));
  }
}
