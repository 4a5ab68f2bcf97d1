package dev.fanout.web;

import dev.fanout.bus.InvalidRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Errors as RFC 9457 problem details ({@code application/problem+json}): {@code type},
 * {@code title}, {@code status}, {@code detail}, and {@code field} naming the offending input.
 * The one place where failures become HTTP; a client never sees a stack trace.
 */
public final class Problem {
  /** The media type of a problem document. */
  public static final String TYPE = "application/problem+json";
  private static final String BASE = "https://fanout.dev/problems/";

  private Problem() {}

  /** Answers {@code status} with a problem document. */
  public static void send(RoutingContext ctx, int status, String slug, String title, String detail, String field) {
    HttpServerResponse resp = ctx.response();
    if (resp.ended() || resp.closed()) {
      return; // answered already (a timeout's 504, say): a late outcome has nowhere to go
    }
    if (resp.headWritten()) {
      resp.reset(); // a stream that failed midway: the client must not take it for complete
      return;
    }
    JsonObject body = new JsonObject()
        .put("type", BASE + slug)
        .put("title", title)
        .put("status", status)
        .put("detail", detail == null ? title : detail);
    if (field != null) {
      body.put("field", field);
    }
    resp.setStatusCode(status).putHeader("Content-Type", TYPE).end(body.encode());
  }

  /** A 400 for bad input, naming its field. */
  public static void invalid(RoutingContext ctx, InvalidRequest e) {
    send(ctx, 400, "invalid-request", "Invalid request", e.getMessage(), e.field());
  }

  /**
   * A request body that must be a JSON object, read exactly ({@link JsonBody}); fails with
   * {@link InvalidRequest} on field {@code body} when it is missing, not JSON, or not an object
   * ({@code hint} says what is expected).
   */
  public static JsonObject jsonObject(io.vertx.core.buffer.Buffer buf, String hint) {
    return JsonBody.object(buf, hint);
  }

  /** The router's answer to a request it cannot route: a path that does not decode (%zz). */
  public static void malformed(RoutingContext ctx) {
    Throwable t = ctx.failure();
    String why = t == null || t.getMessage() == null ? "it does not decode" : t.getMessage();
    send(ctx, 400, "bad-request", "Bad request", "the request path is malformed: " + why, "path");
  }

  /** The router's failure handler: maps what reaches it (parse errors, limits, bugs) to problems. */
  public static void onFailure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    int status = ctx.statusCode();
    if (t instanceof InvalidRequest e) {
      invalid(ctx, e);
    } else if (status == 413) {
      send(ctx, 413, "body-too-large", "Request body too large", "the body is over http.bodyLimitBytes", "body");
    } else if (status == 404) {
      send(ctx, 404, "not-found", "Not found", "no such resource: " + ctx.request().path(), "path");
    } else if (status == 405) {
      send(ctx, 405, "method-not-allowed", "Method not allowed", ctx.request().method() + " is not allowed here", "method");
    } else if (status == 504) {
      send(ctx, 504, "timeout", "Request timed out", "no answer within http.requestTimeoutMs", null);
    } else if (status == 503) {
      send(ctx, 503, "unavailable", "Service unavailable", "the service cannot answer now", null);
    } else if (status >= 400 && status < 500) {
      // What reaches here is about the request as a whole (its query string, its framing).
      String why = t == null ? null : t.getMessage();
      send(ctx, status, "bad-request", "Bad request", why == null ? "the request is malformed" : why, "request");
    } else {
      org.slf4j.LoggerFactory.getLogger(Problem.class).error("request failed: {} {}", ctx.request().method(), ctx.request().path(), t);
      send(ctx, 500, "internal", "Internal error", "the request failed; see the server log", null);
    }
  }
}
