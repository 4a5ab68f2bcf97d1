package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.NewJob;
import dev.fanout.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A batch's count: a batch nobody enqueued is not done; one is done when its last job is final. */
@ExtendWith(VertxExtension.class)
class BatchCountTest {
  JobStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    TestDb.freshPool(vertx, 2).onComplete(ctx.succeeding(p -> {
      store = new JobStore(p);
      ctx.completeNow();
    }));
  }

  @Test
  void an_unknown_batch_counts_nothing_and_is_not_done(VertxTestContext ctx) {
    store.batch(UUID.randomUUID()).onComplete(ctx.succeeding(b -> ctx.verify(() -> {
      assertThat(b.getLong("total")).isZero();
      assertThat(b.getJsonObject("counts")).isEmpty();
      assertThat(b.getBoolean("done")).isFalse();
      ctx.completeNow();
    })));
  }

  @Test
  void a_batch_is_done_only_when_its_last_job_is_final(VertxTestContext ctx) {
    NewJob job = NewJob.fromJson(new JsonObject().put("kind", "b"));
    store.enqueue(List.of(job, job))
        .compose(e -> store.claim("b", 1, 60_000).compose(c -> store.complete(List.of(
                new JobStore.Outcome(c.get(0).id(), c.get(0).attempt(), new JsonObject(), null, 0))))
            .compose(n -> store.batch(e.batch()))
            .compose(half -> {
              ctx.verify(() -> {
                assertThat(half.getLong("total")).isEqualTo(2);
                assertThat(half.getBoolean("done")).isFalse();
              });
              return store.cancel(e.ids().get(1));
            })
            .compose(x -> store.batch(e.batch())))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all.getJsonObject("counts").getLong("completed")).isEqualTo(1);
          assertThat(all.getJsonObject("counts").getLong("cancelled")).isEqualTo(1);
          assertThat(all.getBoolean("done")).isTrue();
          ctx.completeNow();
        })));
  }
}
