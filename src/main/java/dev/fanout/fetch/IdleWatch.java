package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;

/**
 * The idle timeout of one exchange (no bytes for N ms), watched on the fetcher's {@link Timeouts}
 * tick rather than by Vert.x's per-request idle timer: nearly every exchange ends long before it,
 * and a Vert.x timer costs a map entry, a scheduled task and a cancellation per request. The watch
 * fires after N ms; if bytes came meanwhile, it re-arms for exactly the quiet time left. It is its
 * own scheduled action, so re-arming allocates nothing.
 */
final class IdleWatch implements Runnable {
  private final Exchange exchange;
  private final Timeouts timeouts;
  private final long idleMs;
  private Timeouts.Entry entry;
  private long activeNanos;

  /** Starts watching {@code exchange} for {@code idleMs} of silence. */
  IdleWatch(Exchange exchange, Timeouts timeouts, long idleMs) {
    this.exchange = exchange;
    this.timeouts = timeouts;
    this.idleMs = idleMs;
    this.activeNanos = System.nanoTime();
    entry = timeouts.schedule(idleMs, this);
  }

  /** Bytes came (or the exchange moved on): the quiet time starts again. */
  void active() {
    activeNanos = System.nanoTime();
  }

  void stop() {
    if (entry != null) {
      entry.cancel();
      entry = null;
    }
  }

  /** The watch went off: ends the exchange if nothing came for idleMs, else waits the rest. */
  @Override
  public void run() {
    entry = null;
    if (exchange.ended()) {
      return;
    }
    if (exchange.waiting()) {
      // still connecting (the connect timeout governs that), or waiting for capture budget
      entry = timeouts.schedule(idleMs, this);
      return;
    }
    long quietMs = (System.nanoTime() - activeNanos) / 1_000_000;
    if (quietMs >= idleMs) {
      exchange.abort(ErrorKind.TIMEOUT, "no data received within the idle timeout of " + idleMs + " ms");
    } else {
      entry = timeouts.scheduleExact(idleMs - quietMs, this);
    }
  }
}
