package dev.fanout.fetch;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The limits shared by every fetcher in this process: the global in-flight cap and the bound of
 * fetches queued for a permit. Fetchers run on different event loops, so the in-flight cap is an
 * async semaphore: a permit that is released goes to the oldest waiter, on that waiter's own
 * context. Written by hand because it must never block an event loop (a java.util.concurrent
 * Semaphore would) and must hand permits across contexts in FIFO order; it is lock-free.
 */
public final class GlobalLimits {
  private final int maxInFlight;
  private final int maxQueued;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  private record Waiter(Context context, Runnable grant) {}

  /** Limits of {@code maxInFlight} fetches in flight and {@code maxQueued} waiting. */
  public GlobalLimits(int maxInFlight, int maxQueued) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
  }

  /** Counts one more queued fetch; false (and nothing counted) when the queue is full. */
  boolean tryQueue() {
    if (queued.incrementAndGet() > maxQueued) {
      queued.decrementAndGet();
      return false;
    }
    return true;
  }

  /** Counts a queued fetch again without the bound: a retry or redirect of an accepted fetch. */
  void requeue() {
    queued.incrementAndGet();
  }

  /** One queued fetch left the queue (it started, or ended while waiting). */
  void dequeued() {
    queued.decrementAndGet();
  }

  /**
   * Runs {@code grant} once an in-flight permit is held: at once when one is free (and no one is
   * waiting), else later on {@code context}. The holder must call {@link #release()} once.
   */
  void acquire(Context context, Runnable grant) {
    if (waiters.isEmpty() && tryTake()) {
      grant.run();
      return;
    }
    waiters.add(new Waiter(context, grant));
    handOff();
  }

  /** Returns a permit; the oldest waiter, if any, gets it. */
  void release() {
    inFlight.decrementAndGet();
    handOff();
  }

  private boolean tryTake() {
    while (true) {
      int n = inFlight.get();
      if (n >= maxInFlight) {
        return false;
      }
      if (inFlight.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private void handOff() {
    // Re-checks after every take, so a waiter added concurrently with a release is never stranded.
    while (!waiters.isEmpty() && tryTake()) {
      Waiter w = waiters.poll();
      if (w == null) {
        inFlight.decrementAndGet();
        continue;
      }
      w.context().runOnContext(v -> w.grant().run());
    }
  }


}
