package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.FailureCode;
import dev.fanout.bus.NewJob;
import dev.fanout.testing.TestDb;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The batch long polls against a real store: answered once the batch is done, at the deadline, or 404. */
@ExtendWith(VertxExtension.class)
class BatchWaitsTest {
  private static final NewJob JOB = NewJob.fromJson(new JsonObject().put("kind", "w"));
  JobStore store;
  BatchWaits waits;
  Context context;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    context = vertx.getOrCreateContext();
    TestDb.freshPool(vertx, 2).onComplete(ctx.succeeding(p -> context.runOnContext(v -> {
      store = new JobStore(p);
      waits = new BatchWaits(vertx, store);
      waits.start().onComplete(ctx.succeedingThenComplete());
    })));
  }

  /** Runs {@code work} on the waits' event loop. */
  private <T> Future<T> onLoop(Supplier<Future<T>> work) {
    return Future.<Future<T>>future(p -> context.runOnContext(v -> p.complete(work.get()))).compose(f -> f);
  }

  private Future<Integer> completeAll(int n) {
    return store.claim("w", n, 60_000).compose(claimed -> {
      List<JobStore.Outcome> done = new ArrayList<>();
      claimed.forEach(c -> done.add(new JobStore.Outcome(c.id(), c.attempt(), new JsonObject(), null, 0)));
      return store.complete(done);
    });
  }

  @Test
  void an_unknown_batch_fails_404_naming_the_id(VertxTestContext ctx) {
    UUID id = UUID.randomUUID();
    onLoop(() -> waits.await(id, System.currentTimeMillis() + 60_000)).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOf(BusFailure.class);
      assertThat(((BusFailure) e).code()).isEqualTo(FailureCode.NOT_FOUND);
      assertThat(((BusFailure) e).field()).isEqualTo("id");
      assertThat(e.getMessage()).isEqualTo("no batch " + id);
      ctx.completeNow();
    })));
  }

  @Test
  void a_batch_not_done_by_the_deadline_is_answered_as_it_stands(VertxTestContext ctx) {
    store.enqueue(List.of(JOB, JOB))
        .compose(e -> onLoop(() -> waits.await(e.batch(), System.currentTimeMillis() + 300)))
        .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
          assertThat(b.getBoolean("done")).isFalse();
          assertThat(b.getLong("total")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void a_batch_is_answered_once_its_last_job_is_final(Vertx vertx, VertxTestContext ctx) {
    store.enqueue(List.of(JOB, JOB, JOB)).compose(e -> completeAll(1).compose(one -> {
      Future<JsonObject> answer = onLoop(() -> waits.await(e.batch(), System.currentTimeMillis() + 60_000));
      Future<JsonObject> second = onLoop(() -> waits.await(e.batch(), System.currentTimeMillis() + 60_000));
      // the workers report each write of outcomes; the last two end the batch
      return completeAll(2).onSuccess(n -> vertx.eventBus().publish(Addresses.EVENTS, new JsonObject()
              .put("type", "attempts").put("batches", new JsonObject().put(e.batch().toString(), n))))
          .compose(n -> Future.all(answer, second)).map(all -> List.of(answer.result(), second.result()));
    })).onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
      for (JsonObject b : answers) {
        assertThat(b.getBoolean("done")).isTrue();
        assertThat(b.getJsonObject("counts").getLong("completed")).isEqualTo(3);
      }
      ctx.completeNow();
    })));
  }

  @Test
  void a_done_batch_is_answered_at_once_and_foreign_events_change_nothing(Vertx vertx, VertxTestContext ctx) {
    store.enqueue(List.of(JOB)).compose(e -> completeAll(1).compose(n -> {
      vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "other"));
      vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "attempts").put("batches", "x"));
      return onLoop(() -> waits.await(e.batch(), System.currentTimeMillis() + 60_000));
    })).onComplete(ctx.succeeding(b -> ctx.verify(() -> {
      assertThat(b.getBoolean("done")).isTrue();
      assertThat(b.getLong("total")).isEqualTo(1);
      ctx.completeNow();
    })));
  }
}
