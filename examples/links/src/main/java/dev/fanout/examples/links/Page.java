package dev.fanout.examples.links;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A {@code links} job's payload: the page to visit and the crawl it belongs to.
 *
 * @param url the page, normalised ({@link PageLinks#normalize})
 * @param depth how many links away from the crawl's first page (0 for the first page)
 * @param maxDepth the deepest page the crawl visits
 * @param budget the most pages the crawl fetches
 * @param crawl the crawl's id (the id of the job that started it)
 * @param site the crawl's origin: only its links are followed
 */
record Page(String url, int depth, int maxDepth, int budget, String crawl, String site) {
  static final int DEFAULT_MAX_DEPTH = 2;
  static final int DEFAULT_BUDGET = 100;

  /** Whether {@code payload} starts a crawl ({@code {url, maxDepth?, budget?}}) rather than visits a page of one. */
  static boolean startsCrawl(JsonObject payload) {
    return payload.getString("crawl") == null;
  }

  /**
   * The first page of the crawl that job {@code jobId} starts; fails with
   * {@link IllegalArgumentException} naming the field when the payload is not usable.
   */
  static Page first(JsonObject payload, long jobId) {
    String url = PageLinks.normalize(payload.getString("url"));
    if (url == null) {
      throw new IllegalArgumentException("url: must be an absolute http or https URL");
    }
    int maxDepth = number(payload, "maxDepth", DEFAULT_MAX_DEPTH, 0, 100);
    int budget = number(payload, "budget", DEFAULT_BUDGET, 1, 1_000_000);
    return new Page(url, 0, maxDepth, budget, Long.toString(jobId), PageLinks.origin(url));
  }

  /** A page job's payload as {@link #toJson()} wrote it; fails with {@link IllegalArgumentException} otherwise. */
  static Page fromJson(JsonObject p) {
    try {
      Page page = new Page(p.getString("url"), p.getInteger("depth"), p.getInteger("maxDepth"),
          p.getInteger("budget"), p.getString("crawl"), p.getString("site"));
      if (page.url == null || page.site == null) {
        throw new IllegalArgumentException("url and site are required");
      }
      return page;
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException("not a page of a crawl: " + p.encode(), e);
    }
  }

  JsonObject toJson() {
    return new JsonObject().put("url", url).put("depth", depth).put("maxDepth", maxDepth).put("budget", budget)
        .put("crawl", crawl).put("site", site);
  }

  /** The page at {@code link}, one level deeper in the same crawl. */
  Page child(String link) {
    return new Page(link, depth + 1, maxDepth, budget, crawl, site);
  }

  /**
   * The queue's idempotency key of this page in its crawl: enqueueing the page again (a cycle, two
   * pages linking to it, a retried parent) returns the job that exists. Hashed: a URL may be
   * longer than a key may be.
   */
  String key() {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
      return "links:" + crawl + ":" + HexFormat.of().formatHex(sha);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static int number(JsonObject payload, String field, int dflt, int min, int max) {
    Object v = payload.getValue(field);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.intValue() < min || n.intValue() > max || n.doubleValue() != n.intValue()) {
      throw new IllegalArgumentException(field + ": must be a whole number from " + min + " to " + max);
    }
    return n.intValue();
  }
}
