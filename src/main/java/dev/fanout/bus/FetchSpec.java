package dev.fanout.bus;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What to fetch: the body of a {@code fanout.fetch} request. Only {@code url} is required; every
 * other field left null takes the fetcher's configured default.
 *
 * @param url the absolute http or https URL
 * @param method the HTTP method, upper case (default GET)
 * @param headers request headers (names as given)
 * @param body a UTF-8 request body, or null
 * @param timeoutMs the limit of one attempt, from connect to the last body byte
 * @param deadlineMs the limit of the whole fetch: queueing, every attempt, backoff and redirects
 * @param retries how many times a retryable failure is tried again
 * @param maxBytes the body byte cap; past it the result is {@code too-large}
 * @param followRedirects whether 3xx responses with a Location are followed
 * @param capture whether the result carries the body
 * @param group a cancel group: a {@code {group}} published to {@code fanout.fetch.cancel} ends every
 *     fetch of the group still queued or running with error kind {@code cancelled}
 */
public record FetchSpec(
    String url,
    String method,
    Map<String, String> headers,
    String body,
    Long timeoutMs,
    Long deadlineMs,
    Integer retries,
    Long maxBytes,
    Boolean followRedirects,
    Capture capture,
    String group) {

  /** The JSON fields a spec may have. */
  public static final Set<String> FIELDS = Set.of(
      "url", "method", "headers", "body", "timeoutMs", "deadlineMs", "retries", "maxBytes",
      "followRedirects", "capture", "group");

  private static final long DAY_MS = 86_400_000L;
  private static final java.util.regex.Pattern METHOD = java.util.regex.Pattern.compile("[A-Za-z]{1,20}");
  private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  // Set by the framework from the connection; a caller that sets them means something else.
  private static final Set<String> FORBIDDEN_HEADERS = Set.of(
      "host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer",
      "keep-alive", "proxy-connection", "expect");

  /** A GET of {@code url} with every default. */
  public static FetchSpec of(String url) {
    return new FetchSpec(url, null, Map.of(), null, null, null, null, null, null, null, null);
  }

  /**
   * Parses and validates a spec. Fails with {@link InvalidRequest} naming the field for wrong
   * types, out-of-range numbers, unknown fields or forbidden headers. A URL that is a string but
   * not a fetchable URL is not rejected here: it becomes an {@code invalid-url} result, so one
   * bad line in a million does not fail a whole gather.
   */
  public static FetchSpec fromJson(JsonObject json, Set<String> extraFields) {
    for (String f : json.fieldNames()) {
      if (!FIELDS.contains(f) && !extraFields.contains(f)) {
        throw new InvalidRequest(f, "unknown field");
      }
    }
    String url = Json.string(json, "url");
    if (url == null || url.isBlank()) {
      throw new InvalidRequest("url", "is required");
    }
    String method = Json.string(json, "method");
    if (method != null && !METHOD.matcher(method).matches()) {
      throw new InvalidRequest("method", "must be an HTTP method name");
    }
    Long retries = Json.number(json, "retries", 0, 100);
    String capture = Json.string(json, "capture");
    return new FetchSpec(
        url,
        method == null ? null : method.toUpperCase(Locale.ROOT),
        headers(json),
        Json.text("body", Json.string(json, "body"), false),
        Json.number(json, "timeoutMs", 1, DAY_MS),
        Json.number(json, "deadlineMs", 1, DAY_MS),
        retries == null ? null : retries.intValue(),
        Json.number(json, "maxBytes", 0, Long.MAX_VALUE),
        Json.bool(json, "followRedirects"),
        capture == null ? null : Capture.parse("capture", capture),
        Json.text("group", Json.string(json, "group"), false));
  }

  /** {@link #fromJson(JsonObject, Set)} with no extra fields. */
  public static FetchSpec fromJson(JsonObject json) {
    return fromJson(json, Set.of());
  }

  private static Map<String, String> headers(JsonObject json) {
    JsonObject h = Json.object(json, "headers");
    if (h == null || h.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : h) {
      String name = e.getKey();
      String field = "headers." + name;
      if (!TOKEN.matcher(name).matches()) {
        throw new InvalidRequest(field, "is not a valid header name (an RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)");
      }
      if (FORBIDDEN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new InvalidRequest(field, "is set by fanout and cannot be given");
      }
      if (!(e.getValue() instanceof String v)) {
        throw new InvalidRequest(field, "must be a string");
      }
      String bad = fieldValueProblem(v);
      if (bad != null) {
        throw new InvalidRequest(field, bad);
      }
      out.put(name, v);
    }
    return out;
  }

  /**
   * What is wrong with {@code v} as an RFC 9110 field value, or null: visible ASCII, obs-text
   * (0x80-0xFF), and spaces or tabs between them. Vert.x refuses other control characters and DEL
   * only when the request is sent, and writes a char past 0xFF as '?'.
   */
  static String fieldValueProblem(String v) {
    int n = v.length();
    for (int i = 0; i < n; i++) {
      char c = v.charAt(i);
      boolean vchar = c > 0x20 && c < 0x7f || c >= 0x80 && c <= 0xff;
      if (!vchar && c != ' ' && c != '\t') {
        return String.format("has character U+%04X at index %d: an RFC 9110 field value is visible ASCII, "
            + "0x80-0xFF, spaces and tabs", (int) c, i);
      }
    }
    if (n > 0 && (v.charAt(0) <= ' ' || v.charAt(n - 1) <= ' ')) {
      return "must not start or end with whitespace (RFC 9110 field values are trimmed)";
    }
    return null;
  }

  /**
   * This spec with the fields it leaves unset taken from {@code defaults} (the per-request
   * defaults of a gather), and in cancel group {@code group}.
   */
  public FetchSpec withDefaults(FetchSpec defaults, String group) {
    return new FetchSpec(url, method, headers, body,
        timeoutMs != null ? timeoutMs : defaults.timeoutMs,
        deadlineMs != null ? deadlineMs : defaults.deadlineMs,
        retries != null ? retries : defaults.retries,
        maxBytes != null ? maxBytes : defaults.maxBytes,
        followRedirects != null ? followRedirects : defaults.followRedirects,
        capture != null ? capture : defaults.capture,
        group);
  }

  /** This spec as JSON, with only the fields that are set. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("url", url);
    putIfSet(o, "method", method);
    if (headers != null && !headers.isEmpty()) {
      o.put("headers", new JsonObject(new LinkedHashMap<>(headers)));
    }
    putIfSet(o, "body", body);
    putIfSet(o, "timeoutMs", timeoutMs);
    putIfSet(o, "deadlineMs", deadlineMs);
    putIfSet(o, "retries", retries);
    putIfSet(o, "maxBytes", maxBytes);
    putIfSet(o, "followRedirects", followRedirects);
    putIfSet(o, "capture", capture == null ? null : capture.wire());
    putIfSet(o, "group", group);
    return o;
  }

  private static void putIfSet(JsonObject o, String k, Object v) {
    if (v != null) {
      o.put(k, v);
    }
  }
}
