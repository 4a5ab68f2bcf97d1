package dev.fanout.queue;

import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Registers the handler of a job kind on this node. The handler gets the job (as the API shows
 * it, {@code payload} included) and completes with the result (a JSON object); a failed future
 * fails the attempt (retried with backoff, discarded after {@code maxAttempts}). A result of
 * exactly {@code {"snooze": MS}} runs the job again later without using an attempt; one of exactly
 * {@code {"cancel": "reason"}} cancels it ({@link JobReply} builds and reads these). The queue
 * worker on this node claims only kinds
 * registered here, at most {@code concurrency} at a time, and gives each attempt
 * {@code timeoutMs}. A blocking handler runs on a worker thread (the run_in_executor pattern).
 *
 * <p>Anything that consumes {@code fanout.job.<kind>} with that reply protocol is a handler —
 * a verticle on another node, a bridge client — but only kinds registered through this class are
 * claimed by this node's worker.
 */
public final class JobHandlers {
  static final String REGISTRY = "fanout.job.kinds";
  /** Bumped after every change of any registry in this JVM, so workers re-read theirs only then. */
  static final AtomicLong VERSION = new AtomicLong();
  /** Numbers the worker pools of blocking registrations (a shared executor's name is its identity). */
  private static final AtomicLong POOLS = new AtomicLong();
  /** Local address told of every change of this node's registry: the worker acts on it at once. */
  static final String CHANGED = "fanout.job.kinds.changed";
  /** The worker threads of each blocking registration, closed when it is unregistered. */
  private static final Map<MessageConsumer<JsonObject>, WorkerExecutor> EXECUTORS = new ConcurrentHashMap<>();

  private JobHandlers() {}

  /**
   * How a kind is run here.
   *
   * @param concurrency attempts of this kind in flight on this node at most
   * @param timeoutMs the limit of one attempt
   * @param blocking whether the handler blocks (it then runs on a worker thread)
   */
  public record Options(int concurrency, long timeoutMs, boolean blocking) {
    /** Non-blocking, 50 at a time, one minute per attempt. */
    public static Options defaults() {
      return new Options(50, 60_000, false);
    }
  }

  /**
   * Registers {@code handler} for {@code kind}; completes once it receives jobs. A blocking
   * handler is called on a pool of {@code concurrency} worker threads of its own (so it neither
   * waits for nor starves Vert.x's shared worker pool), unordered, and may block until it
   * returns; the future it returns may also complete later.
   */
  public static Future<MessageConsumer<JsonObject>> register(Vertx vertx, String kind, Options options,
      Function<JsonObject, Future<JsonObject>> handler) {
    // a pool of this registration's own: a shared executor of the same name keeps its first size
    WorkerExecutor threads = options.blocking()
        ? vertx.createSharedWorkerExecutor("fanout-job-" + kind + "-" + POOLS.incrementAndGet(),
            Math.max(1, options.concurrency()), options.timeoutMs(), TimeUnit.MILLISECONDS)
        : null;
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.JOB_HANDLER_PREFIX + kind, msg -> {
      Future<JsonObject> result;
      try {
        result = threads == null
            ? handler.apply(msg.body())
            : threads.executeBlocking(() -> handler.apply(msg.body()), false).compose(f -> f);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(r -> msg.reply(r == null ? new JsonObject() : r))
          .onFailure(e -> BusFailure.reply(msg, e));
    });
    if (threads != null) {
      EXECUTORS.put(consumer, threads);
    }
    return consumer.completion().map(v -> {
      registry(vertx).put(kind,
          new JsonObject().put("concurrency", options.concurrency()).put("timeoutMs", options.timeoutMs()));
      changed(vertx);
      return consumer;
    });
  }

  /**
   * Unregisters a kind: this node's worker stops claiming it and at once gives back the jobs of
   * it that it claimed and has not started; the consumer goes (attempts it is running still
   * finish and are recorded).
   */
  public static Future<Void> unregister(Vertx vertx, String kind, MessageConsumer<JsonObject> consumer) {
    registry(vertx).remove(kind);
    changed(vertx);
    WorkerExecutor threads = EXECUTORS.remove(consumer);
    Future<Void> gone = consumer.unregister();
    return threads == null ? gone : gone.eventually(threads::close);
  }

  /**
   * Makes this node claim {@code kind} although nothing here consumes {@code fanout.job.<kind>}:
   * something else does (a bridge client). The claim lasts until {@link External#remove()}. A kind
   * already registered here keeps its entry (and options); the handle then removes nothing.
   */
  public static External registerExternal(Vertx vertx, String kind, Options options) {
    JsonObject entry = new JsonObject().put("concurrency", options.concurrency())
        .put("timeoutMs", options.timeoutMs()).put("external", true);
    if (registry(vertx).putIfAbsent(kind, entry) != null) {
      return () -> { };
    }
    changed(vertx);
    return () -> {
      if (registry(vertx).removeIfPresent(kind, entry)) {
        changed(vertx);
      }
    };
  }

  /** A claim of {@link #registerExternal}: {@link #remove()} ends it (once is enough; again does nothing). */
  @FunctionalInterface
  public interface External {
    /** This node stops claiming the kind; jobs of it claimed and not started go back at once. */
    void remove();
  }

  private static void changed(Vertx vertx) {
    VERSION.incrementAndGet();
    vertx.eventBus().publish(CHANGED, null);
  }

  static LocalMap<String, JsonObject> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(REGISTRY);
  }
}
