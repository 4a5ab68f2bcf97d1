package dev.fanout.queue;

import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measurement behind {@link BlockingThreads#DEFAULT} (docs/jobs.md, "Blocking handlers"):
 * {@code JOBS} jobs whose handler blocks {@code BLOCK_MS}, sent as the worker sends them (to
 * {@code fanout.job.<kind>}, {@code CONCURRENCY} in flight), to a blocking registration on platform
 * worker threads, then on virtual threads when the JDK has them. Prints wall time, throughput, the
 * process's CPU time and its peak thread count per round. Not a test: run by bench/blocking-threads.sh.
 */
public final class BlockingThreadsBench {
  private static final int JOBS = Integer.getInteger("jobs", 5_000);
  private static final int CONCURRENCY = Integer.getInteger("concurrency", 200);
  private static final int BLOCK_MS = Integer.getInteger("blockMs", 20);
  private static final int ROUNDS = Integer.getInteger("rounds", 3);

  private BlockingThreadsBench() {}

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    try {
      System.out.printf("java %s, %d jobs, handler blocks %d ms, concurrency %d%n",
          Runtime.version(), JOBS, BLOCK_MS, CONCURRENCY);
      for (BlockingThreads.Kind kind : BlockingThreads.Kind.values()) {
        if (kind == BlockingThreads.Kind.VIRTUAL && !BlockingThreads.virtualAvailable()) {
          System.out.println("virtual threads: not on this JDK");
          continue;
        }
        run(vertx, kind, -1); // warm-up
        for (int round = 1; round <= ROUNDS; round++) {
          run(vertx, kind, round);
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  private static void run(Vertx vertx, BlockingThreads.Kind kind, int round) {
    String name = "bench-" + kind.name().toLowerCase() + "-" + (round < 0 ? "warm" : round);
    JobOptions options = JobOptions.defaults().concurrency(CONCURRENCY).timeout(Duration.ofMinutes(5)).blocking(true);
    KindRegistration reg = KindRegistration.start(vertx, name, options, job -> {
      try {
        Thread.sleep(BLOCK_MS); // the handler's blocking work
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Future.succeededFuture(JobReply.complete(null));
    }, kind).await();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    mx.resetPeakThreadCount();
    long cpu0 = cpu();
    long t0 = System.nanoTime();
    send(vertx, name).await();
    double ms = (System.nanoTime() - t0) / 1e6;
    double cpuMs = (cpu() - cpu0) / 1e6;
    reg.unregister().await();
    if (round > 0) {
      System.out.printf("%-8s round %d: %7.0f ms, %6.0f jobs/s, cpu %6.0f ms, peak threads %d%n",
          kind, round, ms, JOBS / ms * 1000, cpuMs, mx.getPeakThreadCount());
    }
  }

  /** Sends the jobs as the worker does, {@code CONCURRENCY} in flight; completes when all are answered. */
  private static Future<Void> send(Vertx vertx, String kind) {
    Promise<Void> done = Promise.promise();
    AtomicInteger sent = new AtomicInteger();
    AtomicLong answered = new AtomicLong();
    vertx.runOnContext(v -> {
      for (int i = 0; i < CONCURRENCY; i++) {
        next(vertx, kind, sent, answered, done);
      }
    });
    return done.future();
  }

  private static void next(Vertx vertx, String kind, AtomicInteger sent, AtomicLong answered, Promise<Void> done) {
    int n = sent.getAndIncrement();
    if (n >= JOBS) {
      return;
    }
    JsonObject job = new JsonObject().put("id", n).put("kind", kind).put("attempt", 1);
    DeliveryOptions d = new DeliveryOptions().setSendTimeout(300_000)
        .addHeader(JobHandlers.DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + 300_000));
    vertx.eventBus().request(Addresses.JOB_HANDLER_PREFIX + kind, job, d).onComplete(ar -> {
      if (answered.incrementAndGet() == JOBS) {
        done.complete();
      } else {
        next(vertx, kind, sent, answered, done);
      }
    });
  }

  private static long cpu() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
