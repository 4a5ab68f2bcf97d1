package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.queue.JobHandlers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The outcome of an attempt is committed durably: a transaction that finishes a job waits for its
 * WAL to reach the disk before it returns or becomes visible, so a crash of PostgreSQL cannot take
 * back a completion that a reader has seen (and a last attempt that succeeded is never discarded).
 * A trigger in the test's schema records the commit mode of every transaction that finishes a job.
 */
@ExtendWith(VertxExtension.class)
class OutcomeDurabilityTest {
  private static final String WATCH = """
      CREATE TABLE finish_mode (id bigint, state text, mode text);
      CREATE FUNCTION note_finish_mode() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO finish_mode VALUES (NEW.id, NEW.state, current_setting('synchronous_commit'));
        RETURN NEW;
      END $$;
      CREATE TRIGGER note_finish AFTER UPDATE ON fanout_job FOR EACH ROW
        WHEN (NEW.state IN ('completed', 'discarded', 'retryable', 'cancelled') AND OLD.state = 'running')
        EXECUTE FUNCTION note_finish_mode();
      """;

  @Test
  void completed_failed_and_cancelled_attempts_are_committed_synchronously(Vertx vertx, VertxTestContext ctx) {
    JsonObject queue = new JsonObject().put("backoffBaseMs", 0).put("backoffMaxMs", 0);
    List<Long> ids = new ArrayList<>();
    WorkerRig.start(vertx, queue, false).compose(rig -> rig.direct.query(WATCH).execute()
        .compose(x -> JobHandlers.register(vertx, "works", JobHandlers.Options.defaults(),
            job -> Future.succeededFuture(new JsonObject())))
        .compose(x -> JobHandlers.register(vertx, "fails", JobHandlers.Options.defaults(),
            job -> Future.failedFuture("no")))
        .compose(x -> JobHandlers.register(vertx, "refuses", JobHandlers.Options.defaults(),
            job -> Future.succeededFuture(new JsonObject().put("cancel", "not this one"))))
        .compose(x -> rig.enqueue("works", 1).onSuccess(ids::add))
        .compose(x -> rig.enqueue("fails", 2).onSuccess(ids::add))
        .compose(x -> rig.enqueue("refuses", 1).onSuccess(ids::add))
        .compose(x -> rig.until("SELECT count(*) = 3 FROM fanout_job WHERE finalized_at IS NOT NULL",
            Tuple.tuple(), 20_000))
        .compose(x -> rig.direct.query("SELECT id, state, mode FROM finish_mode ORDER BY id, state").execute()))
        .onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
          List<String> seen = new ArrayList<>();
          for (Row r : rows) {
            seen.add(r.getString(1) + ":" + r.getString(2));
          }
          assertThat(seen).containsExactlyInAnyOrder("completed:on", "retryable:on", "discarded:on", "cancelled:on");
          ctx.completeNow();
        })));
  }
}
