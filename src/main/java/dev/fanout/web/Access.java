package dev.fanout.web;

import dev.fanout.config.ApiConfig;
import dev.fanout.config.ApiConfig.Scope;
import dev.fanout.config.ApiConfig.Token;
import dev.fanout.config.Tokens;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * The API's door, first on every route after the connection bookkeeping: with {@code api.tokens}
 * a request needs {@code Authorization: Bearer <secret>} of a token with the route's scope
 * ({@code admin} for {@code /v1/admin/*}, {@code read} for other GETs, {@code write} for the rest),
 * else 401 (no or an unknown token) or 403 (a scope missing) — before any body is read. Then the
 * rate limit of that token (of the client's address when the API is open): 429 with
 * {@code Retry-After}. The dashboard's files and {@code /openapi.yaml} are open; {@code /health/*}
 * stays open with {@code api.openHealth}, {@code /metrics} with {@code api.openMetrics}. The token's id
 * (never its secret) is kept on the request for the access log.
 */
final class Access implements Handler<RoutingContext> {
  /** The routing-context key of the id of the token a request came with. */
  static final String TOKEN_ID = "fanout.tokenId";
  private static final String SHARED = "fanout.web.rates";
  private static final String BEARER = "Bearer ";
  private static final long SWEEP_MS = 60_000;

  private final ApiConfig cfg;
  private final RateLimits rates;

  Access(Vertx vertx, ApiConfig cfg) {
    this.cfg = cfg;
    this.rates = cfg.ratePerSecond() > 0 ? shared(vertx, cfg) : null;
  }

  /** The rate limits of this process, made (and swept) once for every web verticle. */
  private static RateLimits shared(Vertx vertx, ApiConfig cfg) {
    var map = vertx.sharedData().<String, RateLimits>getLocalMap(SHARED);
    RateLimits mine = new RateLimits(cfg.ratePerSecond(), cfg.rateBurst());
    RateLimits first = map.putIfAbsent("limits", mine);
    if (first == null) {
      vertx.setPeriodic(SWEEP_MS, id -> mine.sweep());
      return mine;
    }
    return first;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path;
    try {
      path = ctx.normalizedPath(); // decoded, as the routes see it: /v1/%61dmin is an admin route
    } catch (IllegalArgumentException malformed) {
      Problem.malformed(ctx); // a path that does not decode (%zz): 400, field path
      return;
    }
    if (open(path)) {
      ctx.next();
      return;
    }
    String client = null;
    if (cfg.protectedByTokens()) {
      Token token = Tokens.find(cfg, bearer(ctx));
      if (token == null) {
        Problem.unauthorized(ctx, bearer(ctx) == null
            ? "a token is required: send Authorization: Bearer <token>" : "the token is not valid");
        return;
      }
      Scope need = scope(ctx.request().method(), path);
      if (!token.may(need)) {
        Problem.forbidden(ctx, "token " + token.id() + " lacks the scope " + need.label(), "scope");
        return;
      }
      ctx.put(TOKEN_ID, token.id());
      client = "token " + token.id();
    }
    if (rates == null) {
      ctx.next(); // no limit: nothing more to look at on this hot path
      return;
    }
    if (client == null) {
      client = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().hostAddress();
    }
    long wait = rates.take(client);
    if (wait > 0) {
      Problem.tooManyRequests(ctx, wait, "over api.ratePerSecond (" + cfg.ratePerSecond() + "/s, bursts of "
          + cfg.rateBurst() + ")");
      return;
    }
    ctx.next();
  }

  private static String bearer(RoutingContext ctx) {
    String h = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (h == null || !h.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String t = h.substring(BEARER.length()).strip();
    return t.isEmpty() ? null : t;
  }

  /**
   * Whether {@code path} answers without a token: the dashboard's page and its files and the
   * OpenAPI description (they hold no data: the page asks the API with the token it is given),
   * {@code /health/*} with {@code api.openHealth}, {@code /metrics} with {@code api.openMetrics}.
   */
  private boolean open(String path) {
    if (alwaysOpen(path)) {
      return true;
    }
    if (path.equals("/health") || path.startsWith("/health/")) {
      return cfg.openHealth();
    }
    return path.equals("/metrics") && cfg.openMetrics();
  }

  /** The dashboard's page and files and the OpenAPI description: open whatever the configuration. */
  static boolean alwaysOpen(String path) {
    return path.equals("/") || path.equals("/index.html") || path.startsWith("/ui/") || path.equals("/openapi.yaml")
        || path.equals("/favicon.ico");
  }

  /** The scope a request needs. */
  static Scope scope(HttpMethod method, String path) {
    if (path.equals("/v1/admin") || path.startsWith("/v1/admin/")) {
      return Scope.ADMIN;
    }
    return method == HttpMethod.GET || method == HttpMethod.HEAD ? Scope.READ : Scope.WRITE;
  }
}
