package dev.fanout.fetch;

import dev.fanout.bus.HostShards;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The per-host queues of one fetcher: a task waits in its host's queue until the host has a free
 * slot ({@code fetch.perHost}), its rate spacing and any Retry-After pause allow a start, then asks
 * for a global permit. A host whose shard is held (its ownership is moving here, {@link Ownership})
 * queues but starts nothing until {@link #resume(int)}. Hosts with nothing left to remember are
 * forgotten. Event-loop confined.
 */
final class HostQueues {
  private final Vertx vertx;
  private final Context context;
  private final GlobalLimits limits;
  private final int perHost;
  private final long rateIntervalNanos;
  private final Consumer<FetchTask> run;
  private final Consumer<FetchTask> waiting;
  private final Predicate<String> held;
  private final Map<String, HostLimiter> hosts = new HashMap<>();

  /**
   * Queues limited to {@code perHost} in flight and {@code perHostRate} starts a second per host;
   * a task that leaves its queue goes to {@code waiting} (it waits for a global permit, keeping its
   * deadline), and to {@code run} once it has the permit.
   */
  HostQueues(Vertx vertx, Context context, GlobalLimits limits, int perHost, double perHostRate,
      Consumer<FetchTask> run, Consumer<FetchTask> waiting) {
    this(vertx, context, limits, perHost, perHostRate, run, waiting, key -> false);
  }

  /** As above; a host key for which {@code held} is true starts nothing. */
  HostQueues(Vertx vertx, Context context, GlobalLimits limits, int perHost, double perHostRate,
      Consumer<FetchTask> run, Consumer<FetchTask> waiting, Predicate<String> held) {
    this.held = held;
    this.vertx = vertx;
    this.context = context;
    this.limits = limits;
    this.perHost = perHost;
    this.rateIntervalNanos = perHostRate > 0 ? (long) (1e9 / perHostRate) : 0;
    this.run = run;
    this.waiting = waiting;
  }

  /** Queues {@code task} at its current target's host, starting it at once when the host allows. */
  void add(FetchTask task) {
    HostLimiter h = hosts.computeIfAbsent(task.target.hostKey(), HostLimiter::new);
    task.host = h;
    task.phase = FetchTask.Phase.QUEUED;
    h.queue.add(task);
    pump(h);
  }

  /** A task of {@code h} finished its attempt: its slot is free for the next. */
  void release(HostLimiter h) {
    h.inFlight--;
    limits.hostSlotReleased();
    pump(h);
    evictIfIdle(h);
  }

  private void pump(HostLimiter h) {
    if (h.pumping) {
      return; // an attempt that failed at once re-enters here; the outer loop goes on
    }
    h.pumping = true;
    try {
      drain(h);
    } finally {
      h.pumping = false;
    }
  }

  private void drain(HostLimiter h) {
    h.skipDone();
    if (!h.queue.isEmpty() && held.test(h.key)) {
      return;
    }
    while (!h.queue.isEmpty() && h.inFlight < perHost) {
      long now = System.nanoTime();
      long wait = h.waitNanos(now);
      if (wait > 0) {
        wakeLater(h, wait);
        return;
      }
      FetchTask task = h.queue.poll();
      h.started(now, rateIntervalNanos);
      h.inFlight++;
      limits.hostSlotTaken();
      limits.dequeued();
      task.phase = FetchTask.Phase.PERMIT;
      limits.acquire(context, () -> run.accept(task));
      waiting.accept(task);
      h.skipDone();
    }
  }

  private void wakeLater(HostLimiter h, long nanos) {
    if (h.wakeTimer >= 0) {
      return;
    }
    h.wakeTimer = vertx.setTimer(Math.max(1, (nanos + 999_999) / 1_000_000), id -> {
      h.wakeTimer = -1;
      pump(h);
      evictIfIdle(h);
    });
  }

  private void evictIfIdle(HostLimiter h) {
    if (h.idle(System.nanoTime())) {
      hosts.remove(h.key, h);
    }
  }

  /** Forgets hosts that are idle now (a pause or rate spacing that has run out). */
  void sweep() {
    long now = System.nanoTime();
    for (Iterator<HostLimiter> it = hosts.values().iterator(); it.hasNext(); ) {
      if (it.next().idle(now)) {
        it.remove();
      }
    }
  }

  /** Whether a host of {@code shard} has a fetch holding its slot (running, or about to). */
  boolean busy(int shard) {
    return hosts.values().stream().anyMatch(h -> h.inFlight > 0 && HostShards.shardOf(h.key) == shard);
  }

  /** Takes every task still queued at a host of {@code shard} out of its queue. */
  List<FetchTask> takeQueued(int shard) {
    List<FetchTask> out = new ArrayList<>();
    for (HostLimiter h : hosts.values()) {
      if (HostShards.shardOf(h.key) == shard) {
        for (FetchTask t; (t = h.queue.poll()) != null; ) {
          if (t.phase != FetchTask.Phase.DONE) {
            out.add(t);
          }
        }
      }
    }
    return out;
  }

  /** The spacing and pause left at the hosts of {@code shard}: {@code {hostKey: [spacingMs, pauseMs]}}. */
  JsonObject politeness(int shard) {
    long now = System.nanoTime();
    JsonObject out = new JsonObject();
    for (HostLimiter h : hosts.values()) {
      long[] p = h.politeness(now);
      if (HostShards.shardOf(h.key) == shard && (p[0] > 0 || p[1] > 0)) {
        out.put(h.key, List.of(p[0], p[1]));
      }
    }
    return out;
  }

  /** Seeds the hosts a previous owner reported with {@link #politeness(int)}. */
  void seed(JsonObject politeness) {
    long now = System.nanoTime();
    for (String key : politeness.fieldNames()) {
      if (politeness.getValue(key) instanceof JsonArray p && p.size() == 2
          && p.getValue(0) instanceof Number spacing && p.getValue(1) instanceof Number pause) {
        hosts.computeIfAbsent(key, HostLimiter::new).seed(now, spacing.longValue(), pause.longValue());
      }
    }
  }

  /** Starts what waits at the hosts of {@code shard}, now that it is no longer held. */
  void resume(int shard) {
    for (HostLimiter h : List.copyOf(hosts.values())) {
      if (HostShards.shardOf(h.key) == shard) {
        pump(h);
      }
    }
  }
}
