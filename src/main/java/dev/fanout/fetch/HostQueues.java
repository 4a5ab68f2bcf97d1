package dev.fanout.fetch;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The per-host queues of one fetcher: a task waits in its host's queue until the host has a free
 * slot ({@code fetch.perHost}), its rate spacing and any Retry-After pause allow a start, then asks
 * for a global permit. Hosts with nothing left to remember are forgotten. Event-loop confined.
 */
final class HostQueues {
  private final Vertx vertx;
  private final Context context;
  private final GlobalLimits limits;
  private final int perHost;
  private final long rateIntervalNanos;
  private final Consumer<FetchTask> run;
  private final Consumer<FetchTask> waiting;
  private final Map<String, HostLimiter> hosts = new HashMap<>();

  /**
   * Queues limited to {@code perHost} in flight and {@code perHostRate} starts a second per host;
   * a task that leaves its queue goes to {@code waiting} (it waits for a global permit, keeping its
   * deadline), and to {@code run} once it has the permit.
   */
  HostQueues(Vertx vertx, Context context, GlobalLimits limits, int perHost, double perHostRate,
      Consumer<FetchTask> run, Consumer<FetchTask> waiting) {
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
}
