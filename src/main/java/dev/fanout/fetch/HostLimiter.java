package dev.fanout.fetch;

import java.util.ArrayDeque;

/**
 * The politeness state of one host (host and port): fetches in flight, the queue of those
 * waiting, a request-spacing rate limit and a Retry-After pause. Owned by exactly one fetcher and
 * touched only on its event loop, so it needs no locks and its limits are exact.
 *
 * <p>The rate limit is a token bucket of capacity one (a request every 1/rate seconds, no
 * bursts), kept as the earliest time the next request may start. Written by hand: it must tell
 * the event loop when to wake rather than block a thread, which the common limiter libraries do.
 */
final class HostLimiter {
  final String key;
  final ArrayDeque<FetchTask> queue = new ArrayDeque<>();
  int inFlight;
  private long nextStartNanos;
  private long pausedUntilNanos;
  /** True while the fetcher's pump loop runs for this host. */
  boolean pumping;
  /** The pending wake-up timer id, or -1. */
  long wakeTimer = -1;

  HostLimiter(String key) {
    this.key = key;
  }

  /** Nanoseconds until a request may start (pause and rate); 0 when it may start now. */
  long waitNanos(long now) {
    long until = Math.max(nextStartNanos, pausedUntilNanos);
    return Math.max(0, until - now);
  }

  /** Records a request start for the rate limit ({@code intervalNanos} 0 when unlimited). */
  void started(long now, long intervalNanos) {
    if (intervalNanos > 0) {
      nextStartNanos = Math.max(now, nextStartNanos) + intervalNanos;
    }
  }

  /** Sends nothing to this host until {@code untilNanos} (a Retry-After). Never shortens a pause. */
  void pauseUntil(long untilNanos) {
    if (untilNanos - pausedUntilNanos > 0) {
      pausedUntilNanos = untilNanos;
    }
  }

  /** {@link #pauseUntil(long)}; answers whether the host was not paused at {@code now} and is now. */
  boolean pauseUntil(long untilNanos, long now) {
    boolean was = pauseNanos(now) > 0;
    pauseUntil(untilNanos);
    return !was && pauseNanos(now) > 0;
  }

  /** Nanoseconds of the pause still to run at {@code now}; 0 when the host is not paused. */
  long pauseNanos(long now) {
    return Math.max(0, pausedUntilNanos - now);
  }

  /**
   * The spacing and pause still to run at {@code now}, in whole milliseconds (rounded up):
   * {@code [spacingMs, pauseMs]}, what a new owner of this host seeds its own limiter with.
   */
  long[] politeness(long now) {
    return new long[] {ceilMs(nextStartNanos - now), ceilMs(pausedUntilNanos - now)};
  }

  /** Takes over a previous owner's {@link #politeness}: never shortens what is in place here. */
  void seed(long now, long spacingMs, long pauseMs) {
    long next = now + spacingMs * 1_000_000;
    if (spacingMs > 0 && next - nextStartNanos > 0) {
      nextStartNanos = next;
    }
    if (pauseMs > 0) {
      pauseUntil(now + pauseMs * 1_000_000);
    }
  }

  private static long ceilMs(long nanos) {
    return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
  }

  /** Drops finished tasks from the head of the queue (they are removed lazily). */
  void skipDone() {
    while (!queue.isEmpty() && queue.peek().phase == FetchTask.Phase.DONE) {
      queue.poll();
    }
  }

  /** Whether forgetting this host loses nothing: nothing queued or running, no pause or spacing pending. */
  boolean idle(long now) {
    skipDone();
    return inFlight == 0 && queue.isEmpty() && wakeTimer < 0 && waitNanos(now) == 0;
  }
}
