package dev.fanout.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The dashboard's files, from the classpath's {@code webroot/}: the page at {@code /} (and
 * {@code /index.html}), its modules and styles under {@code /ui/}. No build step: plain ES modules
 * that read {@code GET /v1/events}. {@link Access} lets these paths through without a token; the
 * page sends the tab's token on its own calls.
 */
final class Dashboard {
  /**
   * The page may load its own files and call its own origin, nothing else: no inline script or
   * style, no frames. Sent with the page (its modules inherit it).
   */
  private static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private Dashboard() {}

  /** Adds the dashboard's routes. */
  static void route(Router router) {
    // Unversioned file names: a browser revalidates each time (a 304 while unchanged), so an
    // upgraded fanout never runs yesterday's modules.
    StaticHandler files = StaticHandler.create("webroot").setDirectoryListing(false);
    router.get("/").handler(Dashboard::pageHeaders).handler(files);
    router.get("/index.html").handler(Dashboard::pageHeaders).handler(files);
    router.get("/ui/*").handler(Dashboard::fileHeaders).handler(StaticHandler.create("webroot/ui"));
  }

  private static void pageHeaders(RoutingContext ctx) {
    ctx.response().headers().set("Content-Security-Policy", POLICY);
    fileHeaders(ctx);
  }

  private static void fileHeaders(RoutingContext ctx) {
    ctx.response().headers()
        .set(HttpHeaders.CACHE_CONTROL, "no-cache")
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer");
    ctx.next();
  }
}
