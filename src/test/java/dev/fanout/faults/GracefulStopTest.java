package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutVerticle;
import dev.fanout.bus.Addresses;
import dev.fanout.bus.NewJob;
import dev.fanout.fetch.FetchPool;
import dev.fanout.queue.BuiltInHandlersVerticle;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import dev.fanout.testing.TestDb;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node stopped while fetch jobs run. The graceful stop (what {@code fanout serve} does on
 * SIGTERM) drains the worker before the handlers and the fetchers go, so running fetches finish
 * and are recorded; and a fetch cut off by its fetcher stopping is a retry, never a completion.
 */
@ExtendWith(VertxExtension.class)
class GracefulStopTest {
  Vertx node;
  Pool probe;

  @AfterEach
  void closeNode() {
    if (node != null) {
      node.close().await(); // a no-op once the test closed it
    }
  }

  @Test
  void a_graceful_stop_lets_running_fetch_jobs_finish_before_the_fetchers_stop(Vertx vertx, VertxTestContext ctx) {
    node = Vertx.vertx();
    Context here = vertx.getOrCreateContext();
    Promise<Void> gate = Promise.promise();
    AtomicInteger arrived = new AtomicInteger();
    HttpServer target = vertx.createHttpServer().requestHandler(req -> {
      arrived.incrementAndGet();
      gate.future().onComplete(v -> req.response().end("done"));
    });
    long[] id = new long[1];
    target.listen(0, "127.0.0.1").compose(s -> startNode(vertx, here, new JsonObject().put("drainMs", 60_000)))
        .compose(v -> onHere(here, enqueueFetch("http://127.0.0.1:" + target.actualPort() + "/slow")))
        .compose(jobId -> {
          id[0] = jobId;
          return Conditions.until(vertx, () -> arrived.get() == 1, 10_000);
        })
        .compose(v -> {
          // the response is let through once the worker drains: it must still reach the job
          node.eventBus().<JsonObject>consumer(Addresses.EVENTS, msg -> {
            if ("draining".equals(msg.body().getString("type"))) {
              vertx.runOnContext(x -> gate.tryComplete());
            }
          });
          return stopGracefully(here);
        })
        .compose(v -> job(id[0]))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertThat(job.getString("state")).isEqualTo("completed");
          assertThat(job.getJsonObject("result").getBoolean("ok")).isTrue();
          assertThat(job.getJsonObject("result").getInteger("status")).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  @Test
  void a_fetch_job_whose_fetcher_stops_under_it_is_not_completed_with_cancelled(Vertx vertx, VertxTestContext ctx) {
    long[] id = new long[1];
    // one fetcher, so the cancelled result comes straight from the fetcher that ran the fetch (with
    // several, a routed reply can be lost while they all stop, and the handler then waits its timeout)
    JsonObject config = Fetchers.config(Fetchers.fetch("instances", 1));
    TargetServer.start(vertx).compose(target -> WorkerRig.start(vertx, new JsonObject(), false)
        .compose(rig -> vertx.deployVerticle(new BuiltInHandlersVerticle(), new DeploymentOptions().setConfig(config))
            .compose(h -> FetchPool.deploy(vertx, config))
            .compose(fetchers -> rig.store.enqueue(List.of(new NewJob("fetch", "default",
                    new JsonObject().put("url", target.url("/hang")).put("retries", 0), 0, null, 5, null)))
                .compose(e -> {
                  id[0] = e.ids().get(0);
                  return Conditions.until(vertx, () -> target.inFlight() == 1, 10_000);
                })
                // the fetchers stop (a shutdown, an undeploy) while the handler and the worker still run
                .compose(v -> vertx.undeploy(fetchers)))
            .compose(v -> rig.until("SELECT state <> 'running' FROM fanout_job WHERE id = $1", Tuple.of(id[0]), 10_000))
            .compose(v -> rig.job(id[0]))))
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertThat(job.getString("state")).isNotEqualTo("completed");
          assertThat(job.getValue("result")).isNull();
          ctx.completeNow();
        })));
  }

  private Future<Void> startNode(Vertx vertx, Context here, JsonObject queue) {
    return vertx.executeBlocking(TestDb::url).compose(u -> TestDb.freshSchema(vertx)).compose(schema -> {
      probe = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
      return onHere(here, Service.startIn(node, schema, new JsonObject().put("queue", queue))).mapEmpty();
    });
  }

  private Future<Long> enqueueFetch(String url) {
    JsonObject job = new JsonObject().put("kind", "fetch")
        .put("payload", new JsonObject().put("url", url).put("retries", 0));
    return node.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, job)
        .map(m -> m.body().getJsonArray("ids").getLong(0));
  }

  /** What {@code fanout serve} does on SIGTERM, from a thread of its own as there. */
  private Future<Void> stopGracefully(Context here) {
    return Future.fromCompletionStage(CompletableFuture.runAsync(() -> {
      FanoutVerticle.drain(node).await();
      node.close().await();
    }), here);
  }

  private Future<JsonObject> job(long id) {
    return probe.query("SELECT state, attempt, result FROM fanout_job WHERE id = " + id).execute().map(rows -> {
      var r = rows.iterator().next();
      return new JsonObject().put("state", r.getString(0)).put("attempt", r.getInteger(1)).put("result", r.getValue(2));
    });
  }

  private static <T> Future<T> onHere(Context here, Future<T> f) {
    return Future.fromCompletionStage(f.toCompletionStage(), here);
  }
}
