package dev.fanout.testing;

import dev.fanout.FanoutVerticle;
import dev.fanout.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Test support: the whole service (database in a fresh schema, fetchers, gather, web on a free
 * port) in the test's Vert.x, which {@link ServiceCleanup} closes when the test is over.
 */
public final class Service {
  private Service() {}

  /** Deploys {@link FanoutVerticle} with {@link Fetchers#config(JsonObject)} and port 0; completes with the port. */
  public static Future<Integer> start(Vertx vertx, JsonObject overrides) {
    return vertx.<String>executeBlocking(TestDb::url) // starts the tests' database on first use
        .compose(url -> TestDb.freshSchema(vertx))
        .compose(schema -> startIn(vertx, schema, overrides));
  }

  /** The service on an existing schema of the tests' database. */
  public static Future<Integer> startIn(Vertx vertx, String schema, JsonObject overrides) {
    JsonObject cfg = Fetchers.config(new JsonObject()
            .put("http", new JsonObject().put("port", 0).put("instances", 2))
            .put("pg", new JsonObject().put("url", TestDb.url(schema)).put("poolSize", 4)))
        .mergeIn(overrides, true);
    ServiceCleanup.started(vertx);
    return vertx.deployVerticle(new FanoutVerticle(), new DeploymentOptions().setConfig(cfg))
        .map(id -> WebVerticle.boundPort(vertx));
  }
}
