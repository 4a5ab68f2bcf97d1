package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult;
import dev.fanout.config.FetchConfig;
import dev.fanout.metrics.FetcherGauges;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fetch engine of one fetcher verticle: per-host queues and limits ({@link HostQueues}), the
 * global permit, the attempts, retries with backoff and Retry-After, redirects, cancel groups,
 * timeouts and the deadline. Every method runs on the owning verticle's event loop.
 */
final class Fetcher {
  private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);

  private final Vertx vertx;
  private final long idleTimeoutMs;
  private final Exchange.Shared exchanges;
  private final EgressPolicy egress;
  private final GlobalLimits limits;
  private final RetryPolicy retry;
  private final Function<String, Future<InetAddress>> resolver;
  private final Shards shards;
  private final HostQueues hosts;
  private final CancelGroups groups = new CancelGroups();
  private final LiveTasks live = new LiveTasks();
  private final FetcherGauges meters;

  /**
   * The engine of one fetcher: {@code resolver} gives the address of a DNS name, {@code shards} whether
   * a host is this fetcher's (or held), and sends a task of another's host to its owner; its {@code meters}.
   */
  Fetcher(Vertx vertx, Context context, FetchConfig cfg, Connections connections, EgressPolicy egress,
      GlobalLimits limits, Function<String, Future<InetAddress>> resolver, Shards shards, FetcherGauges meters) {
    this.vertx = vertx;
    this.meters = meters;
    this.idleTimeoutMs = cfg.idleTimeoutMs();
    this.exchanges = new Exchange.Shared(connections, new Timeouts(vertx), limits.capture(), context);
    this.egress = egress;
    this.limits = limits;
    this.resolver = resolver;
    this.shards = shards;
    this.retry = new RetryPolicy(cfg.backoffBaseMs(), cfg.backoffMaxMs(), cfg.retryAfterMaxMs());
    this.hosts = new HostQueues(vertx, context, limits, cfg.perHost(), cfg.perHostRate(), this::run,
        this::waitWithDeadline, shards::held);
  }

  /**
   * Accepts a task that {@link GlobalLimits#tryQueue()} already counted. A task holds at most one
   * timer at a time: its deadline while it waits, the attempt limit (capped by the deadline) while
   * it runs, the backoff delay between attempts. One timer per fetch is the common case.
   */
  void submit(FetchTask task) {
    if (task.spec.group() != null) {
      if (groups.cancelled(task.spec.group())) {
        long now = System.nanoTime();
        task.result.tryComplete(Results.failed(task, ErrorKind.CANCELLED, "its group was cancelled", now));
        limits.dequeued();
        return;
      }
      groups.add(task);
    }
    live.add(task);
    meters.tasks(live.size());
    enqueue(task);
  }

  /**
   * Ends every task of {@code group} with {@code cancelled} (running ones are reset). The group is
   * remembered a while: a fetch of it that arrives after the cancel is cancelled at once too.
   */
  void cancelGroup(String group) {
    long now = System.nanoTime();
    for (FetchTask t : groups.cancel(group, now)) {
      end(t, ErrorKind.CANCELLED, "cancelled", now);
    }
  }

  /** Ends {@code task} with a failure of {@code kind}, aborting its attempt if one runs. */
  private void end(FetchTask task, ErrorKind kind, String message, long now) {
    Attempt a = task.attempt;
    finish(task, Results.failed(task, kind, message, now));
    if (a != null) {
      a.abort(kind, message);
    }
  }

  private void enqueue(FetchTask task) {
    hosts.add(task);
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

  private void run(FetchTask task) {
    if (task.phase == FetchTask.Phase.DONE) {
      release(task.host);
      return;
    }
    task.phase = FetchTask.Phase.RUNNING;
    task.cancelTimers(vertx);
    long now = System.nanoTime();
    long remaining = Math.max(1, task.remainingMs(now));
    long attemptMs = task.spec.options().timeouts().attemptMs();
    boolean deadlineFirst = remaining <= attemptMs;
    long limit = Math.min(attemptMs, remaining);
    long idle = idleTimeoutMs < limit ? idleTimeoutMs : 0; // else the limit comes first
    Attempt attempt = new Attempt();
    task.attempt = attempt;
    meters.attemptStarted();
    task.limit = exchanges.timeouts().schedule(limit, () -> {
      task.limit = null;
      if (deadlineFirst) {
        onDeadline(task);
      } else {
        attempt.abort(ErrorKind.TIMEOUT, "attempt took longer than " + limit + " ms");
      }
    });
    // Registered before the start: a start that fails at once (it throws) is an outcome like any other.
    attempt.future().onComplete(ar -> {
      meters.attemptEnded(System.nanoTime() - now);
      settle(task, ar);
    });
    attempt.start(task.target, resolver, egress, address -> new Exchange(exchanges, task, address).start(idle));
  }

  /**
   * An attempt ended: handles its outcome, then releases the host slot, the permit and the
   * captured body's budget whatever happens while handling it (a throw there ends the fetch with
   * {@code internal} rather than leaking them). The result was replied to by then, synchronously.
   */
  private void settle(FetchTask task, AsyncResult<Response> ar) {
    HostLimiter h = task.host;
    try {
      FetchFaults.at(FetchFaults.Point.CALLBACK, task.url);
      task.attempt = null;
      task.cancelTimers(vertx);
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
    hosts.release(h);
    shards.freed(h.key);
  }

  private void onResponse(FetchTask task, Response r) {
    long now = System.nanoTime();
    if (task.spec.options().followRedirects() && Redirects.isRedirect(r)) {
      Redirects.follow(task, r, now, this::finish, this::hop);
      return;
    }
    long after = RetryPolicy.retryable(r.status())
        ? retry.retryAfter(r.headers().get("retry-after"), System.currentTimeMillis()) : -1;
    if (after >= 0) {
      // One rule: a Retry-After, shortened to fetch.retryAfterMaxMs, pauses the whole host,
      // whether or not this fetch has retries left, and is this fetch's wait before its retry.
      HostLimiter h = task.host;
      meters.paused(vertx, h.pauseUntil(now + after * 1_000_000, now), () -> h.pauseNanos(System.nanoTime()));
    }
    if (RetryPolicy.retryable(r.status()) && task.attempts <= task.spec.options().retries()) {
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
    if (RetryPolicy.retryable(f.kind()) && task.attempts <= task.spec.options().retries()) {
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
      hop(task);
    });
  }

  /** Continues a task after a redirect or a backoff: here, or at its host's owner if that is another now. */
  private void hop(FetchTask task) {
    if (shards.owns(task.target.hostKey())) {
      limits.requeue();
      enqueue(task);
    } else {
      handOver(task);
    }
  }

  /** Sends a task that is not running (queued, between attempts) to its host's owner, which replies. */
  void handOver(FetchTask task) {
    retire(task);
    shards.handOff(task.handoff(System.nanoTime())).onComplete(ar -> task.result.tryComplete(
        ar.succeeded() ? ar.result() : Results.failed(task, ErrorKind.OVERLOADED,
            "handing the fetch to the owner of its host failed: " + ar.cause().getMessage(), System.nanoTime())));
  }

  /** The host queues: which hosts of a shard are busy, their politeness state. */
  HostQueues hosts() {
    return hosts;
  }

  /** Completes once no task is left here (each finished or was handed over). */
  Future<Void> idle() {
    return live.idle();
  }

  private void onDeadline(FetchTask task) {
    long now = System.nanoTime();
    end(task, ErrorKind.TIMEOUT, "deadline of " + task.elapsedMs(now) + " ms exceeded", now);
  }

  /** Ends a task with {@code result}, once; cleans up whatever phase it was in. */
  void finish(FetchTask task, FetchResult result) {
    if (task.phase == FetchTask.Phase.DONE) {
      return;
    }
    retire(task);
    limits.ended(); // ended here: a task handed to another fetcher is counted where it ends
    meters.fetched(result.error() == null ? null : result.error().kind(), System.nanoTime() - task.startNanos);
    try {
      task.result.tryComplete(result); // runs the reply
    } catch (RuntimeException e) {
      LOG.error("replying with the result of {} failed", task.url, e);
    }
  }

  /** The bookkeeping of a task that leaves this fetcher, whatever phase it was in. */
  private void retire(FetchTask task) {
    if (task.phase == FetchTask.Phase.QUEUED) {
      limits.dequeued();
    }
    task.phase = FetchTask.Phase.DONE;
    live.remove(task);
    meters.tasks(live.size());
    groups.remove(task);
    task.cancelTimers(vertx);
  }

  /** Closes stale idle connections and forgets hosts that are idle now (a pause or spacing that ran out). */
  void sweep() {
    exchanges.connections().sweep();
    hosts.sweep();
  }

  /** Ends every unfinished task with {@code kind}, aborting running attempts (shutdown). */
  void abortAll(ErrorKind kind, String message) {
    exchanges.timeouts().close();
    exchanges.connections().closeAll();
    for (FetchTask t : live.toArray()) {
      end(t, kind, message, System.nanoTime());
    }
  }
}
