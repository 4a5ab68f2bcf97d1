package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.queue.JobHandlers;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A blocking job handler (the thumbnail example of docs/jobs.md) that really blocks, eight at a time. */
@ExtendWith(VertxExtension.class)
class BlockingHandlerTest {
  @Test
  void eight_blocking_handlers_run_at_once_off_the_event_loops_which_stay_responsive(
      Vertx vertx, VertxTestContext ctx) {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger now = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    AtomicInteger onEventLoop = new AtomicInteger();
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < 8; i++) {
      jobs.add(new JsonObject().put("kind", "thumbnail").put("payload", new JsonObject().put("i", i)));
    }
    int[] port = new int[1];
    Service.start(vertx, new JsonObject())
        .compose(p -> {
          port[0] = p;
          return JobHandlers.register(vertx, "thumbnail", new JobHandlers.Options(8, 30_000, true), job -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            threads.add(Thread.currentThread().getName());
            if (Context.isOnEventLoopThread()) {
              onEventLoop.incrementAndGet();
            }
            try {
              // plain blocking work: held until the test has seen all eight at once
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            return Future.succeededFuture(new JsonObject().put("i", job.getJsonObject("payload").getInteger("i")));
          });
        })
        .compose(c -> vertx.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, new JsonObject().put("jobs", jobs))
            .map(Message::body))
        .compose(enq -> Conditions.until(vertx, () -> now.get() == 8, 10_000)
            // all eight are blocked now: every event loop still runs tasks, and the API answers
            .compose(v -> everyEventLoopRuns(vertx))
            .compose(v -> vertx.createHttpClient().request(HttpMethod.GET, port[0], "127.0.0.1", "/health/live")
                .compose(req -> req.send()).map(resp -> resp.statusCode()))
            .compose(status -> {
              ctx.verify(() -> assertThat(status).isEqualTo(200));
              release.countDown();
              return vertx.eventBus().<JsonObject>request(Addresses.JOBS_BATCH,
                  new JsonObject().put("id", enq.getString("batch")).put("waitMs", 30_000),
                  new DeliveryOptions().setSendTimeout(60_000));
            }))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          release.countDown();
          assertThat(batch.body().getBoolean("done")).isTrue();
          assertThat(batch.body().getJsonObject("counts").getLong("completed")).isEqualTo(8);
          assertThat(most.get()).isEqualTo(8);
          assertThat(threads).hasSize(8);
          assertThat(onEventLoop.get()).isZero();
          ctx.completeNow();
        })))
        .onFailure(e -> release.countDown());
  }

  /** Completes once a task submitted to each of Vert.x's event loops has run. */
  private static Future<Void> everyEventLoopRuns(Vertx vertx) {
    List<Future<Void>> ran = new ArrayList<>();
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      Promise<Void> p = Promise.promise();
      loop.execute(p::complete);
      ran.add(p.future());
    }
    return Future.all(ran).mapEmpty();
  }
}
