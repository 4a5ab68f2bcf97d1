package dev.fanout.metrics;

import dev.fanout.config.MetricsConfig;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: this process's registry in Prometheus's text format 0.0.4, or in
 * OpenMetrics 1.0 when the scraper's {@code Accept} asks for it. The rendering is in memory and
 * runs on the event loop; the job gauges, which come from the database, are brought up to date
 * first, asynchronously ({@link JobGauges#fresh()}).
 */
public final class Scrape implements Handler<RoutingContext> {
  static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final Vertx vertx;
  private final Meters meters;

  private Scrape(Vertx vertx) {
    this.vertx = vertx;
    this.meters = Meters.of(vertx);
  }

  /** Routes {@code GET /metrics} when {@code cfg.enabled()}; without it the path stays a 404. */
  public static void route(Router router, Vertx vertx, MetricsConfig cfg) {
    if (cfg.enabled()) {
      router.get("/metrics").handler(new Scrape(vertx));
    }
  }

  @Override
  public void handle(RoutingContext rc) {
    String accept = rc.request().getHeader(HttpHeaders.ACCEPT);
    String type = accept != null && accept.contains("application/openmetrics-text") ? OPEN_METRICS : TEXT;
    Context context = vertx.getOrCreateContext();
    // the read may complete on another web verticle's event loop: answer on this one's
    meters.jobs(vertx).fresh().onComplete(ar -> context.runOnContext(v -> {
      if (!rc.response().closed()) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, type).end(meters.registry().scrape(type));
      }
    }));
  }
}
