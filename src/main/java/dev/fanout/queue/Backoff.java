package dev.fanout.queue;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The retry delay of a failed job: capped exponential backoff with full jitter, a uniform delay
 * in [0, min(max, base * 2^(attempt-1))] (AWS architecture blog, "Exponential Backoff And Jitter").
 */
final class Backoff {
  private Backoff() {}

  /** The ceiling of the delay after failed attempt number {@code attempt} (1-based). */
  static long ceilingMs(long baseMs, long maxMs, int attempt) {
    long ceiling = baseMs << Math.min(Math.max(attempt, 1) - 1, 40);
    return ceiling < 0 || ceiling > maxMs ? maxMs : ceiling;
  }

  /** A jittered delay in [0, ceiling]. */
  static long delayMs(long baseMs, long maxMs, int attempt) {
    long ceiling = ceilingMs(baseMs, maxMs, attempt);
    return ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
  }
}
