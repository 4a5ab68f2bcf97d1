package dev.fanout.queue;

import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import dev.fanout.config.QueueConfig;
import dev.fanout.retry.Backoff;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue worker's finished attempts, written together: they wait at most {@code queue.flushMs}
 * (or until {@value #FLUSH_AT} are waiting), then each kind of outcome is one statement, and an
 * {@code attempts} event on {@code fanout.events} follows (batch waiters count it down; the event
 * stream relays it, with the first {@value #MAX_FAILURES} failed attempts of the flush). Used on
 * the worker's event loop only.
 */
final class Completer {
  private static final Logger LOG = LoggerFactory.getLogger(Completer.class);
  private static final int FLUSH_AT = 1000;
  /** Failed attempts an event names at most: a flush of a thousand failures stays a small message. */
  static final int MAX_FAILURES = 20;
  /** The characters of an error an event carries at most. */
  static final int MAX_ERROR_CHARS = 200;

  private final Vertx vertx;
  private final JobStore store;
  private final QueueConfig cfg;
  private List<JobStore.Outcome> completed = new ArrayList<>();
  private List<JobStore.Outcome> failed = new ArrayList<>();
  private List<JobStore.Outcome> later = new ArrayList<>();
  private List<JobStore.Outcome> cancelled = new ArrayList<>();
  /** Outcomes per batch id, for the {@code attempts} event after they are written. */
  private Map<String, Integer> byBatch = new HashMap<>();
  /** The first {@link #MAX_FAILURES} failed attempts, for the {@code attempts} event. */
  private JsonArray failures = new JsonArray();
  private long flushTimer = -1;

  /** Writes through {@code store}, whose connections commit durably. */
  Completer(Vertx vertx, JobStore store, QueueConfig cfg) {
    this.vertx = vertx;
    this.store = store;
    this.cfg = cfg;
  }

  /** Records how the handler ended attempt {@code c}; a retry's error is of kind {@code error}. */
  void record(JobStore.Claimed c, JobReply reply) {
    switch (reply.kind()) {
      case COMPLETE -> completed.add(new JobStore.Outcome(c.id(), c.attempt(), reply.result(), null, 0));
      case SNOOZE -> later.add(new JobStore.Outcome(c.id(), c.attempt(), null, null, reply.delayMs()));
      case CANCEL -> cancelled.add(new JobStore.Outcome(c.id(), c.attempt(), reply.result(), null, 0));
      case RETRY -> {
        failed(c, "error", reply.error());
        return;
      }
    }
    count(c);
    flushSoon();
  }

  /** Records a failed attempt {@code c}: {@code kind} says how (error, timeout, no-handler). */
  void failed(JobStore.Claimed c, String kind, String message) {
    JsonObject error = new JsonObject().put("at", Instant.now().toString()).put("attempt", c.attempt())
        .put("kind", kind).put("message", message);
    long delay = backoffMs(c.attempt());
    failed.add(new JobStore.Outcome(c.id(), c.attempt(), null, error, delay));
    if (failures.size() < MAX_FAILURES) {
      failures.add(failure(c, kind, message));
    }
    LOG.warn("job {} ({}) attempt {} of {} failed, {}: {}; {}", c.id(), c.kind(), c.attempt(), c.maxAttempts(), kind,
        brief(message), c.attempt() >= c.maxAttempts() ? "no attempts left: dead" : "runs again in " + delay + " ms");
    count(c);
    flushSoon();
  }

  /** A failed attempt as the {@code attempts} event names it; its state is the one {@link JobSql#FAIL} gives it. */
  private static JsonObject failure(JobStore.Claimed c, String kind, String message) {
    String m = String.valueOf(message);
    return new JsonObject().put("id", c.id()).put("kind", c.kind()).put("batch", c.job().getValue("batch"))
        .put("attempt", c.attempt()).put("state", c.attempt() >= c.maxAttempts() ? "discarded" : "retryable")
        .put("errorKind", kind).put("error", m.length() <= MAX_ERROR_CHARS ? m : m.substring(0, MAX_ERROR_CHARS));
  }

  /** A message short enough for one log line. */
  private static String brief(String message) {
    String m = String.valueOf(message);
    return m.length() <= 300 ? m : m.substring(0, 300) + "...";
  }

  private long backoffMs(int attempt) {
    return Backoff.delayMs(cfg.backoffBaseMs(), cfg.backoffMaxMs(), attempt);
  }

  int size() {
    return completed.size() + failed.size() + later.size() + cancelled.size();
  }

  private void count(JobStore.Claimed c) {
    if (c.job().getValue("batch") instanceof String batch) {
      byBatch.merge(batch, 1, Integer::sum);
    }
  }

  private void flushSoon() {
    if (size() >= FLUSH_AT) {
      flush();
    } else if (flushTimer < 0) {
      flushTimer = vertx.setTimer(cfg.flushMs(), id -> {
        flushTimer = -1;
        flush();
      });
    }
  }

  /**
   * Writes what is buffered, then publishes the {@code attempts} event. A failed write leaves the
   * jobs running until their leases expire, when they run again.
   */
  Future<?> flush() {
    List<JobStore.Outcome> c = completed;
    List<JobStore.Outcome> f = failed;
    List<JobStore.Outcome> l = later;
    List<JobStore.Outcome> x = cancelled;
    Map<String, Integer> batches = byBatch;
    JsonArray named = failures;
    completed = new ArrayList<>();
    failed = new ArrayList<>();
    later = new ArrayList<>();
    cancelled = new ArrayList<>();
    byBatch = new HashMap<>();
    failures = new JsonArray();
    return Future.join(store.complete(c), store.fail(f), store.reschedule(l), store.cancelRunning(x))
        .onFailure(e -> LOG.warn("writing job outcomes failed ({}); their leases will expire and they will run again",
            e.getMessage()))
        .onComplete(ar -> {
          if (!batches.isEmpty()) {
            vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "attempts")
                .put("completed", c.size()).put("failed", f.size()).put("snoozed", l.size()).put("cancelled", x.size())
                .put("batches", new JsonObject(new HashMap<String, Object>(batches))).put("failures", named));
          }
        });
  }

  /** Puts claimed attempts back without using them (run again as soon as a worker claims them). */
  Future<Integer> release(List<JobStore.Claimed> claimed) {
    List<JobStore.Outcome> back = new ArrayList<>(claimed.size());
    claimed.forEach(c -> back.add(new JobStore.Outcome(c.id(), c.attempt(), null, null, 0)));
    return store.reschedule(back);
  }
}
