package dev.fanout.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Typed reads of request fields that fail with {@link InvalidRequest} naming the field. */
public final class Json {
  private Json() {}

  /** A string field, or null when absent. */
  public static String string(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new InvalidRequest(field, "must be a string");
  }

  /** A whole number within [min, max], or null when absent. */
  public static Long number(JsonObject o, String field, long min, long max) {
    Object v = o.getValue(field);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new InvalidRequest(field, "must be a whole number");
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw new InvalidRequest(field, "must be between " + min + " and " + max + " (got " + l + ")");
    }
    return l;
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
}
