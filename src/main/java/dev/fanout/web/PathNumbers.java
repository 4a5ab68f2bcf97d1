package dev.fanout.web;

import dev.fanout.bus.InvalidRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * Numbers in paths and query strings, read strictly: plain decimal digits only (no sign, no
 * {@code +}, no hex, no NaN), so one resource has one address and what is refused is reported as
 * sent. {@link Long#parseLong} and {@link Double#parseDouble} take far more than that.
 */
final class PathNumbers {
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,30}");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,30}(\\.[0-9]{1,30})?");

  private PathNumbers() {}

  /** A job id: digits within 1..Long.MAX_VALUE. */
  static long id(String field, String text) {
    if (text == null || !DIGITS.matcher(text).matches()) {
      throw new InvalidRequest(field, "must be a job id: digits only (got \"" + clip(text) + "\")");
    }
    BigDecimal v = new BigDecimal(text);
    if (v.signum() == 0 || v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new InvalidRequest(field, "must be a job id: digits only, 1 to " + Long.MAX_VALUE + " (got " + text + ")");
    }
    return v.longValueExact();
  }

  /** A whole number within [min, max]: digits only. */
  static long whole(String field, String text, long min, long max) {
    if (!DIGITS.matcher(text).matches()) {
      throw new InvalidRequest(field,
          "must be a whole number from " + min + " to " + max + ", digits only (got \"" + clip(text) + "\")");
    }
    BigDecimal v = new BigDecimal(text);
    if (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new InvalidRequest(field, "must be between " + min + " and " + max + " (got " + v.toPlainString() + ")");
    }
    return v.longValueExact();
  }

  /** Seconds from 0 to {@code maxS} (digits, an optional fraction), as milliseconds. */
  static long seconds(String field, String text, long maxS) {
    if (!DECIMAL.matcher(text).matches()) {
      throw new InvalidRequest(field,
          "must be 0 to " + maxS + " seconds, such as 20 or 0.5 (got \"" + clip(text) + "\")");
    }
    BigDecimal s = new BigDecimal(text);
    if (s.compareTo(BigDecimal.valueOf(maxS)) > 0) {
      throw new InvalidRequest(field, "must be 0 to " + maxS + " seconds (got " + text + ")");
    }
    return s.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
