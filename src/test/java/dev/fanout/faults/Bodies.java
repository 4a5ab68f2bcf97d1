package dev.fanout.faults;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Test support: request bodies of right and wrong shapes from a seeded {@link Random}, so a
 * failure is reproduced by its seed. Values are JSON trees (with the numbers and strings clients
 * get wrong: 2^64, 1e400, NaN, NUL, lone surrogates, control characters) written as text by
 * {@link #text(Object)}, which escapes every non-ASCII character so that lone surrogates reach
 * the server as the escapes a client would send. Every URL is on loopback or refused before any
 * connection or name lookup: a generated body never sends traffic off this machine.
 */
final class Bodies {
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  final long seed;
  final Random r;

  Bodies(long seed) {
    this.seed = seed;
    this.r = new Random(seed);
  }

  boolean chance(int percent) {
    return r.nextInt(100) < percent;
  }

  <T> T pick(List<T> items) {
    return items.get(r.nextInt(items.size()));
  }

  /** A string clients get wrong, or a plain one. */
  String oddString() {
    return switch (r.nextInt(14)) {
      case 0 -> "";
      case 1 -> "a\u0000b";
      case 2 -> "\ud800";
      case 3 -> "x\udc00y";
      case 4 -> "\ud83d\ude00";
      case 5 -> "\u0001\u001f\u007f\t\r\n";
      case 6 -> "x".repeat(r.nextInt(3000));
      case 7 -> "é漢字";
      case 8 -> "\\u0000";
      case 9 -> " padded ";
      case 10 -> "{\"not\":\"an object\"}";
      case 11 -> String.valueOf((char) r.nextInt(0x10000));
      case 12 -> "../../etc/passwd";
      default -> "s" + r.nextInt(1000);
    };
  }

  /** A number clients get wrong, or a plain one. */
  Number oddNumber() {
    return switch (r.nextInt(18)) {
      case 0 -> BigInteger.TWO.pow(64);
      case 1 -> BigInteger.TWO.pow(63);
      case 2 -> BigInteger.TWO.pow(64).negate().subtract(BigInteger.ONE);
      case 3 -> new BigDecimal("1e400");
      case 4 -> new BigDecimal("-1e-400");
      case 5 -> new BigDecimal("0.10000000000000000001");
      case 6 -> Double.NaN;
      case 7 -> Double.POSITIVE_INFINITY;
      case 8 -> -0.0;
      case 9 -> 1.5;
      case 10 -> Long.MAX_VALUE;
      case 11 -> Long.MIN_VALUE;
      case 12 -> Integer.MAX_VALUE + 1L;
      case 13 -> -1;
      case 14 -> 0;
      case 15 -> 1e300;
      case 16 -> new BigDecimal("5.000");
      default -> r.nextInt(200) - 100;
    };
  }

  /** Any JSON value, nesting at most {@code depth} more levels. */
  Object value(int depth) {
    int k = r.nextInt(depth > 0 ? 9 : 6);
    return switch (k) {
      case 0 -> null;
      case 1 -> r.nextBoolean();
      case 2, 3 -> oddString();
      case 4, 5 -> oddNumber();
      case 6 -> nest(r.nextInt(4) == 0 ? 1 + r.nextInt(600) : 1 + r.nextInt(3));
      case 7 -> {
        JsonArray a = new JsonArray();
        for (int i = r.nextInt(4); i > 0; i--) {
          a.add(value(depth - 1));
        }
        yield a;
      }
      default -> {
        JsonObject o = new JsonObject();
        for (int i = r.nextInt(4); i > 0; i--) {
          o.put(chance(80) ? "k" + r.nextInt(5) : oddString(), value(depth - 1));
        }
        yield o;
      }
    };
  }

  /** Arrays and objects nested {@code levels} deep (past the limits at times). */
  Object nest(int levels) {
    Object v = r.nextInt(10);
    for (int i = 0; i < levels; i++) {
      v = r.nextBoolean() ? new JsonArray().add(v) : new JsonObject().put("n", v);
    }
    return v;
  }

  /**
   * {@code valid} with some fields changed: dropped, given a wrong-typed or odd value, or an
   * unknown field added; {@code gens} makes plausible values per field.
   */
  JsonObject mutate(JsonObject valid, Map<String, Supplier<Object>> gens) {
    JsonObject o = valid.copy();
    int changes = r.nextInt(3);
    List<String> fields = new ArrayList<>(gens.keySet());
    for (int i = 0; i < changes; i++) {
      String f = pick(fields);
      switch (r.nextInt(5)) {
        case 0 -> o.remove(f);
        case 1 -> o.put(f, value(2));
        case 2 -> o.put(chance(50) ? "unknown" + r.nextInt(3) : oddString(), value(1));
        default -> o.put(f, gens.get(f).get());
      }
    }
    return o;
  }

  /** JSON text for {@code value}; every non-ASCII or control character escaped. */
  String text(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value);
    return b.toString();
  }

  private void write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      string(b, s);
    } else if (v instanceof Double d && !Double.isFinite(d)) {
      b.append(d.isNaN() ? "NaN" : d > 0 ? "1e400" : "-1e400");
    } else if (v instanceof BigDecimal d) {
      b.append(d.toString());
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof JsonObject o) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : o) {
        b.append(first ? "" : ",");
        first = false;
        string(b, e.getKey());
        b.append(':');
        write(b, o.getValue(e.getKey()));
      }
      b.append('}');
    } else if (v instanceof JsonArray a) {
      b.append('[');
      for (int i = 0; i < a.size(); i++) {
        b.append(i == 0 ? "" : ",");
        write(b, a.getValue(i));
      }
      b.append(']');
    } else {
      throw new IllegalArgumentException(v.getClass().getName());
    }
  }

  private static void string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    b.append('"');
  }

  /** {@code text} made invalid or odd: cut short, with garbage, a key repeated, or not JSON at all. */
  String broken(String text) {
    return switch (r.nextInt(8)) {
      case 0 -> text.substring(0, r.nextInt(Math.max(1, text.length())));
      case 1 -> text + pick(List.of("}", "]", ",", " x", "{}"));
      case 2 -> text.isEmpty() ? "{" : text.replaceFirst("\\{", "{\"k\":1,\"k\":2,");
      case 3 -> "";
      case 4 -> pick(List.of("null", "[]", "42", "\"str\"", "true", "{",
          "{\"a\":}", "{'a':1}", "{\"a\":1,}", "NaN", "/* c */ {}"));
      case 5 -> "[".repeat(1200) + "]".repeat(1200);
      case 6 -> new String(new char[] {(char) 0xfeff}) + text;
      default -> {
        StringBuilder b = new StringBuilder(text);
        if (b.length() > 0) {
          b.setCharAt(r.nextInt(b.length()), (char) (r.nextInt(0x7f)));
        }
        yield b.toString();
      }
    };
  }

  /** A path segment or query value, percent-encoded, as a client (or an attacker) might send it. */
  static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
          || c == '-' || c == '.' || c == '_' || c == '~') {
        b.append(c);
      } else {
        b.append('%').append(HEX.toHexDigits(x));
      }
    }
    return b.toString();
  }
}
