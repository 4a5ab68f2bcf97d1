package dev.fanout.bus;

import dev.fanout.net.UrlTarget;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One fetch, parsed and resolved once: the body of a {@code fanout.fetch} request with its URL
 * parsed and every setting it leaves unset taken from the defaults (the fetcher configuration's
 * {@code fetch.*}, or a gather's per-request defaults over them). Gather, fetcher and exchange
 * all read this one immutable value; between fanout's parts it travels as itself
 * ({@link LocalJsonCodec}), on the wire as {@link #toJson()}.
 *
 * @param url the URL as given
 * @param target the parsed URL, or null when it is not fetchable: the result is then
 *     {@code invalid-url} (one bad line in a million does not fail a whole gather)
 * @param request what is sent: method, headers and body
 * @param options limits, retries, redirects and capture, resolved
 * @param group a cancel group, or null: a {@code {group}} published to {@code fanout.fetch.cancel}
 *     ends every fetch of the group still queued or running with error kind {@code cancelled}
 */
public record FetchSpec(String url, UrlTarget target, Request request, Options options, String group) {

  /** The JSON fields a spec may have. */
  public static final Set<String> FIELDS = Set.of(
      "url", "method", "headers", "body", "timeoutMs", "deadlineMs", "retries", "maxBytes",
      "followRedirects", "capture", "group");

  private static final long DAY_MS = 86_400_000L;
  private static final Pattern METHOD = Pattern.compile("[A-Za-z]{1,20}");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  // Set by the framework from the connection; a caller that sets them means something else.
  private static final Set<String> FORBIDDEN_HEADERS = Set.of(
      "host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer",
      "keep-alive", "proxy-connection", "expect");

  /**
   * The request of one hop: a redirect may change the method, drop the body and the credentials.
   *
   * @param method the HTTP method
   * @param headers request headers (names as given)
   * @param body a UTF-8 request body, or null
   */
  public record Request(HttpMethod method, Map<String, String> headers, String body) {
    /** A GET with no headers and no body. */
    public static final Request GET = new Request(HttpMethod.GET, Map.of(), null);
  }

  /**
   * The time limits of a fetch.
   *
   * @param attemptMs the limit of one attempt, from connect to the last body byte
   * @param deadlineMs the limit of the whole fetch: queueing, every attempt, backoff and redirects
   */
  public record Timeouts(long attemptMs, long deadlineMs) {}

  /**
   * The settings of one fetch, each with a configured default ({@code fetch.*}); the fields a spec
   * may set override them one by one. The engine reads them here and nowhere else, so a new
   * setting is a component here, its default in {@code FetchConfig.defaults()}, and the one place
   * that uses it.
   *
   * @param timeouts attempt and deadline limits
   * @param retries how many times a retryable failure is tried again
   * @param maxBytes the body byte cap; past it the result is {@code too-large}
   * @param followRedirects whether 3xx responses with a Location are followed
   * @param maxRedirects the most redirects followed (configuration only: not a spec field)
   * @param capture whether and how the result carries the body
   * @param userAgent the User-Agent sent when the headers have none (configuration only)
   */
  public record Options(Timeouts timeouts, int retries, long maxBytes, boolean followRedirects, int maxRedirects,
      Capture capture, String userAgent) {

    /**
     * These options with the fields {@code json} sets taken from it (a spec, or the per-request
     * defaults of a gather). Fails with {@link InvalidRequest} naming a bad field.
     */
    public Options over(JsonObject json) {
      Long attempt = Json.number(json, "timeoutMs", 1, DAY_MS);
      Long deadline = Json.number(json, "deadlineMs", 1, DAY_MS);
      Long tries = Json.number(json, "retries", 0, 100);
      Long cap = Json.number(json, "maxBytes", 0, Long.MAX_VALUE);
      Boolean follow = Json.bool(json, "followRedirects");
      String mode = Json.string(json, "capture");
      if (attempt == null && deadline == null && tries == null && cap == null && follow == null && mode == null) {
        return this; // the common case: one shared value, nothing allocated
      }
      return new Options(
          attempt == null && deadline == null ? timeouts : new Timeouts(
              attempt != null ? attempt : timeouts.attemptMs, deadline != null ? deadline : timeouts.deadlineMs),
          tries != null ? tries.intValue() : retries,
          cap != null ? cap : maxBytes,
          follow != null ? follow : followRedirects,
          maxRedirects,
          mode != null ? Capture.parse("capture", mode) : capture,
          userAgent);
    }

    /** The spec fields among these settings (the configuration-only ones are the receiver's own). */
    private void writeTo(JsonObject o) {
      o.put("timeoutMs", timeouts.attemptMs).put("deadlineMs", timeouts.deadlineMs).put("retries", retries)
          .put("maxBytes", maxBytes).put("followRedirects", followRedirects).put("capture", capture.wire());
    }
  }

  /** A GET of {@code url} with {@code defaults}; a URL that does not parse gives a spec without target. */
  public static FetchSpec of(String url, Options defaults) {
    return new FetchSpec(url, target(url), Request.GET, defaults, null);
  }

  /**
   * Parses, validates and resolves a spec over {@code defaults}. Fails with {@link InvalidRequest}
   * naming the field for wrong types, out-of-range numbers, unknown fields (other than
   * {@code extraFields}) or forbidden headers. A URL that is a string but not a fetchable URL is
   * not rejected here: the spec has no target, and its fetch an {@code invalid-url} result.
   */
  public static FetchSpec fromJson(JsonObject json, Options defaults, Set<String> extraFields) {
    for (String f : json.fieldNames()) {
      if (!FIELDS.contains(f) && !extraFields.contains(f)) {
        throw new InvalidRequest(f, "unknown field");
      }
    }
    String url = Json.string(json, "url");
    if (url == null || url.isBlank()) {
      throw new InvalidRequest("url", "is required");
    }
    Request request = request(json);
    Options options = defaults.over(json);
    String group = Json.text("group", Json.string(json, "group"), false);
    return new FetchSpec(url, target(url), request, options, group);
  }

  /** {@link #fromJson(JsonObject, Options, Set)} with no extra fields. */
  public static FetchSpec fromJson(JsonObject json, Options defaults) {
    return fromJson(json, defaults, Set.of());
  }

  /**
   * Checks a spec as sent without resolving it (a job's payload: the fetcher that runs it
   * resolves it). Fails like {@link #fromJson(JsonObject, Options)}.
   */
  public static void validate(JsonObject json) {
    fromJson(json, ANY);
  }

  // Validation does not depend on the defaults: any will do.
  private static final Options ANY = new Options(new Timeouts(1, 1), 0, 0, false, 0, Capture.NONE, "");

  /** This spec in cancel group {@code group}. */
  public FetchSpec inGroup(String group) {
    return new FetchSpec(url, target, request, options, group);
  }

  /** Why the URL is not fetchable (only for a spec without target), as its {@code invalid-url} result says. */
  public String urlProblem() {
    try {
      UrlTarget.parse(url);
      return "not a fetchable URL";
    } catch (UrlTarget.Invalid e) {
      return e.getMessage();
    }
  }

  /** This spec as JSON, every setting resolved: what a fetcher elsewhere would need. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("url", url).put("method", request.method().name());
    if (!request.headers().isEmpty()) {
      o.put("headers", new JsonObject(new LinkedHashMap<>(request.headers())));
    }
    if (request.body() != null) {
      o.put("body", request.body());
    }
    options.writeTo(o);
    if (group != null) {
      o.put("group", group);
    }
    return o;
  }

  private static UrlTarget target(String url) {
    try {
      return UrlTarget.parse(url);
    } catch (UrlTarget.Invalid e) {
      return null;
    }
  }

  private static Request request(JsonObject json) {
    String method = Json.string(json, "method");
    if (method != null && !METHOD.matcher(method).matches()) {
      throw new InvalidRequest("method", "must be an HTTP method name");
    }
    Map<String, String> headers = headers(json);
    String body = Json.text("body", Json.string(json, "body"), false);
    if (method == null && headers.isEmpty() && body == null) {
      return Request.GET;
    }
    return new Request(method == null ? HttpMethod.GET : HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)),
        headers, body);
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
        throw new InvalidRequest(field, "is not a valid header name (an RFC 9110 token: letters, digits and "
            + "!#$%&'*+-.^_`|~)");
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
}
