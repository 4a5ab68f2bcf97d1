package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.api.Fanout;
import dev.fanout.api.JobContext;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.api.Registration;
import dev.fanout.bus.Addresses;
import dev.fanout.config.FanoutConfig;
import dev.fanout.queue.JobHandlers;
import dev.fanout.queue.JobsVerticle;
import dev.fanout.testing.Conditions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
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
 * A handler registered with {@link Fanout#registerHandler}: its attempt's deadline comes from
 * the worker, unregistering drains, and a verticle's registrations drain and go with it.
 */
@ExtendWith(VertxExtension.class)
class HandlerLifecycleTest {
  private static final JsonObject QUEUE = new JsonObject().put("rescueEveryMs", 86_400_000);

  @Test
  void unregister_completes_only_after_the_running_attempt_ended_and_its_outcome_is_recorded(Vertx vertx,
      VertxTestContext ctx) {
    HeldHandler held = new HeldHandler();
    List<JobContext> seen = new CopyOnWriteArrayList<>();
    long[] id = new long[1];
    long[] sent = new long[2];
    List<Future<Void>> gone = new CopyOnWriteArrayList<>();
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> Fanout.registerHandler(vertx, "held",
            JobOptions.defaults().concurrency(1).timeout(Duration.ofMinutes(10)), job -> {
              seen.add(job);
              sent[1] = System.currentTimeMillis();
              return held.handle(job.json()).map(JobReply::fromJson);
            })
        .compose(reg -> {
          sent[0] = System.currentTimeMillis();
          return rig.enqueue("held", 3)
              .compose(j -> {
                id[0] = j;
                return Conditions.until(vertx, () -> held.count() == 1, 10_000);
              })
              .compose(v -> {
                gone.add(reg.unregister());
                // the registry entry goes at once: a job enqueued now is not claimed here
                return rig.enqueue("held", 3);
              })
              .compose(later -> rig.until("SELECT state = 'available' FROM fanout_job WHERE id = $1",
                  Tuple.of(later), 10_000))
              .compose(v -> {
                ctx.verify(() -> assertThat(gone.get(0).isComplete()).as("drained while an attempt runs").isFalse());
                held.calls.get(0).release();
                return gone.get(0);
              })
              .compose(v -> rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1",
                  Tuple.of(id[0]), 10_000));
        }))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(held.count()).isEqualTo(1);
          JobContext job = seen.get(0);
          assertThat(job.id()).isEqualTo(id[0]);
          // the worker's deadline: its dispatch (between the enqueue and the call) plus the timeout
          long deadline = job.deadline().toEpochMilli();
          assertThat(deadline).isBetween(sent[0] + 600_000, sent[1] + 600_000);
          ctx.completeNow();
        })));
  }

  @Test
  void the_deadline_header_reaches_a_handler_registered_without_a_local_registration(Vertx vertx,
      VertxTestContext ctx) {
    List<String> headers = new CopyOnWriteArrayList<>();
    long[] before = new long[1];
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> {
      // as a bridge client is: a consumer of fanout.job.<kind>, and an entry in the registry
      vertx.eventBus().<JsonObject>consumer(Addresses.JOB_HANDLER_PREFIX + "remote", msg -> {
        headers.add(msg.headers().get(JobHandlers.DEADLINE_HEADER));
        msg.reply(new JsonObject().put("ok", true));
      });
      JobHandlers.External entry =
          JobHandlers.registerExternal(vertx, "remote", new JobHandlers.Options(2, 45_000, false));
      before[0] = System.currentTimeMillis();
      return rig.enqueue("remote", 3).compose(j -> rig.until(
          "SELECT state = 'completed' FROM fanout_job WHERE id = $1", Tuple.of(j), 10_000))
          .onComplete(ar -> entry.remove());
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(headers).hasSize(1);
      assertThat(Long.parseLong(headers.get(0))).isBetween(before[0] + 45_000, System.currentTimeMillis() + 45_000);
      ctx.completeNow();
    })));
  }

  /** A plugin's verticle: registers {@code plugin} in its start, and nothing in its stop. */
  static final class PluginVerticle extends VerticleBase {
    final HeldHandler held = new HeldHandler();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public Future<?> start() {
      return Fanout.registerHandler(vertx, "plugin", JobOptions.defaults().concurrency(1), job -> {
        threads.add(Thread.currentThread().getName());
        return held.handle(job.json()).map(JobReply::fromJson);
      });
    }
  }

  @Test
  void undeploying_a_verticle_drains_its_handler_and_the_kind_is_no_longer_claimed(Vertx vertx,
      VertxTestContext ctx) {
    PluginVerticle plugin = new PluginVerticle();
    long[] id = new long[1];
    List<Future<Void>> undeployed = new CopyOnWriteArrayList<>();
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> vertx.deployVerticle(
            new JobsVerticle(rig.direct), new DeploymentOptions().setConfig(FanoutConfig.defaults()))
        .compose(x -> vertx.deployVerticle(plugin))
        .compose(deployment -> rig.enqueue("plugin", 3)
            .compose(j -> {
              id[0] = j;
              return Conditions.until(vertx, () -> plugin.held.count() == 1, 10_000);
            })
            .compose(v -> rig.enqueue("plugin", 3)) // claimed behind the running one, or not at all
            .compose(second -> {
              undeployed.add(vertx.undeploy(deployment));
              // given back at once if it was claimed (scheduled, no attempt used), or never claimed
              return rig.until("SELECT state IN ('available', 'scheduled') AND attempt = 0"
                  + " FROM fanout_job WHERE id = $1", Tuple.of(second), 10_000);
            })
            .compose(v -> {
              ctx.verify(() -> assertThat(undeployed.get(0).isComplete()).as("undeployed while an attempt runs")
                  .isFalse());
              plugin.held.calls.get(0).release();
              return undeployed.get(0);
            })
            .compose(v -> rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1", Tuple.of(id[0]),
                10_000))
            .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.JOBS_QUEUES, new JsonObject()))))
        .onComplete(ctx.succeeding(queues -> ctx.verify(() -> {
          JsonObject kind = queues.body().getJsonArray("queues").stream().map(JsonObject.class::cast)
              .filter(q -> q.getString("kind").equals("plugin")).findFirst().orElseThrow();
          assertThat(kind.getBoolean("handled")).isFalse();
          assertThat(kind.getJsonArray("handlers")).isEmpty();
          JsonObject counts = kind.getJsonObject("counts");
          assertThat(counts.getLong("available", 0L) + counts.getLong("scheduled", 0L)).isEqualTo(1);
          assertThat(counts.getLong("completed")).isEqualTo(1);
          assertThat(plugin.held.count()).isEqualTo(1);
          assertThat(plugin.threads).allMatch(t -> t.startsWith("vert.x-eventloop"));
          ctx.completeNow();
        })));
  }
  /** A plugin whose handler blocks its thread until released, and notes whether it was interrupted. */
  static final class BlockingPluginVerticle extends VerticleBase {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger started = new AtomicInteger();
    final AtomicBoolean interrupted = new AtomicBoolean();

    @Override
    public Future<?> start() {
      return Fanout.registerHandler(vertx, "blocker", JobOptions.defaults().concurrency(2).blocking(true), job -> {
        started.incrementAndGet();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          interrupted.set(true);
          Thread.currentThread().interrupt();
        }
        return Future.succeededFuture(JobReply.complete(new JsonObject().put("blocked", true)));
      });
    }
  }

  @Test
  void undeploying_a_verticle_lets_its_blocking_attempt_finish_uninterrupted(Vertx vertx, VertxTestContext ctx) {
    BlockingPluginVerticle plugin = new BlockingPluginVerticle();
    List<Future<Void>> undeployed = new CopyOnWriteArrayList<>();
    long[] id = new long[1];
    WorkerRig.start(vertx, QUEUE, false).compose(rig -> vertx.deployVerticle(plugin)
        .compose(deployment -> rig.enqueue("blocker", 3)
            .compose(j -> {
              id[0] = j;
              return Conditions.until(vertx, () -> plugin.started.get() == 1, 10_000);
            })
            .compose(v -> {
              undeployed.add(vertx.undeploy(deployment));
              return rig.until("SELECT true", Tuple.tuple(), 10_000); // a round trip for the undeploy to go on
            })
            .compose(v -> {
              // its registration (a child) is undeploying, and waits for the blocked attempt
              ctx.verify(() -> assertThat(undeployed.get(0).isComplete()).isFalse());
              plugin.release.countDown();
              return undeployed.get(0);
            })
            .compose(v -> rig.until("SELECT state = 'completed' FROM fanout_job WHERE id = $1", Tuple.of(id[0]),
                10_000))))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          plugin.release.countDown();
          assertThat(plugin.interrupted.get()).isFalse();
          ctx.completeNow();
        })));
  }
}
