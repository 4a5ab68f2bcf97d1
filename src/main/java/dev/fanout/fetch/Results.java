package dev.fanout.fetch;

import dev.fanout.bus.Capture;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchResult.FetchError;
import dev.fanout.bus.FetchResult;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/** Builds {@link FetchResult}s from a task's state and its last response or failure. */
final class Results {
  private Results() {}

  /**
   * The result of a task whose last attempt got response {@code r}: ok when 2xx, else error kind
   * {@code http-status} (with {@code message} when given).
   */
  static FetchResult of(FetchTask task, Response r, long now, String message) {
    boolean ok = r.status() >= 200 && r.status() < 300;
    FetchError error = ok ? null
        : new FetchError(ErrorKind.HTTP_STATUS, message != null ? message : "HTTP " + r.status());
    return withError(task, r, now, error);
  }

  /** The result of a task whose last response {@code r} ends it with {@code error}. */
  static FetchResult withError(FetchTask task, Response r, long now, FetchError error) {
    return new FetchResult(task.url, task.finalUrl(), error == null, r.status(), headers(r.headers()),
        r.bytes(), r.sha256(), body(r, task.spec.options().capture()), task.attempts, task.redirects,
        task.elapsedMs(now), error);
  }

  /** The result of a task that ends without a usable response. */
  static FetchResult failed(FetchTask task, ErrorKind kind, String message, long now) {
    return new FetchResult(task.url, task.finalUrl(), false, null, null, 0, null, null,
        Math.max(1, task.attempts), task.redirects, task.elapsedMs(now), new FetchError(kind, message));
  }

  private static JsonObject headers(MultiMap headers) {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, String> e : headers) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      String prev = out.getString(name);
      out.put(name, prev == null ? e.getValue() : prev + ", " + e.getValue());
    }
    return out;
  }

  private static String body(Response r, Capture capture) {
    if (r.body() == null) {
      return null;
    }
    // text decodes straight from the buffer: one copy of a large body fewer
    return capture == Capture.BASE64
        ? Base64.getEncoder().encodeToString(r.body().getBytes())
        : r.body().toString(charset(r.headers().get("content-type")));
  }

  /** The charset parameter of a Content-Type, else UTF-8. */
  static Charset charset(String contentType) {
    if (contentType != null) {
      for (String param : contentType.split(";")) {
        String p = param.trim();
        if (p.regionMatches(true, 0, "charset=", 0, 8)) {
          try {
            return Charset.forName(p.substring(8).replace("\"", "").trim());
          } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
          }
        }
      }
    }
    return StandardCharsets.UTF_8;
  }
}
