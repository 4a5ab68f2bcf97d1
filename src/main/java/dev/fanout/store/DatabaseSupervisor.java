package dev.fanout.store;

import dev.fanout.bus.Health;
import dev.fanout.config.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the database: every {@code pg.healthCheckMs} a {@code SELECT 1} on a connection of its
 * own (so a busy pool cannot make the database look down), failed after {@code pg.healthTimeoutMs}.
 * The outcome is reported as the readiness check {@code database} ({@link Health}). When the
 * embedded server's process is gone, the supervisor starts it again on the same port: at once,
 * then after {@code pg.restartBackoffMs}, doubling up to {@code pg.restartBackoffMaxMs} while
 * attempts fail. The pools need nothing: they open new connections on demand, to the same port.
 * An external server is only watched; the pools reconnect to it when it is back.
 */
final class DatabaseSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseSupervisor.class);
  private final Vertx vertx;
  private final StoreConfig cfg;
  private final PgConnectOptions options;
  private final EmbeddedDatabase embedded;
  private long timer = -1;
  private boolean busy;
  private boolean stopped;
  private Future<PgConnection> connection;
  private String down;
  private long downSince;
  private int attempts;
  private long backAt;

  DatabaseSupervisor(Vertx vertx, StoreConfig cfg, PgConnectOptions options, EmbeddedDatabase embedded) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.options = new PgConnectOptions(options).setReconnectAttempts(0);
    this.embedded = embedded;
  }

  /** Reports the database up (it was just checked) and starts probing. */
  void start() {
    Health.report(vertx, Health.DATABASE, null);
    timer = vertx.setPeriodic(cfg.healthCheckMs(), id -> tick());
  }

  /** Stops probing and restarting, and forgets the report. */
  Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    Health.forget(vertx, Health.DATABASE);
    Future<PgConnection> c = connection;
    connection = null;
    return c == null
        ? Future.succeededFuture()
        : c.transform(ar -> ar.succeeded() ? ar.result().close() : Future.succeededFuture());
  }

  private void tick() {
    if (busy || stopped) {
      return;
    }
    busy = true;
    probe().onComplete(ar -> {
      if (ar.succeeded()) {
        up();
        busy = false;
      } else if (embedded == null) {
        down(ar.cause().getMessage());
        busy = false;
      } else {
        down(ar.cause().getMessage());
        // a failed probe is the cue to look at the process (not every tick: that reads /proc)
        vertx.executeBlocking(embedded::running, false).onComplete(r -> {
          if (r.succeeded() && !r.result() && !stopped) {
            lost();
          } else {
            busy = false;
          }
        });
      }
    });
  }

  private Future<Void> probe() {
    long ms = cfg.healthTimeoutMs();
    if (connection == null) {
      // kept while it connects or works: a connect that hangs is not started again on every tick
      Future<PgConnection> c = PgConnection.connect(vertx, options);
      connection = c;
      c.onFailure(e -> drop(c));
    }
    Future<PgConnection> c = connection;
    return c.timeout(ms, TimeUnit.MILLISECONDS)
        .compose(pg -> pg.query("SELECT 1").execute().timeout(ms, TimeUnit.MILLISECONDS))
        .<Void>mapEmpty()
        .onFailure(e -> {
          if (c.succeeded()) {
            drop(c);
            c.result().close();
          }
        });
  }

  private void drop(Future<PgConnection> c) {
    if (connection == c) {
      connection = null;
    }
  }

  private void up() {
    if (down != null) {
      LOG.info("database back after {} ms", System.currentTimeMillis() - downSince);
      down = null;
      backAt = System.currentTimeMillis();
      Health.report(vertx, Health.DATABASE, null);
    }
  }

  private void down(String why) {
    String problem = why == null ? "no answer" : why;
    if (down == null) {
      LOG.error("database lost: {}", problem);
      downSince = System.currentTimeMillis();
    }
    down = problem;
    Health.report(vertx, Health.DATABASE, problem);
  }

  /** The embedded server's process is gone: restart it, backing off while attempts fail. */
  private void lost() {
    if (System.currentTimeMillis() - backAt > cfg.restartBackoffMaxMs()) {
      attempts = 0; // it ran a good while: a new outage, not the same one again
    }
    LOG.error("the embedded PostgreSQL is gone: starting it again on 127.0.0.1:{}", embedded.port());
    Health.report(vertx, Health.DATABASE, "the embedded PostgreSQL is gone; restarting it");
    restart();
  }

  private void restart() {
    if (stopped) {
      return;
    }
    vertx.executeBlocking(() -> {
      embedded.restartBlocking();
      return null;
    }, false).onComplete(ar -> {
      attempts++;
      if (ar.succeeded()) {
        LOG.info("the embedded PostgreSQL runs again (attempt {})", attempts);
        busy = false;
        tick();
      } else {
        long delay = Math.min(cfg.restartBackoffMaxMs(), cfg.restartBackoffMs() << Math.min(20, attempts - 1));
        LOG.warn("starting the embedded PostgreSQL again failed (attempt {}): {}; next attempt in {} ms",
            attempts, ar.cause().getMessage(), delay);
        vertx.setTimer(delay, id -> restart());
      }
    });
  }
}
