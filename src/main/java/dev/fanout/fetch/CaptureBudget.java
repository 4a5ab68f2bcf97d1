package dev.fanout.fetch;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The bytes of captured bodies that every fetcher of this process may hold at once
 * ({@code fetch.captureBudgetBytes}). A fetch that captures takes a {@link Lease} for its body
 * when the response head arrives (the Content-Length, else its byte cap) and streams only once it
 * holds it; the lease shrinks to the bytes received when the body ends, and is released once the
 * result has been handed to the event bus (or the body is dropped: a retry, a redirect, a failure).
 * Waiters queue in FIFO order and are granted on their own context, so waiting never blocks an
 * event loop and a fetch that waits keeps its deadline. A lease is taken whole, never added to,
 * so no holder waits for more while holding some: the budget cannot deadlock. Lock-free, like
 * {@link GlobalLimits}, because fetchers on different event loops share it.
 */
public final class CaptureBudget {
  private final long capacity;
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong peak = new AtomicLong();
  private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();

  /** A part of the budget held by one body; {@link #release()} is idempotent. */
  public final class Lease {
    private long bytes;

    private Lease(long bytes) {
      this.bytes = bytes;
    }

    /** The bytes held. */
    public long bytes() {
      return bytes;
    }

    /** Gives back what is held beyond {@code keep} bytes (the body turned out smaller). */
    void shrinkTo(long keep) {
      if (keep < bytes) {
        long extra = bytes - keep;
        bytes = keep;
        giveBack(extra);
      }
    }

    /** Gives everything back; later calls do nothing. */
    void release() {
      long b = bytes;
      bytes = 0;
      if (b > 0) {
        giveBack(b);
      }
    }
  }

  /** A fetch waiting for its lease; {@link #cancel()} it when the fetch ends first. */
  final class Waiter {
    private final long bytes;
    private final Context context;
    private final Consumer<Lease> grant;
    private volatile boolean cancelled;

    private Waiter(long bytes, Context context, Consumer<Lease> grant) {
      this.bytes = bytes;
      this.context = context;
      this.grant = grant;
    }

    void cancel() {
      cancelled = true;
      handOff(); // a cancelled head no longer blocks those behind it
    }
  }

  /** A budget of {@code capacity} bytes. */
  public CaptureBudget(long capacity) {
    this.capacity = capacity;
  }

  /** The budget, in bytes. */
  public long capacity() {
    return capacity;
  }

  /** The bytes leased now. */
  public long used() {
    return used.get();
  }

  /** The most bytes ever leased at once. */
  public long peak() {
    return peak.get();
  }

  /**
   * Calls {@code grant} with a lease of {@code bytes} (at most the capacity): at once when it fits
   * and no one waits, else later on {@code context}. Returns the waiter, or null when granted at
   * once. A grant to a holder that no longer wants it must be released by that holder.
   */
  Waiter acquire(long bytes, Context context, Consumer<Lease> grant) {
    long n = Math.min(bytes, capacity);
    if (waiters.isEmpty() && tryTake(n)) {
      grant.accept(new Lease(n));
      return null;
    }
    Waiter w = new Waiter(n, context, grant);
    waiters.add(w);
    handOff();
    return w;
  }

  private boolean tryTake(long n) {
    while (true) {
      long u = used.get();
      if (u + n > capacity && u > 0) {
        return false;
      }
      if (used.compareAndSet(u, u + n)) {
        peak.accumulateAndGet(u + n, Math::max);
        return true;
      }
    }
  }

  private void giveBack(long n) {
    used.addAndGet(-n);
    handOff();
  }

  private void handOff() {
    // FIFO: the head is served first, so a large body is not starved by a stream of small ones.
    // Re-checks after every take, so a waiter added concurrently with a release is never stranded.
    Waiter w;
    while ((w = waiters.peek()) != null) {
      if (w.cancelled) {
        waiters.remove(w);
        continue;
      }
      if (!tryTake(w.bytes)) {
        return;
      }
      if (!waiters.remove(w)) {
        giveBack(w.bytes); // another thread granted it meanwhile
        continue;
      }
      Waiter granted = w;
      Lease lease = new Lease(w.bytes);
      granted.context.runOnContext(v -> granted.grant.accept(lease));
    }
  }
}
