package dev.fanout.api;

import io.vertx.core.json.JsonObject;

/**
 * The outcome of one fetch, as {@code fanout.fetch} answers it (docs/fetch.md, "A result"). A
 * failed fetch is a result with {@link #ok()} false and an {@link #errorKind()}, never a failed
 * future.
 */
public final class FetchResult {
  private final JsonObject json;

  /** The result read from its JSON (kept, not copied). */
  public FetchResult(JsonObject json) {
    this.json = json;
  }

  /** Whether the final status is 2xx. */
  public boolean ok() {
    return json.getBoolean("ok", false);
  }

  /** The URL as requested. */
  public String url() {
    return json.getString("url");
  }

  /** The URL of the last hop (differs after redirects). */
  public String finalUrl() {
    return json.getString("finalUrl");
  }

  /** The final HTTP status, or null when no response arrived. */
  public Integer status() {
    return json.getInteger("status");
  }

  /** The captured body (text, or base64 for binary capture), or null when none was captured. */
  public String body() {
    return json.getString("body");
  }

  /** The final response's headers (lowercase names), or an empty object. */
  public JsonObject headers() {
    JsonObject h = json.getJsonObject("headers");
    return h == null ? new JsonObject() : h;
  }

  /** Why the fetch is not ok ({@code timeout}, {@code blocked}, ...), or null when it is. */
  public String errorKind() {
    JsonObject e = json.getJsonObject("error");
    return e == null ? null : e.getString("kind");
  }

  /** The error's readable message, or null. */
  public String errorMessage() {
    JsonObject e = json.getJsonObject("error");
    return e == null ? null : e.getString("message");
  }

  /** Where the result's request stands in a streamed gather's input ({@link FetchClient#stream}), or null. */
  public Integer index() {
    return json.getInteger("index");
  }

  /** The result as JSON. */
  public JsonObject json() {
    return json;
  }

  @Override
  public String toString() {
    return json.encode();
  }
}
