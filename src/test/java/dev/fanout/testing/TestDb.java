package dev.fanout.testing;

import dev.fanout.queue.Migrations;
import dev.fanout.store.Database;
import dev.fanout.store.EmbeddedDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The tests' PostgreSQL: the server at {@code FANOUT_TEST_PG_URL} when set, else one embedded
 * server per test JVM (started on first use, stopped at exit). Each caller gets a fresh schema.
 */
public final class TestDb {
  private static String baseUrl;

  private TestDb() {}

  /** The URL of the tests' server (starting the embedded one on first use; call off the event loop). */
  public static synchronized String url() {
    if (baseUrl == null) {
      String external = System.getenv("FANOUT_TEST_PG_URL");
      if (external != null && !external.isBlank()) {
        baseUrl = external;
      } else {
        try {
          EmbeddedDatabase pg = EmbeddedDatabase.startBlocking(
              Files.createTempDirectory("fanout-test").resolve("pg").toFile(), Duration.ofSeconds(60), false, 128);
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
              pg.stopBlocking();
            } catch (IOException ignored) {
              // the JVM is exiting; the temp directory goes with the machine
            }
          }));
          baseUrl = pg.url("postgres");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return baseUrl;
  }

  /** Creates a new, empty schema; completes with its name. */
  public static Future<String> freshSchema(Vertx vertx) {
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    Pool admin = PgBuilder.pool().connectingTo(PgConnectOptions.fromUri(url())).using(vertx).build();
    return admin.query("CREATE SCHEMA " + schema).execute().eventually(admin::close).map(schema);
  }

  /** Options for connections that work in {@code schema}. */
  public static PgConnectOptions options(String schema) {
    return Database.tuned(PgConnectOptions.fromUri(url()).setProperties(Map.of("search_path", schema)));
  }

  /** A pool on a fresh, migrated schema (starting the tests' server on first use). */
  public static Future<Pool> freshPool(Vertx vertx, int size) {
    return vertx.executeBlocking(TestDb::url).compose(u -> freshSchema(vertx)).compose(schema -> {
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(size))
          .connectingTo(options(schema)).using(vertx).build();
      return Migrations.apply(pool).map(pool);
    });
  }

  /** A {@code pg.url} that works in {@code schema}. */
  public static String url(String schema) {
    return url() + "?search_path=" + schema;
  }
}
