package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What is retried and when: connect, reset and timeout failures and the statuses 408, 425, 429,
 * 500, 502, 503 and 504; after a capped exponential backoff with full jitter (a uniform delay in
 * [0, min(max, base * 2^(retry-1))], as in the AWS architecture blog's "Exponential Backoff And
 * Jitter"), or after the server's Retry-After when it sends one, shortened to
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
    return kind == ErrorKind.CONNECT || kind == ErrorKind.RESET || kind == ErrorKind.TIMEOUT;
  }

  static boolean retryable(int status) {
    return switch (status) {
      case 408, 425, 429, 500, 502, 503, 504 -> true;
      default -> false;
    };
  }

  /** The ceiling of the backoff before retry number {@code retry} (1-based). */
  long ceilingMs(int retry) {
    int shift = Math.min(retry - 1, 40);
    long ceiling = baseMs << shift;
    return ceiling < 0 || ceiling > maxMs ? maxMs : ceiling;
  }

  /** A jittered delay in [0, ceiling] before retry number {@code retry}. */
  long backoffMs(int retry) {
    long ceiling = ceilingMs(retry);
    return ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /**
   * The wait a Retry-After header asks for, shortened to {@code fetch.retryAfterMaxMs}; -1 when
   * absent or unparseable.
   */
  long retryAfter(String header, long nowEpochMs) {
    long after = parseRetryAfter(header, nowEpochMs);
    return after < 0 ? -1 : Math.min(after, retryAfterMaxMs);
  }

  /**
   * A Retry-After header in milliseconds from now: delta-seconds or an HTTP-date (RFC 9110
   * section 10.2.3); -1 when absent or unparseable. A date in the past means 0.
   */
  static long parseRetryAfter(String value, long nowEpochMs) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    String v = value.trim();
    if (v.chars().allMatch(Character::isDigit)) {
      try {
        return Math.multiplyExact(Long.parseLong(v), 1000L);
      } catch (ArithmeticException | NumberFormatException e) {
        return Long.MAX_VALUE;
      }
    }
    try {
      long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return Math.max(0, at - nowEpochMs);
    } catch (DateTimeParseException e) {
      return -1;
    }
  }
}
