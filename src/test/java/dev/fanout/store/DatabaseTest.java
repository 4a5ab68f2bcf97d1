package dev.fanout.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.StoreConfig;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server: started in the data directory with the configured settings, and its data
 * kept across a restart.
 */
@ExtendWith(VertxExtension.class)
class DatabaseTest {
  @TempDir Path dataDir;

  @Test
  void embedded_database_keeps_its_data_across_a_restart(Vertx vertx, VertxTestContext ctx) {
    StoreConfig cfg = new StoreConfig(dataDir.toString(), "", 2, 60_000, 48);
    Database.open(vertx, cfg)
        .compose(db -> db.pool().query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')").execute()
            .compose(v -> db.close(vertx)))
        .compose(v -> Database.open(vertx, cfg))
        .compose(db -> db.pool().query("SELECT v, current_setting('shared_buffers') FROM kept").execute()
            .map(rows -> rows.iterator().next().getString(0) + " " + rows.iterator().next().getString(1))
            .eventually(() -> db.close(vertx)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(v).isEqualTo("still here 48MB");
          assertThat(dataDir.resolve("pg").resolve("PG_VERSION")).exists();
          ctx.completeNow();
        })));
  }
}
