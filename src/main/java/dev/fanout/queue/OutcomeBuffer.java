package dev.fanout.queue;

import dev.fanout.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue worker's finished attempts waiting to be written together: one statement per kind of
 * outcome per flush, then an {@code attempts} event on {@code fanout.events} (batch waiters count
 * it down). Used on the worker's event loop only.
 */
final class OutcomeBuffer {
  private static final Logger LOG = LoggerFactory.getLogger(OutcomeBuffer.class);

  private final Vertx vertx;
  private final JobStore store;
  private List<JobStore.Outcome> completed = new ArrayList<>();
  private List<JobStore.Outcome> failed = new ArrayList<>();
  private List<JobStore.Outcome> later = new ArrayList<>();
  private List<JobStore.Outcome> cancelled = new ArrayList<>();
  /** Outcomes per batch id, for the {@code attempts} event after they are written. */
  private Map<String, Integer> byBatch = new HashMap<>();

  /** Writes through {@code store}, whose connections commit durably. */
  OutcomeBuffer(Vertx vertx, JobStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  void completed(JobStore.Claimed c, JsonObject result) {
    completed.add(new JobStore.Outcome(c.id(), c.attempt(), result, null, 0));
    count(c);
  }

  void failed(JobStore.Claimed c, JsonObject error, long delayMs) {
    failed.add(new JobStore.Outcome(c.id(), c.attempt(), null, error, delayMs));
    count(c);
  }

  void snoozed(JobStore.Claimed c, long delayMs) {
    later.add(new JobStore.Outcome(c.id(), c.attempt(), null, null, delayMs));
    count(c);
  }

  void cancelled(JobStore.Claimed c, JsonObject reason) {
    cancelled.add(new JobStore.Outcome(c.id(), c.attempt(), reason, null, 0));
    count(c);
  }

  int size() {
    return completed.size() + failed.size() + later.size() + cancelled.size();
  }

  private void count(JobStore.Claimed c) {
    if (c.job().getValue("batch") instanceof String batch) {
      byBatch.merge(batch, 1, Integer::sum);
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
    completed = new ArrayList<>();
    failed = new ArrayList<>();
    later = new ArrayList<>();
    cancelled = new ArrayList<>();
    byBatch = new HashMap<>();
    return Future.join(store.complete(c), store.fail(f), store.reschedule(l), store.cancelRunning(x))
        .onFailure(e -> LOG.warn("writing job outcomes failed ({}); their leases will expire and they will run again",
            e.getMessage()))
        .onComplete(ar -> {
          if (!batches.isEmpty()) {
            vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "attempts")
                .put("completed", c.size()).put("failed", f.size()).put("snoozed", l.size()).put("cancelled", x.size())
                .put("batches", new JsonObject(new HashMap<String, Object>(batches))));
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
