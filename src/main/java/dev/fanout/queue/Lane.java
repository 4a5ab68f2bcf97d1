package dev.fanout.queue;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One job kind's claims and runs in the {@link Producer}. It holds the jobs running at
 * handlers, the claimed ones waiting for a free slot, and those asked for by claims not answered
 * yet; it wants to hold the handlers' concurrency plus what they finish during two claim round
 * trips (at least one claim batch, or the concurrency when that is smaller; at most two batches),
 * so quick handlers never wait for a claim and slow ones do not hoard jobs that another node could
 * run. Used on the worker's event loop only.
 */
final class Lane {
  final String kind;
  final ArrayDeque<JobStore.Claimed> queue = new ArrayDeque<>();
  private final BiConsumer<Lane, JobStore.Claimed> dispatch;
  boolean registered;
  int concurrency = 1;
  /** The limit of one attempt: its send timeout, and the deadline sent with it. */
  long timeoutMs = 60_000;
  /**
   * The kind's registrations when every one is a handler in this JVM: the worker calls them
   * directly ({@link LocalDispatch}). Null when any is external: attempts go over the bus.
   */
  List<KindRegistration> locals;
  private int next;
  /** Attempts dispatched and not ended; every dispatched attempt gives its slot back exactly once. */
  int inFlight;
  int asked;
  int claimsOut;
  /** Finishes since {@link #sinceNanos}; their rate and the claims' round trip, smoothed. */
  long finished;
  long sinceNanos = System.nanoTime();
  double perMs;
  double rttMs;

  /** A lane of {@code kind} whose jobs start through {@code dispatch} (which counts them in flight). */
  Lane(String kind, BiConsumer<Lane, JobStore.Claimed> dispatch) {
    this.kind = kind;
    this.dispatch = dispatch;
  }

  int held() {
    return inFlight + queue.size() + asked;
  }

  int wanted(int claimBatch) {
    int least = Math.min(claimBatch, concurrency);
    int ahead = (int) Math.ceil(2 * perMs * rttMs);
    return concurrency + Math.max(least, Math.min(ahead, 2 * claimBatch));
  }

  void claimed(long rttNanos) {
    long now = System.nanoTime();
    double elapsedMs = (now - sinceNanos) / 1e6;
    if (elapsedMs > 0) {
      perMs = 0.7 * perMs + 0.3 * (finished / elapsedMs);
    }
    finished = 0;
    sinceNanos = now;
    rttMs = rttMs == 0 ? rttNanos / 1e6 : 0.7 * rttMs + 0.3 * (rttNanos / 1e6);
  }

  /** The next of {@link #locals} in turn whose drain is not over, or null when none is left. */
  KindRegistration pick() {
    for (int i = 0; i < locals.size(); i++) {
      next = (next + 1) % locals.size();
      KindRegistration r = locals.get(next);
      if (!r.gone()) {
        return r;
      }
    }
    return null;
  }

  void dispatchReady() {
    while (inFlight < concurrency && !queue.isEmpty()) {
      dispatch.accept(this, queue.poll());
    }
  }
}
