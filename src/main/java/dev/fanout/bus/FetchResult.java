package dev.fanout.bus;

import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;
import java.util.Map;

/**
 * The outcome of one fetch: the reply to {@code fanout.fetch}. A failed fetch is a result with
 * {@code ok:false} and an {@code error}, never a bus failure. {@code ok} is true exactly when the
 * final status is 2xx.
 *
 * @param url the URL as requested
 * @param finalUrl the URL of the last hop (differs after redirects)
 * @param ok whether the final status is 2xx
 * @param status the final HTTP status, or null when no response arrived
 * @param headers the final response headers (lowercase names; repeated headers joined by ", ")
 * @param bytes the body bytes received
 * @param sha256 the hex SHA-256 of the body, or null when no complete body arrived
 * @param body the captured body (text or base64), or null
 * @param attempts how many attempts were made (1 when the first succeeded)
 * @param redirects how many redirects were followed
 * @param elapsedMs from acceptance to result, queueing included
 * @param error why the fetch is not ok, or null
 */
public record FetchResult(
    String url,
    String finalUrl,
    boolean ok,
    Integer status,
    JsonObject headers,
    long bytes,
    String sha256,
    String body,
    int attempts,
    int redirects,
    long elapsedMs,
    FetchError error) {

  /** Why a fetch is not ok: a kind from the fixed list and a readable message. */
  public record FetchError(ErrorKind kind, String message) {
    /** As JSON: {@code {kind, message}}. */
    public JsonObject toJson() {
      return new JsonObject().put("kind", kind.wire()).put("message", message);
    }

    /** Reads {@code {kind, message}}. */
    public static FetchError fromJson(JsonObject o) {
      return new FetchError(ErrorKind.fromWire(o.getString("kind")), o.getString("message"));
    }
  }

  /** A result for a fetch that failed before any response (no status, no body). */
  public static FetchResult failed(String url, ErrorKind kind, String message, int attempts, long elapsedMs) {
    return new FetchResult(url, url, false, null, null, 0, null, null, attempts, 0, elapsedMs,
        new FetchError(kind, message));
  }

  /** The error kind, or null when ok. */
  public ErrorKind errorKind() {
    return error == null ? null : error.kind();
  }

  /** This result as JSON; absent values are left out. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject()
        .put("url", url)
        .put("finalUrl", finalUrl)
        .put("ok", ok);
    if (status != null) {
      o.put("status", status);
    }
    if (headers != null) {
      o.put("headers", headers);
    }
    o.put("bytes", bytes);
    if (sha256 != null) {
      o.put("sha256", sha256);
    }
    if (body != null) {
      o.put("body", body);
    }
    o.put("attempts", attempts).put("redirects", redirects).put("elapsedMs", elapsedMs);
    if (error != null) {
      o.put("error", error.toJson());
    }
    return o;
  }

  /**
   * Writes {@link #toJson()}'s object straight to {@code g}: the same members in the same order,
   * without building it (one result per URL is written to the CLI's NDJSON output).
   */
  public void writeJson(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("url", url);
    g.writeStringField("finalUrl", finalUrl);
    g.writeBooleanField("ok", ok);
    if (status != null) {
      g.writeNumberField("status", status.intValue());
    }
    if (headers != null) {
      g.writeObjectFieldStart("headers");
      for (Map.Entry<String, Object> e : headers.getMap().entrySet()) {
        g.writeFieldName(e.getKey());
        if (e.getValue() instanceof String v) {
          g.writeString(v);
        } else {
          JacksonCodec.encodeJson(e.getValue(), g);
        }
      }
      g.writeEndObject();
    }
    g.writeNumberField("bytes", bytes);
    if (sha256 != null) {
      g.writeStringField("sha256", sha256);
    }
    if (body != null) {
      g.writeStringField("body", body);
    }
    g.writeNumberField("attempts", attempts);
    g.writeNumberField("redirects", redirects);
    g.writeNumberField("elapsedMs", elapsedMs);
    if (error != null) {
      g.writeObjectFieldStart("error");
      g.writeStringField("kind", error.kind().wire());
      g.writeStringField("message", error.message());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /**
   * A fetcher's reply body as a result: the value itself when it came from this process
   * ({@link LocalJsonCodec}), else its JSON.
   */
  public static FetchResult of(Object body) {
    return body instanceof FetchResult r ? r : fromJson((JsonObject) body);
  }

  /** Whether a reply body (a result, or its JSON) is ok. */
  public static boolean isOk(Object body) {
    return body instanceof FetchResult r ? r.ok : ((JsonObject) body).getBoolean("ok", false);
  }

  /** A reply body (a result, or its JSON) as JSON. */
  public static JsonObject json(Object body) {
    return body instanceof FetchResult r ? r.toJson() : (JsonObject) body;
  }

  /** Reads a result written by {@link #toJson()}. */
  public static FetchResult fromJson(JsonObject o) {
    JsonObject err = o.getJsonObject("error");
    return new FetchResult(
        o.getString("url"),
        o.getString("finalUrl"),
        o.getBoolean("ok", false),
        o.getInteger("status"),
        o.getJsonObject("headers"),
        o.getLong("bytes", 0L),
        o.getString("sha256"),
        o.getString("body"),
        o.getInteger("attempts", 0),
        o.getInteger("redirects", 0),
        o.getLong("elapsedMs", 0L),
        err == null ? null : FetchError.fromJson(err));
  }
}
