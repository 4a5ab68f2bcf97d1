package dev.fanout.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/** Typed reads of request fields that fail with {@link InvalidRequest} naming the field. */
public final class Json {
  /**
   * The deepest a stored JSON value may nest. Jackson reads and writes at most 1000 levels, and a
   * job's payload is written inside the job and inside list pages: this leaves them room.
   */
  public static final int MAX_DEPTH = 512;

  private Json() {}

  /** A string field, or null when absent. */
  public static String string(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new InvalidRequest(field, "must be a string");
  }

  /**
   * A whole number within [min, max], or null when absent. Judged on the value as sent (a
   * BigInteger or BigDecimal from a number no long or double holds), and reported as sent.
   */
  public static Long number(JsonObject o, String field, long min, long max) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    BigDecimal d = v instanceof Number n ? exact(n) : null;
    if (d == null) {
      throw new InvalidRequest(field, "must be a whole number" + (v instanceof Number ? " (got " + v + ")" : ""));
    }
    // Range first: a whole-number test of 1E+999999999 would build a billion-digit integer.
    if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
      throw new InvalidRequest(field, "must be between " + min + " and " + max + " (got " + shown(v, d) + ")");
    }
    if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
      throw new InvalidRequest(field, "must be a whole number (got " + shown(v, d) + ")");
    }
    return d.longValueExact();
  }

  /** The exact value of a JSON number, or null for NaN and infinities. */
  static BigDecimal exact(Number n) {
    if (n instanceof BigDecimal b) {
      return b;
    }
    if (n instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
    }
    return BigDecimal.valueOf(n.longValue());
  }

  /** Whether {@code d} survives a double: finite, and it reads back as the same number. */
  public static boolean fitsDouble(BigDecimal d) {
    double back = d.doubleValue();
    return Double.isFinite(back) && BigDecimal.valueOf(back).compareTo(d) == 0;
  }

  private static String shown(Object v, BigDecimal d) {
    return v instanceof BigDecimal ? d.toString() : v.toString();
  }

  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /**
   * A batch id in its one canonical form, or null when {@code value} is: {@link UUID#fromString}
   * also takes "1-1-1-1-1", which names another batch.
   */
  public static UUID uuid(String field, String value) {
    if (value == null) {
      return null;
    }
    if (!UUID_TEXT.matcher(value).matches()) {
      throw new InvalidRequest(field, "is not a batch id (a UUID such as 00000000-0000-0000-0000-000000000000)");
    }
    return UUID.fromString(value);
  }

  /** A boolean, or null when absent. */
  public static Boolean bool(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof Boolean) {
      return (Boolean) v;
    }
    throw new InvalidRequest(field, "must be true or false");
  }

  /** A JSON object, or null when absent. */
  public static JsonObject object(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof JsonObject) {
      return (JsonObject) v;
    }
    throw new InvalidRequest(field, "must be a JSON object");
  }

  /** A JSON array, or null when absent. */
  public static JsonArray array(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof JsonArray) {
      return (JsonArray) v;
    }
    throw new InvalidRequest(field, "must be a JSON array");
  }

  /**
   * Checks that {@code s} is text UTF-8 can carry: no unpaired UTF-16 surrogate (an encoder
   * would put '?' in its place) and, when {@code storedInText}, no NUL (PostgreSQL text and jsonb
   * cannot hold it). Returns {@code s}.
   */
  public static String text(String field, String s, boolean storedInText) {
    if (s == null) {
      return null;
    }
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c == 0 && storedInText) {
        throw new InvalidRequest(field, "must not contain NUL (\\u0000): it cannot be stored");
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidRequest(field,
            "contains a lone UTF-16 surrogate at index " + i + ": it is not text UTF-8 can carry");
      }
    }
    return s;
  }

  /**
   * Checks that {@code value} is JSON that PostgreSQL's jsonb stores and gives back unchanged:
   * strings and keys without NUL or lone surrogates, finite numbers a double holds exactly
   * unless they are whole, at most {@link #MAX_DEPTH} levels deep. Fails naming the path
   * ({@code payload.a[3]}) of the first value that is not.
   */
  public static void storable(String field, Object value) {
    storable(field, value, 0);
  }

  private static void storable(String field, Object value, int depth) {
    if (value == null || value instanceof String s && text(field, s, true) != null || value instanceof Boolean) {
      return;
    }
    if (value instanceof Number n) {
      number(field, n);
    } else if (value instanceof JsonObject o) {
      nested(field, depth);
      for (Map.Entry<String, Object> e : o) {
        text(field, e.getKey(), true);
        storable(field + "." + e.getKey(), o.getValue(e.getKey()), depth + 1);
      }
    } else if (value instanceof JsonArray a) {
      nested(field, depth);
      for (int i = 0; i < a.size(); i++) {
        storable(field + "[" + i + "]", a.getValue(i), depth + 1);
      }
    } else {
      throw new InvalidRequest(field, "must be JSON (got a " + value.getClass().getSimpleName() + ")");
    }
  }

  private static void nested(String field, int depth) {
    if (depth >= MAX_DEPTH) {
      throw new InvalidRequest(field, "nests deeper than " + MAX_DEPTH + " levels");
    }
  }

  /** Whole numbers of any size are stored exactly; others must read back as the same double. */
  private static void number(String field, Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
        || n instanceof BigInteger) {
      return;
    }
    BigDecimal d = exact(n);
    if (d == null) {
      throw new InvalidRequest(field, "must be a finite number (got " + n + ")");
    }
    if (!fitsDouble(d)) {
      throw new InvalidRequest(field, "must be a number a 64-bit float holds exactly (got " + d + ")");
    }
  }
}
