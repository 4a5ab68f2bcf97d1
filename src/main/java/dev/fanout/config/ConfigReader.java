package dev.fanout.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Typed reads of dotted keys from the merged configuration. Values may be JSON values (from the
 * file) or strings (from environment variables); every failure names the key.
 */
final class ConfigReader {
  private final JsonObject root;

  ConfigReader(JsonObject root) {
    this.root = root;
  }

  Object raw(String key) {
    Object cur = root;
    for (String part : key.split("\\.")) {
      if (!(cur instanceof JsonObject o) || !o.containsKey(part)) {
        throw new ConfigException(key, "is missing");
      }
      cur = o.getValue(part);
    }
    if (cur == null) {
      throw new ConfigException(key, "is null");
    }
    return cur;
  }

  long longIn(String key, long min, long max) {
    Object v = raw(key);
    long l;
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      l = n.longValue();
    } else if (v instanceof String s) {
      try {
        l = Long.parseLong(s.trim().replace("_", ""));
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be a whole number (got \"" + s + "\")");
      }
    } else {
      throw new ConfigException(key, "must be a whole number (got " + v + ")");
    }
    if (l < min || l > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + " (got " + l + ")");
    }
    return l;
  }

  int intIn(String key, int min, int max) {
    return (int) longIn(key, min, max);
  }

  double doubleIn(String key, double min, double max) {
    Object v = raw(key);
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else if (v instanceof String s) {
      try {
        d = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be a number (got \"" + s + "\")");
      }
    } else {
      throw new ConfigException(key, "must be a number (got " + v + ")");
    }
    if (!(d >= min && d <= max)) {
      throw new ConfigException(key, "must be between " + min + " and " + max + " (got " + d + ")");
    }
    return d;
  }

  boolean bool(String key) {
    Object v = raw(key);
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw new ConfigException(key, "must be true or false (got " + v + ")");
  }

  String string(String key) {
    Object v = raw(key);
    if (v instanceof String s) {
      return s;
    }
    throw new ConfigException(key, "must be a string (got " + v + ")");
  }

  String oneOf(String key, Set<String> allowed) {
    String s = string(key);
    if (!allowed.contains(s)) {
      throw new ConfigException(key, "must be one of " + allowed + " (got \"" + s + "\")");
    }
    return s;
  }

  /** A list of strings: a JSON array, or a comma-separated string (from the environment). */
  List<String> stringList(String key) {
    Object v = raw(key);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray a) {
      for (Object item : a) {
        if (!(item instanceof String s)) {
          throw new ConfigException(key, "must be a list of strings (got " + item + ")");
        }
        out.add(s.trim());
      }
    } else if (v instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    } else {
      throw new ConfigException(key, "must be a list of strings (got " + v + ")");
    }
    return List.copyOf(out);
  }
}
