package dev.fanout.web;

import static dev.fanout.web.BusCall.reply;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.InvalidRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /v1/admin/verticles}: deploying at run time, HTTP onto {@code fanout.admin.*}. Routed
 * only with {@code admin.enabled} (else every admin path is a 404). Bus failures become problems
 * in {@link Problem#fail}: 400 naming the field (a class that is missing, not a verticle or fails
 * to start names {@code class}), 403 naming {@code class} for one outside
 * {@code admin.deployAllow}, 404 and 409 naming {@code id}.
 */
final class AdminApi {
  private final Vertx vertx;
  private final long timeoutMs;

  AdminApi(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Who may use the admin routes. Nobody is checked yet: {@code admin.enabled} is the only gate,
   * so enable it only where the HTTP port is reachable by operators alone. When tokens arrive
   * (the operations issue), this is where a request without the admin scope gets its 401/403.
   */
  void authorize(RoutingContext ctx) {
    ctx.next();
  }

  void deploy(RoutingContext ctx) {
    JsonObject body;
    try {
      body = Problem.jsonObject(ctx.body().buffer(), "{\"class\", \"instances\"?, \"config\"?, \"threadingModel\"?}");
    } catch (InvalidRequest e) {
      Problem.fail(ctx, e);
      return;
    }
    Future<JsonObject> deployed = send(ctx, Addresses.ADMIN_DEPLOY, body).onSuccess(d -> {
      if (BusCall.open(ctx)) {
        ctx.response().putHeader("Location", "/v1/admin/verticles/" + d.getString("id"));
      }
    });
    reply(ctx, 201, deployed);
  }

  void list(RoutingContext ctx) {
    reply(ctx, send(ctx, Addresses.ADMIN_LIST, new JsonObject()));
  }

  void undeploy(RoutingContext ctx) {
    reply(ctx, send(ctx, Addresses.ADMIN_UNDEPLOY, new JsonObject().put("id", ctx.pathParam("id"))));
  }

  private Future<JsonObject> send(RoutingContext ctx, String address, JsonObject body) {
    return BusCall.ask(vertx, ctx, address, body, new DeliveryOptions().setSendTimeout(timeoutMs));
  }
}
