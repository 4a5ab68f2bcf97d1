package dev.fanout.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One line per request on the logger {@code fanout.access}, when the response ends: method, path
 * (without the query string), status, duration, the token's id ({@code -} when open; never the
 * token) and the client's address, at {@code http.accessLog} ({@code debug} by default, so a busy
 * service prints nothing unless asked; {@code info} to see them; {@code off}).
 */
final class AccessLog implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger("fanout.access");
  private final Level level;

  /** At {@code level} ({@code off}, {@code debug}, {@code info}). */
  AccessLog(String level) {
    this.level = "off".equals(level) ? null : Level.valueOf(level.toUpperCase(Locale.ROOT));
  }

  /** Whether lines are logged at all at this level (else the handler is not installed). */
  boolean on() {
    return level != null && LOG.isEnabledForLevel(level);
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ar -> {
      Object token = ctx.get(Access.TOKEN_ID);
      var client = ctx.request().remoteAddress();
      LOG.atLevel(level).log("{} {} {} {} ms token={} client={}", ctx.request().method(), ctx.request().path(),
          ctx.response().getStatusCode(), (System.nanoTime() - start) / 1_000_000, token == null ? "-" : token,
          client == null ? "-" : client.hostAddress());
    });
    ctx.next();
  }
}
