package dev.fanout.bus;

import dev.fanout.net.UrlTarget;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A fan-out request: the body of {@code POST /v1/fetch} and of {@code fanout.gather}. Either
 * {@code urls} (strings) or {@code requests} (fetch specs), plus optional {@code concurrency},
 * {@code mode} and per-request defaults ({@code timeoutMs}, {@code deadlineMs}, {@code retries},
 * {@code capture}) for specs that do not set them.
 *
 * @param requests the specs, defaults applied, URLs already checked
 * @param concurrency the most fetches in flight for this request
 * @param mode settle (every result) or fail-fast (the first failure cancels the rest)
 */
public record GatherRequest(List<FetchSpec> requests, int concurrency, Mode mode) {

  /** How a gather treats failures. */
  public enum Mode {
    /** Every result, in input order (asyncio.gather with return_exceptions). */
    SETTLE,
    /** The first result with ok:false cancels everything still queued or in flight (TaskGroup). */
    FAIL_FAST;

    /** The JSON name: {@code settle} or {@code fail-fast}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Mode parse(String field, String value) {
      for (Mode m : values()) {
        if (m.wire().equals(value)) {
          return m;
        }
      }
      throw new InvalidRequest(field, "must be settle or fail-fast (got \"" + value + "\")");
    }
  }

  /**
   * Limits a request must stay within.
   *
   * @param maxRequests the most URLs or specs in one request
   * @param defaultConcurrency the concurrency when the request sets none
   * @param maxConcurrency the highest concurrency a request may ask for
   */
  public record Limits(int maxRequests, int defaultConcurrency, int maxConcurrency) {}

  private static final Set<String> FIELDS = Set.of(
      "urls", "requests", "concurrency", "mode", "timeoutMs", "deadlineMs", "retries", "capture", "maxBytes");

  /** Parses and validates; fails with {@link InvalidRequest} naming the first bad field. */
  public static GatherRequest fromJson(JsonObject json, Limits limits) {
    if (json == null) {
      throw new InvalidRequest("body", "must be a JSON object");
    }
    for (String f : json.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new InvalidRequest(f, "unknown field (known: concurrency, deadlineMs, capture, maxBytes, mode, requests, retries, timeoutMs, urls)");
      }
    }
    JsonArray urls = Json.array(json, "urls");
    JsonArray specs = Json.array(json, "requests");
    if (urls != null && specs != null) {
      throw new InvalidRequest("requests", "give urls or requests, not both");
    }
    if (urls == null && specs == null) {
      throw new InvalidRequest("urls", "is required (or requests)");
    }
    String field = urls != null ? "urls" : "requests";
    JsonArray items = urls != null ? urls : specs;
    if (items.isEmpty()) {
      throw new InvalidRequest(field, "must not be empty");
    }
    if (items.size() > limits.maxRequests()) {
      throw new InvalidRequest(field, "has " + items.size() + " entries, more than the limit of " + limits.maxRequests());
    }
    Long concurrency = Json.number(json, "concurrency", 1, limits.maxConcurrency());
    String mode = Json.string(json, "mode");
    String capture = Json.string(json, "capture");
    Long retries = Json.number(json, "retries", 0, 100);
    FetchSpec defaults = new FetchSpec("defaults", null, null, null,
        Json.number(json, "timeoutMs", 1, 86_400_000L), Json.number(json, "deadlineMs", 1, 86_400_000L),
        retries == null ? null : retries.intValue(), Json.number(json, "maxBytes", 0, Long.MAX_VALUE), null,
        capture == null ? null : Capture.parse("capture", capture), null);
    List<FetchSpec> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      out.add(item(field, i, items.getValue(i)).withDefaults(defaults, null));
    }
    return new GatherRequest(List.copyOf(out),
        concurrency == null ? limits.defaultConcurrency() : concurrency.intValue(),
        mode == null ? Mode.SETTLE : Mode.parse("mode", mode));
  }

  private static FetchSpec item(String field, int i, Object value) {
    String at = field + "[" + i + "]";
    FetchSpec spec;
    if (field.equals("urls")) {
      if (!(value instanceof String url) || url.isBlank()) {
        throw new InvalidRequest(at, "must be a URL string");
      }
      spec = FetchSpec.of(url);
    } else {
      if (!(value instanceof JsonObject o)) {
        throw new InvalidRequest(at, "must be a fetch spec (a JSON object)");
      }
      try {
        spec = FetchSpec.fromJson(o);
      } catch (InvalidRequest e) {
        throw e.within(at);
      }
      if (spec.group() != null) {
        throw new InvalidRequest(at + ".group", "is set by the gather");
      }
    }
    try {
      UrlTarget.parse(spec.url());
    } catch (UrlTarget.Invalid e) {
      throw new InvalidRequest(field.equals("urls") ? at : at + ".url", e.getMessage());
    }
    return spec;
  }

  /**
   * Refuses, before anything is fetched, a settled response (every result in one JSON document)
   * whose captured bodies could exceed {@code maxSettleBytes}: each capturing request counts its
   * byte cap ({@code maxBytes}, else {@code defaultMaxBytes}), a third more in base64. Such a
   * response would be held whole in memory; streamed (NDJSON) it is not.
   *
   * @throws InvalidRequest on field {@code capture}, saying how to ask instead
   */
  public void checkSettleSize(long defaultMaxBytes, Capture defaultCapture, long maxSettleBytes) {
    long total = 0;
    for (FetchSpec s : requests) {
      Capture c = s.capture() != null ? s.capture() : defaultCapture;
      if (c != Capture.NONE) {
        long cap = s.maxBytes() != null ? s.maxBytes() : defaultMaxBytes;
        // saturating: a maxBytes near Long.MAX_VALUE must not wrap the sum into a small number
        long bytes = c != Capture.BASE64 ? cap : cap > (Long.MAX_VALUE - 4) / 4 * 3 ? Long.MAX_VALUE : cap / 3 * 4 + 4;
        total = bytes > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + bytes;
      }
    }
    if (total > maxSettleBytes) {
      throw new InvalidRequest("capture", "the captured bodies could reach " + total + " bytes (each capturing "
          + "request counts its maxBytes), more than a settled response may hold (gather.maxSettleBytes, "
          + maxSettleBytes + "): stream the results with Accept: application/x-ndjson, or set a smaller maxBytes");
    }
  }

  /** As JSON (the form {@code fanout.gather} takes). */
  public JsonObject toJson() {
    JsonArray specs = new JsonArray();
    requests.forEach(s -> specs.add(s.toJson()));
    return new JsonObject().put("requests", specs).put("concurrency", concurrency).put("mode", mode.wire());
  }
}
