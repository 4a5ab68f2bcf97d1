package dev.fanout.examples.links;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A web site on 127.0.0.1 for the crawler: each path answers an HTML page whose links are the
 * ones given (hrefs as written: relative, absolute, with fragments, other sites); an unknown path
 * is 404. Counts the requests of each path.
 */
final class Site {
  private final Map<String, List<String>> pages;
  private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
  private HttpServer server;

  private Site(Map<String, List<String>> pages) {
    this.pages = pages;
  }

  /** Serves {@code pages} (path to hrefs) on a free port of 127.0.0.1. */
  static Future<Site> start(Vertx vertx, Map<String, List<String>> pages) {
    Site site = new Site(pages);
    site.server = vertx.createHttpServer().requestHandler(req -> {
      site.hits.computeIfAbsent(req.path(), k -> new AtomicInteger()).incrementAndGet();
      List<String> links = pages.get(req.path());
      if (links == null) {
        req.response().setStatusCode(404).end();
        return;
      }
      StringBuilder html = new StringBuilder("<!doctype html><title>").append(req.path()).append("</title><ul>");
      links.forEach(href -> html.append("<li><a href=\"").append(href).append("\">link</a>"));
      req.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html.append("</ul>").toString());
    });
    return site.server.listen(0, "127.0.0.1").map(s -> site);
  }

  /** {@code http://127.0.0.1:PORT} + path. */
  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  /** Requests of each path so far. */
  Map<String, Integer> hits() {
    Map<String, Integer> out = new ConcurrentHashMap<>();
    hits.forEach((path, n) -> out.put(path, n.get()));
    return out;
  }
}
