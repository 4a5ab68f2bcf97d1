package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.queue.JobHandlers;
import dev.fanout.testing.Conditions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job whose handler runs longer than the lease keeps its lease while this node holds it: the
 * worker renews it, so neither the sweep nor a claim takes the job back, and its one attempt
 * completes it.
 */
@ExtendWith(VertxExtension.class)
class LeaseRenewalTest {
  private static final JsonObject QUEUE = new JsonObject()
      .put("leaseMs", 2000).put("renewEveryMs", 100).put("pollMs", 20).put("rescueEveryMs", 100).put("flushMs", 5);

  @Test
  void a_job_running_past_its_first_lease_is_renewed_not_rescued(Vertx vertx, VertxTestContext ctx) {
    HeldHandler held = new HeldHandler();
    long[] id = new long[1];
    OffsetDateTime[] firstLease = new OffsetDateTime[1];
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> JobHandlers.register(vertx, "slow",
            new JobHandlers.Options(1, 600_000, false), held::handle)
        .compose(c -> rig.enqueue("slow", 5))
        .compose(jobId -> {
          id[0] = jobId;
          return Conditions.until(vertx, () -> held.count() == 1, 10_000);
        })
        .compose(v -> rig.direct.preparedQuery("SELECT lease_until FROM fanout_job WHERE id = $1")
            .execute(Tuple.of(id[0])))
        .compose(rows -> {
          firstLease[0] = rows.iterator().next().getOffsetDateTime("lease_until");
          // well past the lease the claim gave: without renewals the job would be taken back by now
          return rig.until("SELECT now() > $2::timestamptz + interval '500 milliseconds' FROM fanout_job WHERE id = $1",
              Tuple.of(id[0], firstLease[0]), 20_000);
        })
        .compose(v -> rig.direct.preparedQuery("SELECT state, attempt, lease_until > now() AS held, "
            + "jsonb_array_length(errors) AS errors FROM fanout_job WHERE id = $1").execute(Tuple.of(id[0])))
        .compose(rows -> {
          Row r = rows.iterator().next();
          ctx.verify(() -> {
            assertThat(r.getString("state")).isEqualTo("running");
            assertThat(r.getInteger("attempt")).isEqualTo(1);
            assertThat(r.getBoolean("held")).isTrue();
            assertThat(r.getInteger("errors")).isZero();
            assertThat(held.count()).isEqualTo(1);
          });
          held.calls.get(0).release();
          return rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1", Tuple.of(id[0]), 10_000);
        })
        .compose(v -> rig.job(id[0]))
        .eventually(() -> vertx.undeploy(rig.deployment)))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertThat(job.getInteger("attempt")).isEqualTo(1);
          assertThat(job.getJsonArray("errors")).isEmpty();
          ctx.completeNow();
        })));
  }
}
