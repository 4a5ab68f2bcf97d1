package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Main;
import dev.fanout.config.StoreConfig;
import dev.fanout.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server admits only fanout: its password is made at the first start (kept in
 * {@code dataDir/pg-password}, mode 0600), a connection without it or with a wrong one is refused,
 * a data directory made before passwords is upgraded at its next start, and {@code fanout migrate}
 * still connects.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedDatabasePasswordTest {
  @TempDir Path dataDir;

  private StoreConfig cfg() {
    return new StoreConfig(dataDir.toString(), "", 2, 60_000, 32);
  }

  @Test
  void a_new_data_directory_refuses_connections_without_its_password(Vertx vertx, VertxTestContext ctx) {
    Database.open(vertx, cfg())
        .compose(db -> refusals(vertx, db).eventually(() -> db.close(vertx)))
        .onComplete(ctx.succeeding(refused -> ctx.verify(() -> {
          assertThat(refused).as("connections refused of 2 without the password").isEqualTo(2);
          assertPasswordFile();
          ctx.completeNow();
        })));
  }

  @Test
  void a_data_directory_without_a_password_is_upgraded_at_start(Vertx vertx, VertxTestContext ctx) throws Exception {
    // a data directory as fanout made them before passwords: initdb's trust for every connection
    EmbeddedPostgres.builder().setDataDirectory(dataDir.resolve("pg")).setCleanDataDirectory(false).start().close();
    Database.open(vertx, cfg())
        .compose(db -> refusals(vertx, db).eventually(() -> db.close(vertx)))
        .compose(refused -> Database.open(vertx, cfg()).compose(db -> db.pool().query("SELECT 1").execute()
            .eventually(() -> db.close(vertx))).map(refused))
        .onComplete(ctx.succeeding(refused -> ctx.verify(() -> {
          assertThat(refused).as("connections refused of 2 without the password").isEqualTo(2);
          assertPasswordFile();
          ctx.completeNow();
        })));
  }

  @Test
  void migrate_connects_with_the_password() throws Exception {
    Path conf = dataDir.resolve("conf.json");
    Files.writeString(conf, new JsonObject().put("dataDir", dataDir.toString())
        .put("pg", new JsonObject().put("url", "").put("embeddedSharedBuffersMb", 32)).encode());
    assertThat(Main.run(new String[] {"migrate", "--conf", conf.toString()})).isZero();
    assertPasswordFile();
    // again, on the existing password
    assertThat(Main.run(new String[] {"migrate", "--conf", conf.toString()})).isZero();
  }

  /** Connects to {@code db}'s server without a password, then with a wrong one; counts the refusals. */
  private static Future<Integer> refusals(Vertx vertx, Database db) {
    PgConnectOptions bare = new PgConnectOptions().setHost("127.0.0.1").setPort(db.connectOptions().getPort())
        .setUser("postgres").setDatabase("postgres");
    return refused(vertx, new PgConnectOptions(bare).setPassword(""))
        .compose(a -> refused(vertx, new PgConnectOptions(bare).setPassword("postgres")).map(b -> a + b));
  }

  private static Future<Integer> refused(Vertx vertx, PgConnectOptions options) {
    return PgConnection.connect(vertx, options).transform(ar -> {
      if (ar.succeeded()) {
        return ar.result().close().map(0);
      }
      return Future.succeededFuture(ar.cause().getMessage().contains("password") ? 1 : 0);
    });
  }

  private void assertPasswordFile() throws Exception {
    Path file = dataDir.resolve("pg-password");
    assertThat(file).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.readString(file).trim()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(Files.readString(dataDir.resolve("pg").resolve("pg_hba.conf")))
        .doesNotContainPattern("(?m)^[^#]*\\btrust\\b");
  }
}
