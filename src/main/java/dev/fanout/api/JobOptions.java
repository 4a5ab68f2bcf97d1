package dev.fanout.api;

import java.time.Duration;
import java.util.Objects;

/**
 * How a kind is run on this node: at most {@link #concurrency()} attempts at a time, each given
 * {@link #timeout()}, on the event loop or (when {@link #blocking()}) on worker threads of its
 * own. Immutable: each setter returns a new value.
 */
public final class JobOptions {
  private static final JobOptions DEFAULTS = new JobOptions(50, Duration.ofMinutes(1), false);

  private final int concurrency;
  private final Duration timeout;
  private final boolean blocking;

  private JobOptions(int concurrency, Duration timeout, boolean blocking) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be at least 1, not " + concurrency);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, not " + timeout);
    }
    this.concurrency = concurrency;
    this.timeout = timeout;
    this.blocking = blocking;
  }

  /** 50 at a time, one minute per attempt, not blocking. */
  public static JobOptions defaults() {
    return DEFAULTS;
  }

  /** Attempts of this kind in flight on this node at most. */
  public int concurrency() {
    return concurrency;
  }

  /** These options with {@code n} attempts at a time (at least 1). */
  public JobOptions concurrency(int n) {
    return new JobOptions(n, timeout, blocking);
  }

  /** The limit of one attempt: past it the attempt fails with error kind {@code timeout}. */
  public Duration timeout() {
    return timeout;
  }

  /** These options with {@code t} per attempt (positive). */
  public JobOptions timeout(Duration t) {
    return new JobOptions(concurrency, Objects.requireNonNull(t, "timeout"), blocking);
  }

  /**
   * Whether the handler blocks: it is then called on threads of its registration's own, never on
   * an event loop (a virtual thread per call on Java 21+, else a pool of {@link #concurrency()}).
   */
  public boolean blocking() {
    return blocking;
  }

  /** These options with the handler blocking or not. */
  public JobOptions blocking(boolean b) {
    return new JobOptions(concurrency, timeout, b);
  }

  @Override
  public String toString() {
    return "JobOptions{concurrency=" + concurrency + ", timeout=" + timeout + ", blocking=" + blocking + "}";
  }
}
