package dev.fanout.web;

import dev.fanout.bus.BusFailure;
import dev.fanout.bus.Health;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.HttpConfig;
import dev.fanout.config.PortInUse;
import dev.fanout.metrics.Scrape;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP front door. Several instances share one port; each maps HTTP to the event bus (through
 * a {@link dev.fanout.gather.Gather}) and never touches a fetcher or the database directly.
 */
public final class WebVerticle extends VerticleBase {
  private static final String STATE = "fanout.web";
  private HttpServer server;
  private Router router;
  private HttpConfig cfg;
  private EventsHub events;

  @Override
  public Future<?> start() {
    FanoutConfig all = FanoutConfig.fromJson(config());
    cfg = all.http();
    FetchApi fetchApi = new FetchApi(vertx, all);
    JobsApi jobsApi = new JobsApi(vertx);
    BusFailure.register(vertx); // reads the failures of fanout.jobs.* with their fields
    router = Router.router(vertx);
    IdleConnections idle = new IdleConnections(vertx, cfg.idleTimeoutMs());
    router.route().handler(idle::onRequest); // first: every request marks its connection busy
    AccessLog access = new AccessLog(cfg.accessLog());
    if (access.on()) {
      router.route().handler(access);
    }
    if (!all.api().corsOrigins().isEmpty()) {
      // before the door: a browser's preflight carries no token
      router.route().handler(CorsHandler.create().addOrigins(all.api().corsOrigins())
          .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE))
          .allowedHeaders(Set.of("Authorization", "Content-Type", "Accept", "Last-Event-ID")));
    }
    router.route().handler(new Access(vertx, all.api()));
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(
        HealthChecks.create(vertx).register("process", p -> p.complete(Status.OK()))));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(HealthChecks.create(vertx)
        .register("deployed", p -> p.complete(ready(vertx) ? Status.OK() : Status.KO()))
        .register(Health.DATABASE, p -> p.complete(reported(Health.DATABASE)))));
    Dashboard.route(router); // the page at / and its files under /ui/
    events = new EventsHub(vertx, all.events()); // before the deadline: a stream is bounded by events.*
    router.get("/v1/events").handler(events::serve);
    Scrape.route(router, vertx, all.metrics()); // GET /metrics when metrics.enabled
    router.route("/v1/*").handler(new RequestDeadline(cfg.requestTimeoutMs()));
    router.post("/v1/fetch")
        .handler(new StreamedFetch(vertx, all)::handle) // an NDJSON body; JSON goes on
        .handler(JsonBody.handler(cfg.bodyLimitBytes()))
        .handler(fetchApi::gather);
    router.get("/v1/egress").handler(fetchApi::egress);
    router.post("/v1/jobs").handler(JsonBody.handler(cfg.bodyLimitBytes())).handler(jobsApi::enqueue);
    router.get("/v1/jobs").handler(jobsApi::list);
    router.get("/v1/jobs/:id").handler(jobsApi::get);
    router.post("/v1/jobs/:id/cancel").handler(jobsApi::cancel);
    router.post("/v1/jobs/:id/retry").handler(jobsApi::retry);
    router.get("/v1/batches/:id").handler(jobsApi::batch);
    router.get("/v1/queues").handler(jobsApi::queues);
    router.get("/v1/cluster").handler(new ClusterApi(vertx)::status);
    router.get("/openapi.yaml").handler(new OpenApiDoc(vertx));
    if (all.admin().enabled()) {
      admin(router, new AdminApi(vertx, cfg.requestTimeoutMs()));
    }
    router.route().failureHandler(Problem::onFailure);
    router.errorHandler(400, Problem::malformed); // a path that does not decode, before any route
    router.errorHandler(404, Problem::onFailure);
    router.errorHandler(405, Problem::onFailure);
    // No Vert.x idle timeout: it would cut requests in progress; IdleConnections closes idle ones.
    HttpServerOptions opts = new HttpServerOptions()
        .setMaxHeaderSize(cfg.maxHeaderBytes())
        .setMaxInitialLineLength(8192)
        .setDecompressionSupported(false)
        .setHttp2ClearTextEnabled(false);
    server = vertx.createHttpServer(opts).connectionHandler(idle::onConnection).requestHandler(router)
        .invalidRequestHandler(Problem::invalidRequest);
    return server.listen(cfg.port(), cfg.host())
        .recover(e -> PortInUse.explain(e, "http.port", "FANOUT_HTTP_PORT", cfg.host(), cfg.port()))
        .onSuccess(s -> vertx.sharedData().getLocalMap(STATE).putIfAbsent("port", s.actualPort()));
  }

  /** The admin routes ({@code admin.enabled}); without them every admin path is a 404. */
  private void admin(Router router, AdminApi api) {
    router.route("/v1/admin/*").handler(api::authorize);
    router.post("/v1/admin/verticles").handler(JsonBody.handler(cfg.bodyLimitBytes())).handler(api::deploy);
    router.get("/v1/admin/verticles").handler(api::list);
    router.delete("/v1/admin/verticles/:id").handler(api::undeploy);
  }

  @Override
  public Future<?> stop() {
    // Stop accepting; in-flight requests get the grace period, then their connections close
    // (which cancels their gathers). Event streams never end by themselves: they end now.
    events.close();
    return server.shutdown(cfg.shutdownGraceMs(), TimeUnit.MILLISECONDS);
  }

  /** The routes of this verticle's router, once started: what {@code openapi.yaml} must describe. */
  List<Route> routes() {
    return router.getRoutes();
  }

  /** The port the web verticles listen on (useful with {@code http.port} 0), or -1 before they do. */
  public static int boundPort(Vertx vertx) {
    Object p = vertx.sharedData().getLocalMap(STATE).get("port");
    return p == null ? -1 : (Integer) p;
  }

  /** Marks the service ready (everything deployed) or not (stopping); read by /health/ready. */
  public static void ready(Vertx vertx, boolean ready) {
    vertx.sharedData().getLocalMap(STATE).put("ready", ready);
  }

  /** A reported check's status (up when nothing on this node reports it). */
  private Status reported(String check) {
    JsonObject state = Health.state(vertx, check);
    if (state == null || state.getBoolean("up", false)) {
      return Status.OK();
    }
    return Status.KO(new JsonObject().put("error", state.getString("error")));
  }

  private static boolean ready(Vertx vertx) {
    return Boolean.TRUE.equals(vertx.sharedData().getLocalMap(STATE).get("ready"));
  }
}
