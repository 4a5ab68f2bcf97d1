package dev.fanout.queue;

import dev.fanout.api.JobOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a blocking handler's calls run: threads of its registration's own, so up to its
 * concurrency block at once without holding up an event loop or Vert.x's shared worker pool.
 * {@link Kind#PLATFORM} is a Vert.x worker pool of {@code concurrency} threads (watched by the
 * blocked-thread checker); {@link Kind#VIRTUAL} a virtual thread per call, on a JDK that has them
 * (reached by reflection: the build targets Java 17), named as the pool's threads are. fanout uses
 * {@link #DEFAULT}; docs/jobs.md gives the measurement behind that choice (bench/blocking-threads.sh).
 */
abstract class BlockingThreads {
  /** The two kinds of threads a blocking handler can run on. */
  enum Kind { PLATFORM, VIRTUAL }

  /**
   * Virtual threads when the JDK has them: they measured faster and far cheaper in CPU and threads
   * (docs/jobs.md); platform threads on Java 17 to 20.
   */
  static final Kind DEFAULT = virtualAvailable() ? Kind.VIRTUAL : Kind.PLATFORM;
  /** Numbers the pools (a shared executor's name is its identity: each registration gets its own). */
  private static final AtomicLong POOLS = new AtomicLong();

  /** The threads of one registration of {@code kind}. */
  static BlockingThreads create(Vertx vertx, String kind, JobOptions options, Kind threads) {
    String name = "fanout-job-" + kind + "-" + POOLS.incrementAndGet();
    return threads == Kind.VIRTUAL ? new Virtual(vertx, name) : new Platform(vertx, name, options);
  }

  /** Whether this JDK has virtual threads. */
  static boolean virtualAvailable() {
    return Runtime.version().feature() >= 21;
  }

  /**
   * Calls {@code task} on one of these threads; completes as the future it returns does, on the
   * caller's context. A task that throws fails it.
   */
  abstract <T> Future<T> call(Callable<Future<T>> task);

  /** Lets the threads go (after the drain: nothing runs on them that anyone waits for). */
  abstract Future<Void> close();

  private static final class Platform extends BlockingThreads {
    private final WorkerExecutor pool;

    Platform(Vertx vertx, String name, JobOptions options) {
      pool = vertx.createSharedWorkerExecutor(name, options.concurrency(), options.timeout().toMillis(),
          TimeUnit.MILLISECONDS);
    }

    @Override
    <T> Future<T> call(Callable<Future<T>> task) {
      return pool.executeBlocking(task, false).compose(f -> f);
    }

    @Override
    Future<Void> close() {
      return pool.close();
    }
  }

  private static final class Virtual extends BlockingThreads {
    private final Vertx vertx;
    private final ExecutorService threads;

    Virtual(Vertx vertx, String name) {
      this.vertx = vertx;
      this.threads = perTask(virtualThreads(name));
    }

    @Override
    <T> Future<T> call(Callable<Future<T>> task) {
      Context ctx = vertx.getOrCreateContext();
      Promise<T> result = Promise.promise();
      try {
        threads.execute(() -> {
          Future<T> f;
          try {
            f = task.call();
          } catch (Exception e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(ar -> ctx.runOnContext(v -> result.handle(ar)));
        });
      } catch (RejectedExecutionException e) {
        result.fail(e);
      }
      return result.future();
    }

    @Override
    Future<Void> close() {
      threads.shutdown();
      return Future.succeededFuture();
    }

    /** {@code Executors.newThreadPerTaskExecutor(factory)}, by reflection (Java 21+). */
    private static ExecutorService perTask(ThreadFactory factory) {
      try {
        return (ExecutorService) Executors.class.getMethod("newThreadPerTaskExecutor", ThreadFactory.class)
            .invoke(null, factory);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("virtual threads need Java 21 or later", e);
      }
    }

    /** {@code Thread.ofVirtual().name(name + "-", 0).factory()}, by reflection (Java 21+). */
    private static ThreadFactory virtualThreads(String name) {
      try {
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Class<?> type = Class.forName("java.lang.Thread$Builder");
        builder = type.getMethod("name", String.class, long.class).invoke(builder, name + "-", 0L);
        return (ThreadFactory) type.getMethod("factory").invoke(builder);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("virtual threads need Java 21 or later", e);
      }
    }
  }
}
