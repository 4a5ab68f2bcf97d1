package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import dev.fanout.retry.Backoff;
import dev.fanout.retry.RetryAfter;
import dev.fanout.retry.Retryable;

/**
 * The fetcher's retry settings over fanout's one retry policy ({@link dev.fanout.retry}): what is
 * retried ({@link Retryable}), the jittered backoff ({@link Backoff}) with {@code fetch.backoffBaseMs}
 * and {@code fetch.backoffMaxMs}, or the server's Retry-After shortened to
 * {@code fetch.retryAfterMaxMs}.
 */
final class RetryPolicy {
  private final long baseMs;
  private final long maxMs;
  private final long retryAfterMaxMs;

  RetryPolicy(long baseMs, long maxMs, long retryAfterMaxMs) {
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.retryAfterMaxMs = retryAfterMaxMs;
  }

  static boolean retryable(ErrorKind kind) {
    return Retryable.attempt(kind);
  }

  static boolean retryable(int status) {
    return Retryable.status(status);
  }

  /** The ceiling of the backoff before retry number {@code retry} (1-based). */
  long ceilingMs(int retry) {
    return Backoff.ceilingMs(baseMs, maxMs, retry);
  }

  /** A jittered delay in [0, ceiling] before retry number {@code retry}. */
  long backoffMs(int retry) {
    return Backoff.delayMs(baseMs, maxMs, retry);
  }

  /** The wait a Retry-After header asks for, shortened to the cap; -1 when absent or unparseable. */
  long retryAfter(String header, long nowEpochMs) {
    return RetryAfter.cappedMs(header, nowEpochMs, retryAfterMaxMs);
  }

  /** A Retry-After header in milliseconds from now; see {@link RetryAfter#parseMs}. */
  static long parseRetryAfter(String value, long nowEpochMs) {
    return RetryAfter.parseMs(value, nowEpochMs);
  }
}
