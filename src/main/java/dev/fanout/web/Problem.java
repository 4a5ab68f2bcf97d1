package dev.fanout.web;

import dev.fanout.bus.BusFailure;
import dev.fanout.bus.FailureCode;
import dev.fanout.bus.InvalidRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Errors as RFC 9457 problem details ({@code application/problem+json}): {@code type},
 * {@code title}, {@code status}, {@code detail}, and {@code field} naming the offending input.
 * The one place where failures become HTTP ({@link #fail}): a failure gets the same status
 * wherever it surfaces, because every one is read as a {@link BusFailure} first. A client never
 * sees a stack trace.
 */
public final class Problem {
  /** The media type of a problem document. */
  public static final String TYPE = "application/problem+json";
  private static final String BASE = "https://fanout.dev/problems/";
  private static final Logger LOG = LoggerFactory.getLogger(Problem.class);

  private Problem() {}

  /**
   * Answers {@code t} as a problem: bad input 400 naming its field, 403 naming what is not
   * permitted, 404 and 409 naming {@code id},
   * 503 when nothing could answer, 504 when nothing answered in time, and 500 (logged) for a bug.
   */
  public static void fail(RoutingContext ctx, Throwable t) {
    if (!open(ctx.response())) {
      return; // answered already (a timeout's 504, say): a late outcome has nowhere to go
    }
    BusFailure f = BusFailure.of(t);
    String detail = f.getMessage();
    switch (f.code()) {
      case INVALID -> send(ctx, 400, "invalid-request", "Invalid request", detail, named(f, "body"));
      case NOT_FOUND -> send(ctx, 404, "not-found", "Not found", detail, named(f, "id"));
      case FORBIDDEN -> send(ctx, 403, "forbidden", "Forbidden", detail, named(f, "body"));
      case CONFLICT -> send(ctx, 409, "conflict", "Conflict", detail, named(f, "id"));
      case UNAVAILABLE -> send(ctx, 503, "unavailable", "Service unavailable", detail, null);
      case TIMEOUT -> send(ctx, 504, "timeout", "Request timed out", detail, null);
      case INTERNAL -> {
        LOG.error("request failed: {} {}", ctx.request().method(), ctx.request().path(), t);
        send(ctx, 500, "internal", "Internal error", "the request failed; see the server log", null);
      }
    }
  }

  /** 401: no token, or one that is not valid; says how to send one ({@code WWW-Authenticate}). */
  static void unauthorized(RoutingContext ctx, String detail) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"fanout\"");
    send(ctx, 401, "unauthorized", "Unauthorized", detail, "Authorization");
  }

  /** 403: the request is understood and not permitted ({@code field} names what is missing). */
  static void forbidden(RoutingContext ctx, String detail, String field) {
    send(ctx, 403, "forbidden", "Forbidden", detail, field);
  }

  /** 429 with {@code Retry-After: seconds}. */
  static void tooManyRequests(RoutingContext ctx, long seconds, String detail) {
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    send(ctx, 429, "too-many-requests", "Too many requests", detail + "; retry after " + seconds + " s", null);
  }

  /** The failure's field, or {@code otherwise} for one from a bus client that sent only text. */
  private static String named(BusFailure f, String otherwise) {
    return f.field() != null ? f.field() : otherwise;
  }

  /** Answers {@code status} with a problem document. */
  private static void send(RoutingContext ctx, int status, String slug, String title, String detail, String field) {
    HttpServerResponse resp = ctx.response();
    if (!open(resp)) {
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

  /**
   * The answer to a request that HTTP/1.1 could not decode (a request line longer than the
   * server's limit, headers over {@code http.maxHeaderBytes}, broken framing): a problem document
   * with the status Vert.x would send bare (414, 431 or 400); the server closes the connection
   * after it.
   */
  static void invalidRequest(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    int status;
    String title;
    String detail;
    String field;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      title = "URI Too Long";
      detail = "the request line is too long";
      field = "uri";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      title = "Request Header Fields Too Large";
      detail = "the request's headers are over http.maxHeaderBytes";
      field = "headers";
    } else {
      status = 400;
      title = "Bad Request";
      detail = "not a valid HTTP/1.1 request" + (cause == null ? "" : " (" + cause.getMessage() + ")");
      field = null;
    }
    JsonObject body = new JsonObject().put("type", BASE + "invalid-request").put("title", title)
        .put("status", status).put("detail", detail);
    if (field != null) {
      body.put("field", field);
    }
    req.response().setStatusCode(status).putHeader("Content-Type", TYPE).putHeader("Connection", "close")
        .end(body.encode());
  }

  private static boolean open(HttpServerResponse resp) {
    return !resp.ended() && !resp.closed();
  }

  /**
   * A request body that must be a JSON object, read exactly ({@link JsonBody}); fails with
   * {@link InvalidRequest} on field {@code body} when it is missing, not JSON, or not an object
   * ({@code hint} says what is expected).
   */
  public static JsonObject jsonObject(Buffer buf, String hint) {
    return JsonBody.object(buf, hint);
  }

  /** The router's answer to a request it cannot route: a path that does not decode (%zz). */
  public static void malformed(RoutingContext ctx) {
    Throwable t = ctx.failure();
    String why = t == null || t.getMessage() == null ? "it does not decode" : t.getMessage();
    send(ctx, 400, "bad-request", "Bad request", "the request path is malformed: " + why, "path");
  }

  /**
   * The router's failure handler. Bad input and a failure without a status are {@link #fail mapped}; a status
   * is about HTTP itself (a body too large, a path or method no route takes, the request
   * deadline), and the two statuses a failure also has (503, 504) read the same as one.
   */
  public static void onFailure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t instanceof InvalidRequest) {
      fail(ctx, t);
      return;
    }
    switch (ctx.statusCode()) {
      case 413 -> send(ctx, 413, "body-too-large", "Request body too large",
          "the body is over http.bodyLimitBytes", "body");
      case 404 -> send(ctx, 404, "not-found", "Not found", "no such resource: " + ctx.request().path(), "path");
      case 405 -> send(ctx, 405, "method-not-allowed", "Method not allowed",
          ctx.request().method() + " is not allowed here", "method");
      case 504 -> fail(ctx, new BusFailure(FailureCode.TIMEOUT, "no answer within http.requestTimeoutMs"));
      case 503 -> fail(ctx, new BusFailure(FailureCode.UNAVAILABLE, "the service cannot answer now"));
      default -> onOther(ctx, t);
    }
  }

  private static void onOther(RoutingContext ctx, Throwable t) {
    int status = ctx.statusCode();
    if (status >= 400 && status < 500) {
      // What reaches here is about the request as a whole (its query string, its framing).
      String why = t == null ? null : t.getMessage();
      send(ctx, status, "bad-request", "Bad request", why == null ? "the request is malformed" : why, "request");
    } else {
      fail(ctx, t);
    }
  }
}
