package dev.fanout.retry;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The wait an HTTP {@code Retry-After} header asks for (RFC 9110 section 10.2.3). */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The wait {@code value} asks for, shortened to {@code maxMs}; -1 when absent or unparseable. A
   * wait too long to count is the longest wait, never none.
   */
  public static long cappedMs(String value, long nowEpochMs, long maxMs) {
    long after = parseMs(value, nowEpochMs);
    return after < 0 ? -1 : Math.min(after, maxMs);
  }

  /**
   * A Retry-After value in milliseconds from now: delta-seconds or an HTTP-date; -1 when absent or
   * unparseable. A date in the past means 0; delta-seconds too large for a long mean
   * {@link Long#MAX_VALUE}.
   */
  public static long parseMs(String value, long nowEpochMs) {
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
