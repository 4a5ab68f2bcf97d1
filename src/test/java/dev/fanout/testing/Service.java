package dev.fanout.testing;

import dev.fanout.FanoutVerticle;
import dev.fanout.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Test support: the whole service (fetchers, gather, web on a free port) in the test's Vert.x. */
public final class Service {
  private Service() {}

  /** Deploys {@link FanoutVerticle} with {@link Fetchers#config(JsonObject)} and port 0; completes with the port. */
  public static Future<Integer> start(Vertx vertx, JsonObject overrides) {
    JsonObject cfg = Fetchers.config(new JsonObject().put("http", new JsonObject().put("port", 0).put("instances", 2)))
        .mergeIn(overrides, true);
    return vertx.deployVerticle(new FanoutVerticle(), new DeploymentOptions().setConfig(cfg))
        .map(id -> WebVerticle.boundPort(vertx));
  }
}
