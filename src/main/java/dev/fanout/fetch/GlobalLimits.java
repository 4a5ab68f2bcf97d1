package dev.fanout.fetch;

import io.vertx.core.Context;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The limits shared by every fetcher in this process: the global in-flight cap and the bound of
 * fetches queued for a permit. Fetchers run on different event loops, so the in-flight cap is an
 * async semaphore: a permit that is released goes to the oldest waiter, on that waiter's own
 * context. Written by hand because it must never block an event loop (a java.util.concurrent
 * Semaphore would) and must hand permits across contexts in FIFO order; it is lock-free.
 */
public final class GlobalLimits implements Shareable {
  private final int maxInFlight;
  private final int maxQueued;
  private final CaptureBudget capture;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger hostSlots = new AtomicInteger();
  private final AtomicLong completed = new AtomicLong();
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  private record Waiter(Context context, Runnable grant) {}

  /**
   * Limits of {@code maxInFlight} fetches in flight, {@code maxQueued} waiting, and
   * {@code captureBytes} of captured bodies held at once.
   */
  public GlobalLimits(int maxInFlight, int maxQueued, long captureBytes) {
    this.maxInFlight = maxInFlight;
    this.maxQueued = maxQueued;
    this.capture = new CaptureBudget(captureBytes);
  }

  /** Fetches holding an in-flight permit now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Fetches queued for a host slot or a permit now. */
  public int queued() {
    return queued.get();
  }

  /** Per-host slots taken now, summed over every host of every fetcher. */
  public int hostSlots() {
    return hostSlots.get();
  }

  /** Fetches this process's fetchers ended since it started, whatever the outcome. */
  public long completed() {
    return completed.get();
  }

  /** A fetch ended here (its result is being replied). */
  void ended() {
    completed.incrementAndGet();
  }

  /** The budget of captured body bytes. */
  public CaptureBudget capture() {
    return capture;
  }

  /** A host slot was taken (the fetcher's own per-host count is exact; this sums them for stats). */
  void hostSlotTaken() {
    hostSlots.incrementAndGet();
  }

  /** A host slot was given back. */
  void hostSlotReleased() {
    hostSlots.decrementAndGet();
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
