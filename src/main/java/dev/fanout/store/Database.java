package dev.fanout.store;

import dev.fanout.config.StoreConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.File;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fanout's PostgreSQL: the configured server ({@code pg.url}) or an embedded one, a connection
 * pool, and a {@link DatabaseSupervisor} that reports the database's health and restarts a dead
 * embedded server. {@link #close(Vertx)} releases all three. (The schema is the queue's business:
 * {@code queue.Migrations}.)
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);
  private final Pool pool;
  private final PgConnectOptions options;
  private final EmbeddedDatabase embedded;
  private final String where;
  private DatabaseSupervisor supervisor;

  private Database(Pool pool, PgConnectOptions options, EmbeddedDatabase embedded, String where) {
    this.pool = pool;
    this.options = options;
    this.embedded = embedded;
    this.where = where;
  }

  /** Starts the embedded server if needed and connects (checking with one query). */
  public static Future<Database> open(Vertx vertx, StoreConfig cfg) {
    if (!cfg.embedded()) {
      return connect(vertx, PgConnectOptions.fromUri(cfg.url()), cfg.poolSize(), null, redact(cfg.url()))
          .map(db -> db.supervise(vertx, cfg));
    }
    File dir = new File(cfg.dataDir(), "pg");
    return EmbeddedDatabase.start(vertx, dir, Duration.ofMillis(cfg.startTimeoutMs()), cfg.embeddedSharedBuffersMb())
        .compose(pg -> connect(vertx, PgConnectOptions.fromUri(pg.url("postgres")), cfg.poolSize(), pg,
                "embedded PostgreSQL in " + dir.getAbsolutePath() + " on 127.0.0.1:" + pg.port())
            .recover(e -> pg.stop(vertx).transform(ar -> Future.failedFuture(e))))
        .map(db -> db.supervise(vertx, cfg));
  }

  private Database supervise(Vertx vertx, StoreConfig cfg) {
    supervisor = new DatabaseSupervisor(vertx, cfg, options, embedded);
    supervisor.start();
    return this;
  }

  /** Connects to {@code options} (a test can set a schema through {@code search_path}). */
  public static Future<Database> connect(Vertx vertx, PgConnectOptions options, int poolSize, EmbeddedDatabase embedded,
      String where) {
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(poolSize).setMaxWaitQueueSize(poolSize * 64).setName("fanout-pg"))
        .connectingTo(tuned(options))
        .using(vertx)
        .build();
    Database db = new Database(pool, options, embedded, where);
    return pool.query("SELECT 1").execute()
        .map(v -> {
          LOG.info("database: {}", where);
          return db;
        })
        .recover(e -> pool.close().transform(ar -> Future.failedFuture(e)));
  }


  /**
   * fanout's settings for its connections, on {@code options}: one statement per connection at a
   * time (concurrent requests then use several backends, instead of queueing on one), and each
   * statement prepared once per connection and kept, so PostgreSQL parses and plans it once
   * instead of on every execution (the queue's statements are up to a few KB long).
   */
  public static PgConnectOptions tuned(PgConnectOptions options) {
    return options.setPipeliningLimit(1).setCachePreparedStatements(true).setPreparedStatementCacheSqlLimit(16_384);
  }

  /** How to connect (for a dedicated connection, such as LISTEN). */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(options);
  }

  /** The pool. */
  public Pool pool() {
    return pool;
  }

  /** Stops the supervisor, closes the pool, then stops the embedded server if there is one. */
  public Future<Void> close(Vertx vertx) {
    Future<Void> watching = supervisor == null ? Future.succeededFuture() : supervisor.stop();
    return watching.eventually(pool::close)
        .eventually(() -> embedded == null ? Future.succeededFuture() : embedded.stop(vertx));
  }

  private static String redact(String url) {
    return url.replaceAll("//([^:@/]+):[^@/]*@", "//$1:***@");
  }
}
