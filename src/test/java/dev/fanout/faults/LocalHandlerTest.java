package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.api.Fanout;
import dev.fanout.api.JobContext;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.api.Registration;
import dev.fanout.bus.Addresses;
import dev.fanout.queue.JobHandlers;
import dev.fanout.queue.QueueWorkerVerticle;
import dev.fanout.testing.Conditions;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kind whose every registration is a handler in this JVM runs without an event-bus round trip
 * per job: the handler sees the same deadline and the same outcomes follow as on the bus; a kind
 * with an external registration still goes over the bus.
 */
@ExtendWith(VertxExtension.class)
class LocalHandlerTest {
  private static final JsonObject QUEUE = new JsonObject().put("rescueEveryMs", 86_400_000);
  private static final String DONE = "SELECT state = 'completed' FROM fanout_job WHERE id = $1";

  @Test
  void a_local_handler_gets_the_deadline_and_no_bus_message_is_sent(Vertx vertx, VertxTestContext ctx) {
    List<JobContext> seen = new CopyOnWriteArrayList<>();
    AtomicInteger onTheBus = new AtomicInteger();
    long[] at = new long[2];
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> Fanout.registerHandler(vertx, "near",
            JobOptions.defaults().timeout(Duration.ofSeconds(40)), job -> {
              at[1] = System.currentTimeMillis();
              seen.add(job);
              return Future.succeededFuture(JobReply.complete(job.payload()));
            })
        .compose(reg -> {
          // a consumer of the address that is not a registration: the worker does not send to it
          vertx.eventBus().consumer(Addresses.JOB_HANDLER_PREFIX + "near", msg -> {
            onTheBus.incrementAndGet();
            msg.reply(new JsonObject());
          });
          at[0] = System.currentTimeMillis();
          return rig.enqueue("near", 3);
        })
        .compose(id -> rig.until(DONE, Tuple.of(id), 10_000)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(seen).hasSize(1);
          assertThat(onTheBus.get()).isZero();
          assertThat(seen.get(0).deadline().toEpochMilli()).isBetween(at[0] + 40_000, at[1] + 40_000);
          ctx.completeNow();
        })));
  }

  @Test
  void a_local_handler_that_never_answers_times_out_as_a_bus_handler_does(Vertx vertx, VertxTestContext ctx) {
    JobHandlers.External[] external = new JobHandlers.External[1];
    long[] ids = new long[2];
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> Fanout.registerHandler(vertx, "mute-near",
            JobOptions.defaults().timeout(Duration.ofMillis(300)), job -> Promise.<JobReply>promise().future())
        .compose(reg -> {
          vertx.eventBus().consumer(Addresses.JOB_HANDLER_PREFIX + "mute-far", msg -> { }); // never replies
          external[0] = JobHandlers.registerExternal(vertx, "mute-far", new JobHandlers.Options(5, 300, false));
          return rig.enqueue("mute-near", 1);
        })
        .compose(near -> {
          ids[0] = near;
          return rig.enqueue("mute-far", 1);
        })
        .compose(far -> {
          ids[1] = far;
          return rig.until("SELECT count(*) = 2 FROM fanout_job WHERE state = 'discarded'", Tuple.tuple(), 10_000);
        })
        .compose(v -> rig.job(ids[0]))
        .compose(near -> rig.job(ids[1]).map(far -> List.of(near, far))))
        .onComplete(ctx.succeeding(jobs -> ctx.verify(() -> {
          external[0].remove();
          for (JsonObject job : jobs) {
            JsonObject error = job.getJsonArray("errors").getJsonObject(0);
            assertThat(error.getString("kind")).as(job.encode()).isEqualTo("timeout");
            assertThat(error.getString("message")).startsWith("Timed out after waiting 300(ms) for a reply.");
          }
          ctx.completeNow();
        })));
  }

  /** A worker verticle registering {@code late}: the test holds its thread to hold a dispatch back. */
  static final class WorkerPlugin extends VerticleBase {
    final AtomicInteger calls = new AtomicInteger();
    Registration registration;

    @Override
    public Future<?> start() {
      return Fanout.registerHandler(vertx, "late", JobOptions.defaults(), job -> {
        calls.incrementAndGet();
        return Future.succeededFuture(JobReply.complete(null));
      }).onSuccess(r -> registration = r);
    }

    Context context() {
      return context;
    }
  }

  @Test
  void an_unregister_between_claim_and_dispatch_gives_the_job_back_without_an_attempt(Vertx vertx,
      VertxTestContext ctx) {
    WorkerPlugin plugin = new WorkerPlugin();
    CountDownLatch hold = new CountDownLatch(1);
    AtomicBoolean held = new AtomicBoolean();
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> vertx.deployVerticle(plugin,
            new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
        .compose(d -> {
          plugin.context().runOnContext(v -> { // the plugin's thread is busy: the attempt waits behind it
            held.set(true);
            await(hold);
          });
          return Conditions.until(vertx, held::get, 10_000).compose(v -> rig.enqueue("late", 3));
        })
        .compose(id -> running(vertx, 1) // claimed and dispatched: the call waits behind the busy thread
            .compose(v -> {
              plugin.registration.unregister();
              return Conditions.until(vertx, () -> !JobHandlers.kinds(vertx).containsKey("late"), 10_000);
            })
            .compose(v -> {
              hold.countDown();
              return rig.until("SELECT state IN ('available', 'scheduled') AND attempt = 0"
                  + " FROM fanout_job WHERE id = $1", Tuple.of(id), 10_000);
            })))
        .onComplete(ar -> hold.countDown())
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(plugin.calls.get()).isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void a_blocking_local_handler_runs_off_the_event_loop(Vertx vertx, VertxTestContext ctx) {
    List<String> threads = new CopyOnWriteArrayList<>();
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> Fanout.registerHandler(vertx, "heavy",
            JobOptions.defaults().concurrency(2).blocking(true), job -> {
              threads.add(Thread.currentThread().getName() + (Context.isOnEventLoopThread() ? " (event loop)" : ""));
              return Future.succeededFuture(JobReply.complete(null));
            })
        .compose(reg -> rig.enqueue("heavy", 3))
        .compose(id -> rig.until(DONE, Tuple.of(id), 10_000)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(threads).hasSize(1);
          assertThat(threads.get(0)).startsWith("fanout-job-heavy-").doesNotContain("event loop");
          ctx.completeNow();
        })));
  }

  @Test
  void a_kind_with_a_local_and_an_external_registration_goes_over_the_bus(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger local = new AtomicInteger();
    AtomicInteger external = new AtomicInteger();
    JobHandlers.External[] entry = new JobHandlers.External[1];
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> Fanout.registerHandler(vertx, "mixed",
            JobOptions.defaults(), job -> {
              local.incrementAndGet();
              return Future.succeededFuture(JobReply.complete(null));
            })
        .compose(reg -> {
          vertx.eventBus().<JsonObject>consumer(Addresses.JOB_HANDLER_PREFIX + "mixed", msg -> {
            external.incrementAndGet();
            msg.reply(new JsonObject());
          });
          entry[0] = JobHandlers.registerExternal(vertx, "mixed", new JobHandlers.Options(5, 30_000, false));
          return Future.all(List.of(rig.enqueue("mixed", 3), rig.enqueue("mixed", 3), rig.enqueue("mixed", 3),
              rig.enqueue("mixed", 3)));
        })
        .compose(all -> rig.until("SELECT count(*) = 4 FROM fanout_job WHERE state = 'completed'", Tuple.tuple(),
            10_000)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          entry[0].remove();
          // the bus takes turns between its two consumers of the address
          assertThat(external.get()).isPositive();
          assertThat(local.get()).isPositive();
          assertThat(local.get() + external.get()).isEqualTo(4);
          ctx.completeNow();
        })));
  }

  /** Completes once the worker holds {@code n} claimed jobs. */
  private static Future<Void> running(Vertx vertx, int n) {
    return vertx.eventBus().<Integer>request(QueueWorkerVerticle.RUNNING, new JsonObject()).compose(m -> {
      if (m.body() == n) {
        return Future.succeededFuture();
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(10, t -> running(vertx, n).onComplete(later));
      return later.future();
    });
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
