package dev.fanout.web;

import dev.fanout.config.FanoutConfig;
import dev.fanout.config.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The HTTP front door. Several instances share one port; each maps HTTP to the event bus and
 * never touches a fetcher or the database directly.
 */
public final class WebVerticle extends VerticleBase {
  private static final String PORT_KEY = "fanout.http.port";
  private HttpServer server;

  @Override
  public Future<?> start() {
    HttpConfig cfg = FanoutConfig.fromJson(config()).http();
    Router router = Router.router(vertx);
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    HttpServerOptions opts = new HttpServerOptions()
        .setIdleTimeout((int) Math.max(1, cfg.idleTimeoutMs() / 1000))
        .setMaxHeaderSize(cfg.maxHeaderBytes());
    server = vertx.createHttpServer(opts).requestHandler(router);
    return server.listen(cfg.port(), cfg.host())
        .onSuccess(s -> vertx.sharedData().getLocalMap(PORT_KEY).putIfAbsent("port", s.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return server.shutdown();
  }

  /** The port the web verticles listen on (useful with {@code http.port} 0), or -1 before they do. */
  public static int boundPort(Vertx vertx) {
    Object p = vertx.sharedData().getLocalMap(PORT_KEY).get("port");
    return p == null ? -1 : (Integer) p;
  }
}
