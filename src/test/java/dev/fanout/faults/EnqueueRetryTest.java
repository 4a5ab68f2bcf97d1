package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.NewJob;
import dev.fanout.queue.JobStore;
import dev.fanout.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A whole enqueue sent again (the client timed out and retries with the same keys). */
@ExtendWith(VertxExtension.class)
class EnqueueRetryTest {
  JobStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    TestDb.freshPool(vertx, 4).onComplete(ctx.succeeding(p -> {
      store = new JobStore(p);
      ctx.completeNow();
    }));
  }

  private static NewJob keyed(String key) {
    return NewJob.fromJson(new JsonObject().put("kind", "echo").put("idempotencyKey", key));
  }

  @Test
  void a_retried_enqueue_whose_keys_all_exist_answers_the_original_batch(VertxTestContext ctx) {
    List<NewJob> jobs = List.of(keyed("r-1"), keyed("r-2"), keyed("r-1"));
    store.enqueue(jobs)
        .compose(first -> store.enqueue(jobs)
            .compose(again -> store.batch(again.batch()).map(b -> new Object[] {first, again, b})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JobStore.Enqueued first = (JobStore.Enqueued) r[0];
          JobStore.Enqueued again = (JobStore.Enqueued) r[1];
          JsonObject batch = (JsonObject) r[2];
          assertThat(again.ids()).isEqualTo(first.ids());
          assertThat(again.batch()).isEqualTo(first.batch());
          assertThat(batch.getLong("total")).isEqualTo(2);
          ctx.completeNow();
        })));
  }
}
