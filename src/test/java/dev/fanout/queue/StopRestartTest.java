package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TestDb;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node closed with jobs running, then another started on the same database: no job is lost. */
@ExtendWith(VertxExtension.class)
class StopRestartTest {
  Vertx first;
  Pool probe;
  private volatile long runningNow;

  @Test
  void closing_a_node_with_jobs_running_loses_none(Vertx vertx, VertxTestContext ctx) {
    first = Vertx.vertx();
    Context here = vertx.getOrCreateContext();
    JsonObject quickDrain =
        new JsonObject().put("queue", new JsonObject().put("drainMs", 100).put("rescueEveryMs", 200));
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < 20; i++) {
      jobs.add(new JsonObject().put("kind", "work").put("payload", new JsonObject().put("i", i)));
    }
    here.runOnContext(go -> startedFreshSchema(vertx).compose(schema -> {
      probe = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
      // node 1: a handler that never answers, so every job it claims is still running when it closes.
      // Its futures are moved onto this test's context: node 1's own event loops go away with it.
      return onHere(here, Service.startIn(first, schema, quickDrain)
              .compose(p -> JobHandlers.register(first, "work", new JobHandlers.Options(50, 600_000, false),
                  job -> Promise.<JsonObject>promise().future()))
              .compose(c -> first.eventBus().request(Addresses.JOBS_ENQUEUE, new JsonObject().put("jobs", jobs))))
          .compose(m -> Conditions.until(vertx, () -> running() == 20, 10_000))
          .compose(v -> Future.fromCompletionStage(CompletableFuture.runAsync(() -> first.close().await()), here))
          // node 2: a handler that works
          .compose(v -> Service.startIn(vertx, schema, quickDrain))
          .compose(p -> JobHandlers.register(vertx, "work", JobHandlers.Options.defaults(),
              job -> Future.succeededFuture(job.getJsonObject("payload"))))
          .compose(c -> vertx.eventBus().<JsonObject>request(Addresses.JOBS_LIST,
              new JsonObject().put("kind", "work").put("limit", 1)))
          .compose(m -> vertx.eventBus().<JsonObject>request(Addresses.JOBS_BATCH, new JsonObject()
              .put("id", m.body().getJsonArray("jobs").getJsonObject(0).getString("batch")).put("waitMs", 20_000),
              new DeliveryOptions().setSendTimeout(40_000)));
    }).onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
      JsonObject b = batch.body();
      assertThat(b.getBoolean("done")).isTrue();
      assertThat(b.getJsonObject("counts").getLong("completed")).isEqualTo(20);
      ctx.completeNow();
    }))));
  }

  /** A fresh schema, once the test database runs (started on a worker: starting it blocks). */
  private static Future<String> startedFreshSchema(Vertx vertx) {
    return vertx.executeBlocking(TestDb::url).compose(u -> TestDb.freshSchema(vertx));
  }

  private static <T> Future<T> onHere(Context here, Future<T> f) {
    return Future.fromCompletionStage(f.toCompletionStage(), here);
  }

  private long running() {
    probe.query("SELECT count(*) FROM fanout_job WHERE state = 'running'").execute()
        .onSuccess(rows -> runningNow = rows.iterator().next().getLong(0));
    return runningNow;
  }
}
