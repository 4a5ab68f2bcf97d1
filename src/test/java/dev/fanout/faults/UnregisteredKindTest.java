package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.api.Registration;
import dev.fanout.queue.JobHandlers;
import dev.fanout.testing.Conditions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kind unregistered while this node holds claimed jobs of it: they go back at once for any node
 * to run, and the unregister completes once the attempt at its handler has ended.
 */
@ExtendWith(VertxExtension.class)
class UnregisteredKindTest {
  @Test
  void unregistering_a_kind_releases_its_claimed_jobs_not_started(Vertx vertx, VertxTestContext ctx) {
    HeldHandler held = new HeldHandler();
    long[] first = new long[1];
    List<Future<Void>> gone = new ArrayList<>();
    // a long poll: the release must not wait for it
    JsonObject queue = new JsonObject().put("pollMs", 600_000).put("rescueEveryMs", 86_400_000);
    WorkerRig.start(vertx, queue, false).compose(rig -> {
      Future<Registration> registered =
          JobHandlers.register(vertx, "held", new JobHandlers.Options(1, 600_000, false), held::handle);
      return registered
          .compose(c -> rig.enqueue("held", 5))
          .compose(id -> {
            first[0] = id;
            return rig.enqueue("held", 5).compose(x -> rig.enqueue("held", 5));
          })
          .compose(x -> Conditions.until(vertx, () -> held.count() == 1, 10_000))
          // one job at its handler, one more claimed and waiting for the slot
          .compose(v -> rig.until("SELECT count(*) = 2 FROM fanout_job WHERE state = 'running'", Tuple.tuple(), 10_000))
          .compose(v -> {
            gone.add(registered.result().unregister()); // drains: completes once the held attempt ends
            return rig.until("SELECT count(*) = 1 FROM fanout_job WHERE state = 'running'", Tuple.tuple(), 10_000);
          })
          .compose(v -> {
            ctx.verify(() -> assertThat(gone.get(0).isComplete()).as("unregister while an attempt runs").isFalse());
            held.calls.get(0).release(); // the one at its handler still finishes and is recorded
            return gone.get(0);
          })
          .compose(v -> rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1",
              Tuple.of(first[0]), 10_000))
          .compose(v -> rig.direct.query(
              "SELECT state, attempt, lease_until IS NULL FROM fanout_job WHERE id <> " + first[0]).execute());
    }).onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
      assertThat(rows.size()).isEqualTo(2);
      rows.forEach(r -> {
        assertThat(r.getString(0)).isIn("available", "scheduled");
        assertThat(r.getInteger(1)).isZero();
        assertThat(r.getBoolean(2)).isTrue();
      });
      assertThat(held.count()).isEqualTo(1);
      ctx.completeNow();
    })));
  }
}
