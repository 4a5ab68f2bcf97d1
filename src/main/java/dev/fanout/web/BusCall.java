package dev.fanout.web;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A route answered by a bus request, the way every JSON route of the API is: ask the address,
 * fail the request through {@link Problem#fail} when the bus fails, answer the reply as JSON
 * unless the response ended first (a 504 from {@link RequestDeadline}, or the client left: a long
 * poll's late answer is dropped; its waiter lapses at its own deadline).
 */
final class BusCall {
  private BusCall() {}

  /** Sends {@code body} to {@code address}; completes with the reply's body, or fails {@code ctx}. */
  static Future<JsonObject> ask(Vertx vertx, RoutingContext ctx, String address, JsonObject body,
      DeliveryOptions options) {
    if (!open(ctx)) {
      return Future.failedFuture("answered already"); // timed out while its body arrived: do nothing
    }
    return vertx.eventBus().<JsonObject>request(address, body, options)
        .map(Message::body)
        .onFailure(e -> Problem.fail(ctx, e));
  }

  /** Answers {@code ctx} with {@code f}'s JSON and {@code status}, if still open when it arrives. */
  static void reply(RoutingContext ctx, int status, Future<JsonObject> f) {
    f.onSuccess(r -> {
      if (open(ctx)) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(r.encode());
      }
    });
  }

  /** {@link #reply(RoutingContext, int, Future)} with 200. */
  static void reply(RoutingContext ctx, Future<JsonObject> f) {
    reply(ctx, 200, f);
  }

  /** Whether the response can still be written. */
  static boolean open(RoutingContext ctx) {
    return !ctx.response().ended() && !ctx.response().closed();
  }
}
