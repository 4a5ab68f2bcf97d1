package dev.fanout.web;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code http.requestTimeoutMs}: a request whose response has not started by then fails with 504,
 * which {@link Problem} answers as a problem document. Whatever the request runs (a gather, a long
 * poll) listens for the response's end and stops there. A response that has started (an NDJSON
 * stream) is not cut: it runs while its results flow, each fetch bounded by its own deadline, and
 * a client that stops reading it is closed by {@link IdleConnections}.
 *
 * <p>Unlike vertx-web's TimeoutHandler, which fails the request even after its head is written
 * (resetting a stream that is still delivering), and answers with a status of its own.
 */
final class RequestDeadline implements Handler<RoutingContext> {
  private final long timeoutMs;

  RequestDeadline(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long timer = ctx.vertx().setTimer(timeoutMs, id -> expire(ctx));
    ctx.addEndHandler(ar -> ctx.vertx().cancelTimer(timer));
    ctx.next();
  }

  private static void expire(RoutingContext ctx) {
    HttpServerResponse resp = ctx.response();
    if (resp.ended() || resp.closed() || resp.headWritten()) {
      return;
    }
    if (!ctx.request().isEnded()) {
      ctx.request().resume(); // a body still arriving must not hold the answer back
    }
    ctx.fail(504);
  }
}
