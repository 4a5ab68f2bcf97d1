package dev.fanout.retry;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before the next try, for a fetch's retries and a job's: capped exponential backoff with
 * full jitter, a uniform delay in [0, min(max, base * 2^(n-1))] after failure number n (AWS
 * architecture blog, "Exponential Backoff And Jitter"). Full jitter spreads the clients a failure
 * hit at once over the whole window, so their retries do not arrive together again.
 */
public final class Backoff {
  /** Beyond this many doublings the ceiling is the cap anyway; it keeps the shift from wrapping. */
  private static final int MAX_SHIFT = 40;

  private Backoff() {}

  /** The ceiling of the delay after failure number {@code n} (1-based; below 1 counts as 1). */
  public static long ceilingMs(long baseMs, long maxMs, int n) {
    long ceiling = baseMs << Math.min(Math.max(n, 1) - 1, MAX_SHIFT);
    return ceiling < 0 || ceiling > maxMs ? maxMs : ceiling;
  }

  /** A jittered delay in [0, ceiling] after failure number {@code n}. */
  public static long delayMs(long baseMs, long maxMs, int n) {
    long ceiling = ceilingMs(baseMs, maxMs, n);
    return ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
  }
}
