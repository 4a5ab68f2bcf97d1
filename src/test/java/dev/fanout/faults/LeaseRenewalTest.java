package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.queue.JobHandlers;
import dev.fanout.testing.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job whose handler runs longer than the lease keeps its lease while it runs: the worker renews
 * it, so a rescue sweep after the first lease would have ended finds nothing to take back, and
 * the job completes as its first attempt.
 */
@ExtendWith(VertxExtension.class)
class LeaseRenewalTest {
  private static final JsonObject QUEUE = new JsonObject()
      .put("leaseMs", 1000).put("renewEveryMs", 100).put("pollMs", 20).put("rescueEveryMs", 86_400_000).put("flushMs", 5);

  @Test
  void a_running_job_keeps_its_lease_past_the_first_one(Vertx vertx, VertxTestContext ctx) {
    HeldHandler held = new HeldHandler();
    long[] id = new long[1];
    OffsetDateTime[] firstLeaseOver = new OffsetDateTime[1];
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> JobHandlers.register(vertx, "long", new JobHandlers.Options(1, 600_000, false), held::handle)
        .compose(c -> rig.enqueue("long", 5))
        .compose(jobId -> {
          id[0] = jobId;
          return Conditions.until(vertx, () -> held.count() == 1, 10_000);
        })
        // the job was claimed before this moment, so its first lease ends before it
        .compose(v -> rig.direct.query("SELECT now() + interval '1100 milliseconds'").execute())
        .compose(rows -> {
          firstLeaseOver[0] = rows.iterator().next().getOffsetDateTime(0);
          return rig.until("SELECT now() > $2 AND lease_until > now() AND attempt = 1 FROM fanout_job WHERE id = $1",
              Tuple.of(id[0], firstLeaseOver[0]), 10_000);
        })
        .compose(v -> rig.store.rescue())
        .compose(rescued -> {
          ctx.verify(() -> assertThat(rescued).isZero());
          held.calls.get(0).release();
          return rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1", Tuple.of(id[0]), 10_000);
        })
        .compose(v -> rig.job(id[0]))
        .eventually(() -> vertx.undeploy(rig.deployment)))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertThat(held.count()).isEqualTo(1);
          assertThat(job.getInteger("attempt")).isEqualTo(1);
          assertThat(job.getJsonObject("result").getInteger("attempt")).isEqualTo(1);
          assertThat(job.getJsonArray("errors")).isEmpty();
          ctx.completeNow();
        })));
  }
}
