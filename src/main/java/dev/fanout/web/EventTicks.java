package dev.fanout.web;

import dev.fanout.bus.Addresses;
import dev.fanout.fetch.FetchPool;
import dev.fanout.fetch.GlobalLimits;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The {@code tick} snapshots of one web verticle's event streams: this node's fetch figures and
 * fetchers (read from the fetcher pool's counters, the way {@code fanout.cluster.node.<id>}
 * reads them: no request, nothing copied but a few numbers), the queues (asked of
 * {@code fanout.jobs.queues}, at most one ask in flight: a tick while one runs reuses the last
 * answer), and the rates since the previous tick, jobs' from the events the hub heard. Used on the
 * verticle's event loop only.
 */
final class EventTicks {
  private final Vertx vertx;
  private final DeliveryOptions ask;
  private long lastAt;
  private long lastFetches;
  private long completed;
  private long failed;
  private long enqueued;
  private JsonObject rates = rates(0, 0, 0, 0);
  private JsonArray queues;
  private boolean asking;

  EventTicks(Vertx vertx, long tickMs) {
    this.vertx = vertx;
    this.ask = new DeliveryOptions().setSendTimeout(Math.max(5_000, 5 * tickMs));
  }

  /** Starts counting afresh (the first client arrived): the next rates are over the time from now. */
  void reset() {
    lastAt = System.nanoTime();
    lastFetches = fetchesCompleted();
    completed = failed = enqueued = 0;
    rates = rates(0, 0, 0, 0);
  }

  /** An {@code attempts} event: {@code ok} attempts completed and {@code failedNow} failed. */
  void attempts(long ok, long failedNow) {
    completed += ok;
    failed += failedNow;
  }

  /** An {@code enqueued} event of {@code count} jobs. */
  void enqueued(long count) {
    enqueued += count;
  }

  /** Whether a queues answer has arrived since the hub started (else a snapshot would have none). */
  boolean hasQueues() {
    return queues != null;
  }

  /** The next tick: rates over the time since the previous one, and queues asked afresh unless an ask runs. */
  Future<JsonObject> next() {
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - lastAt) / 1e9);
    long fetches = fetchesCompleted();
    rates = rates(perSecond(fetches - lastFetches, seconds), perSecond(completed, seconds),
        perSecond(failed, seconds), perSecond(enqueued, seconds));
    lastAt = now;
    lastFetches = fetches;
    completed = failed = enqueued = 0;
    if (asking) {
      return Future.succeededFuture(snapshot());
    }
    asking = true;
    return vertx.eventBus().<JsonObject>request(Addresses.JOBS_QUEUES, new JsonObject(), ask).transform(ar -> {
      asking = false;
      if (ar.succeeded()) {
        queues = ar.result().body().getJsonArray("queues");
      }
      return Future.succeededFuture(snapshot()); // no answer: the last one stands
    });
  }

  /** A tick of the figures now, the last rates and the last queues answer (for a client that just arrived). */
  JsonObject snapshot() {
    GlobalLimits limits = FetchPool.limits(vertx);
    JsonObject fetches = new JsonObject().put("perSecond", rates.getLong("fetches"))
        .put("completed", limits == null ? 0 : limits.completed())
        .put("inFlight", limits == null ? 0 : limits.inFlight())
        .put("queued", limits == null ? 0 : limits.queued());
    JsonObject jobs = new JsonObject().put("completedPerSecond", rates.getLong("completed"))
        .put("failedPerSecond", rates.getLong("failed")).put("enqueuedPerSecond", rates.getLong("enqueued"));
    return new JsonObject().put("at", Instant.now().toString()).put("fetches", fetches).put("jobs", jobs)
        .put("fetchers", new JsonArray(List.copyOf(FetchPool.fetchers(vertx))))
        .put("queues", queues == null ? new JsonArray() : queues);
  }

  private long fetchesCompleted() {
    GlobalLimits limits = FetchPool.limits(vertx);
    return limits == null ? 0 : limits.completed();
  }

  private static long perSecond(long n, double seconds) {
    return Math.round(n / seconds);
  }

  private static JsonObject rates(long fetches, long completed, long failed, long enqueued) {
    return new JsonObject().put("fetches", fetches).put("completed", completed).put("failed", failed)
        .put("enqueued", enqueued);
  }
}
