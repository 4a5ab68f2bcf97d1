package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.config.FetchConfig;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.net.InetAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch engine of one fetcher verticle: per-host queues and limits, the global permit, the
 * attempts, retries with backoff and Retry-After, redirects, timeouts and the deadline. Every
 * method runs on the owning verticle's event loop.
 */
final class Fetcher {
  private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);
  /** Sends a task whose next hop belongs to another shard to that shard's owner. */
  interface Handoff {
    Future<FetchResult> send(FetchTask task);
  }

  private final Vertx vertx;
  private final Context context;
  private final FetchConfig cfg;
  private final Connections connections;
  private final EgressPolicy egress;
  private final GlobalLimits limits;
  private final RetryPolicy retry;
  private final Function<String, Future<InetAddress>> resolver;
  private final Predicate<String> owns;
  private final Handoff handoff;
  private final long rateIntervalNanos;
  private final Map<String, HostLimiter> hosts = new HashMap<>();
  private final Set<FetchTask> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<String, Set<FetchTask>> groups = new HashMap<>();
  /** Recently cancelled groups, oldest first, with the time of the cancel. */
  private final Map<String, Long> cancelledGroups = new java.util.LinkedHashMap<>();
  private static final long CANCEL_MEMORY_NANOS = 600_000_000_000L;
  private static final int CANCEL_MEMORY_MAX = 100_000;
  private final Redirects redirects;
  private final Timeouts timeouts;

  Fetcher(Vertx vertx, Context context, FetchConfig cfg, Connections connections, EgressPolicy egress,
      GlobalLimits limits, Function<String, Future<InetAddress>> resolver, Predicate<String> owns, Handoff handoff) {
    this.vertx = vertx;
    this.context = context;
    this.cfg = cfg;
    this.connections = connections;
    this.egress = egress;
    this.limits = limits;
    this.resolver = resolver;
    this.owns = owns;
    this.handoff = handoff;
    this.retry = new RetryPolicy(cfg.backoffBaseMs(), cfg.backoffMaxMs(), cfg.retryAfterMaxMs());
    this.rateIntervalNanos = cfg.perHostRate() > 0 ? (long) (1e9 / cfg.perHostRate()) : 0;
    this.redirects = new Redirects(cfg.maxRedirects());
    this.timeouts = new Timeouts(vertx);
  }

  /**
   * Accepts a task that {@link GlobalLimits#tryQueue()} already counted. A task holds at most one
   * timer at a time: its deadline while it waits, the attempt limit (capped by the deadline) while
   * it runs, the backoff delay between attempts. One timer per fetch is the common case.
   */
  void submit(FetchTask task) {
    if (task.group != null) {
      if (cancelledGroups.containsKey(task.group)) {
        task.result.tryComplete(Results.failed(task, ErrorKind.CANCELLED, "its group was cancelled", System.nanoTime()));
        limits.dequeued();
        return;
      }
      groups.computeIfAbsent(task.group, g -> Collections.newSetFromMap(new IdentityHashMap<>())).add(task);
    }
    live.add(task);
    enqueue(task);
  }

  /**
   * Ends every task of {@code group} with {@code cancelled}: queued ones leave their queue, running
   * ones are reset. The group is remembered for a while, so a fetch of it that arrives after the
   * cancel (it was already on its way) is cancelled at once too.
   */
  void cancelGroup(String group) {
    long now = System.nanoTime();
    cancelledGroups.put(group, now);
    for (Iterator<Map.Entry<String, Long>> it = cancelledGroups.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (now - e.getValue() < CANCEL_MEMORY_NANOS && cancelledGroups.size() <= CANCEL_MEMORY_MAX) {
        break;
      }
      it.remove();
    }
    Set<FetchTask> tasks = groups.remove(group);
    if (tasks == null) {
      return;
    }
    for (FetchTask t : tasks.toArray(FetchTask[]::new)) {
      Attempt a = t.attempt;
      finish(t, Results.failed(t, ErrorKind.CANCELLED, "cancelled", now));
      if (a != null) {
        a.abort(ErrorKind.CANCELLED, "cancelled");
      }
    }
  }

  private void enqueue(FetchTask task) {
    HostLimiter h = hosts.computeIfAbsent(task.target.hostKey(), HostLimiter::new);
    task.host = h;
    task.phase = FetchTask.Phase.QUEUED;
    h.queue.add(task);
    pump(h);
    waitWithDeadline(task);
  }

  /** Arms the deadline of a task that has to wait (for its host or a global permit). */
  private void waitWithDeadline(FetchTask task) {
    if ((task.phase == FetchTask.Phase.QUEUED || task.phase == FetchTask.Phase.PERMIT) && task.timer < 0) {
      task.timer = vertx.setTimer(Math.max(1, task.remainingMs(System.nanoTime())), id -> {
        task.timer = -1;
        onDeadline(task);
      });
    }
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
    while (!h.queue.isEmpty() && h.inFlight < cfg.perHost()) {
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
      limits.acquire(context, () -> run(task));
      waitWithDeadline(task);
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

  private void run(FetchTask task) {
    if (task.phase == FetchTask.Phase.DONE) {
      release(task.host);
      return;
    }
    task.phase = FetchTask.Phase.RUNNING;
    cancelTimer(task);
    long now = System.nanoTime();
    long remaining = Math.max(1, task.remainingMs(now));
    boolean deadlineFirst = remaining <= task.timeoutMs;
    long limit = Math.min(task.timeoutMs, remaining);
    long idle = cfg.idleTimeoutMs() < limit ? cfg.idleTimeoutMs() : 0; // else the limit comes first
    Attempt attempt = new Attempt();
    task.attempt = attempt;
    task.limit = timeouts.schedule(limit, () -> {
      task.limit = null;
      if (deadlineFirst) {
        onDeadline(task);
      } else {
        attempt.abort(ErrorKind.TIMEOUT, "attempt took longer than " + limit + " ms");
      }
    });
    // Registered before the start: a start that fails at once (it throws) is an outcome like any other.
    attempt.future().onComplete(ar -> settle(task, ar));
    attempt.start(task.target, resolver, egress, address -> new Exchange(limits.capture(), context).start(
        connections, timeouts, task.target, address, task.method, task.headers, cfg.userAgent(), task.body,
        idle, task.maxBytes, task.capture));
  }

  /**
   * An attempt ended: handles its outcome, then releases the host slot, the permit and the
   * captured body's budget whatever happens while handling it (a throw there ends the fetch with
   * {@code internal} rather than leaking them). The result was replied to by then, synchronously.
   */
  private void settle(FetchTask task, AsyncResult<Exchange.Response> ar) {
    HostLimiter h = task.host;
    try {
      FetchFaults.at(FetchFaults.Point.CALLBACK, task.url);
      task.attempt = null;
      cancelTimer(task);
      if (task.phase != FetchTask.Phase.DONE) {
        // Outcome first, so a Retry-After pause is in place before the host slot is reused.
        if (ar.succeeded()) {
          onResponse(task, ar.result());
        } else {
          onFailure(task, FetchFailure.of(ar.cause()));
        }
      }
    } catch (RuntimeException e) {
      LOG.error("handling the outcome of {} failed", task.url, e);
      finish(task, Results.failed(task, ErrorKind.INTERNAL, "handling the response failed: " + e, System.nanoTime()));
    } finally {
      if (ar.succeeded()) {
        ar.result().release();
      }
      release(h);
    }
  }

  private void release(HostLimiter h) {
    limits.release();
    h.inFlight--;
    limits.hostSlotReleased();
    pump(h);
    evictIfIdle(h);
  }

  private void onResponse(FetchTask task, Exchange.Response r) {
    long now = System.nanoTime();
    if (task.followRedirects && Redirects.isRedirect(r)) {
      redirects.follow(task, r, now, this::finish, this::hop);
      return;
    }
    long after = RetryPolicy.retryable(r.status())
        ? retry.retryAfter(r.headers().get("retry-after"), System.currentTimeMillis()) : -1;
    if (after >= 0) {
      // One rule: a Retry-After, shortened to fetch.retryAfterMaxMs, pauses the whole host,
      // whether or not this fetch has retries left, and is this fetch's wait before its retry.
      task.host.pauseUntil(now + after * 1_000_000);
    }
    if (RetryPolicy.retryable(r.status()) && task.attempts <= task.retries) {
      backoff(task, after >= 0 ? after : retry.backoffMs(task.attempts), Results.of(task, r, now, null));
      return;
    }
    finish(task, Results.of(task, r, now, null));
  }

  private void onFailure(FetchTask task, FetchFailure f) {
    long now = System.nanoTime();
    FetchResult failed = f.partial() != null
        ? Results.withError(task, f.partial(), now, new FetchResult.FetchError(f.kind(), f.getMessage()))
        : Results.failed(task, f.kind(), f.getMessage(), now);
    if (RetryPolicy.retryable(f.kind()) && task.attempts <= task.retries) {
      backoff(task, retry.backoffMs(task.attempts), failed);
    } else {
      finish(task, failed);
    }
  }

  /** Retries after {@code delayMs}, or ends with {@code last} when the deadline comes first. */
  private void backoff(FetchTask task, long delayMs, FetchResult last) {
    if (delayMs >= task.remainingMs(System.nanoTime())) {
      finish(task, last);
      return;
    }
    task.phase = FetchTask.Phase.BACKOFF;
    task.attempts++;
    task.timer = vertx.setTimer(Math.max(1, delayMs), id -> {
      task.timer = -1;
      limits.requeue();
      enqueue(task);
    });
  }

  /** Continues a redirected task at its new target, here or at the owner of the new host. */
  private void hop(FetchTask task) {
    if (owns.test(task.target.hostKey())) {
      limits.requeue();
      enqueue(task);
    } else {
      task.phase = FetchTask.Phase.DONE;
      live.remove(task);
      forget(task);
      cancelTimer(task);
      handoff.send(task).onComplete(ar -> task.result.tryComplete(ar.succeeded() ? ar.result()
          : Results.failed(task, ErrorKind.OVERLOADED, "handing the redirect to its shard failed: "
              + ar.cause().getMessage(), System.nanoTime())));
    }
  }

  private void onDeadline(FetchTask task) {
    long now = System.nanoTime();
    String message = "deadline of " + task.elapsedMs(now) + " ms exceeded";
    if (task.phase == FetchTask.Phase.RUNNING && task.attempt != null) {
      Attempt a = task.attempt;
      finish(task, Results.failed(task, ErrorKind.TIMEOUT, message, now));
      a.abort(ErrorKind.TIMEOUT, message);
    } else {
      finish(task, Results.failed(task, ErrorKind.TIMEOUT, message, now));
    }
  }

  /** Ends a task with {@code result}, once; cleans up whatever phase it was in. */
  void finish(FetchTask task, FetchResult result) {
    if (task.phase == FetchTask.Phase.DONE) {
      return;
    }
    if (task.phase == FetchTask.Phase.QUEUED) {
      limits.dequeued();
    }
    task.phase = FetchTask.Phase.DONE;
    live.remove(task);
    forget(task);
    cancelTimer(task);
    try {
      task.result.tryComplete(result); // runs the reply
    } catch (RuntimeException e) {
      LOG.error("replying with the result of {} failed", task.url, e);
    }
  }

  private void forget(FetchTask task) {
    if (task.group != null) {
      Set<FetchTask> tasks = groups.get(task.group);
      if (tasks != null && tasks.remove(task) && tasks.isEmpty()) {
        groups.remove(task.group);
      }
    }
  }

  private void cancelTimer(FetchTask task) {
    if (task.limit != null) {
      task.limit.cancel();
      task.limit = null;
    }
    if (task.timer >= 0) {
      vertx.cancelTimer(task.timer);
      task.timer = -1;
    }
  }

  private void evictIfIdle(HostLimiter h) {
    if (h.idle(System.nanoTime())) {
      hosts.remove(h.key, h);
    }
  }

  /** Forgets hosts that are idle now (a pause or rate spacing that has run out). */
  void sweep() {
    connections.sweep();
    long now = System.nanoTime();
    for (Iterator<HostLimiter> it = hosts.values().iterator(); it.hasNext(); ) {
      if (it.next().idle(now)) {
        it.remove();
      }
    }
  }

  /** Ends every unfinished task with {@code kind}, aborting running attempts (shutdown). */
  void abortAll(ErrorKind kind, String message) {
    timeouts.close();
    connections.closeAll();
    for (FetchTask t : live.toArray(FetchTask[]::new)) {
      Attempt a = t.attempt;
      finish(t, Results.failed(t, kind, message, System.nanoTime()));
      if (a != null) {
        a.abort(kind, message);
      }
    }
  }


  static HttpMethod method(String name) {
    return name == null ? HttpMethod.GET : HttpMethod.valueOf(name);
  }
}
