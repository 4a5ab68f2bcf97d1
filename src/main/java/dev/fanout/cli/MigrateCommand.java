package dev.fanout.cli;

import dev.fanout.config.FanoutConfig;
import dev.fanout.queue.Migrations;
import dev.fanout.store.Database;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fanout migrate}: applies the database migrations and exits (serve does it too, at start). */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply the database migrations (to pg.url, or the embedded database in dataDir) and exit.")
public final class MigrateCommand implements Callable<Integer> {
  @Option(names = "--conf", paramLabel = "FILE|JSON",
      description = "Configuration over the built-in defaults: a file, or inline JSON starting with '{' "
          + "(default: $FANOUT_CONF).")
  String conf;

  @Override
  public Integer call() {
    FanoutConfig cfg = FanoutConfig.fromJson(Boot.config(conf));
    Vertx vertx = Boot.vertx(cfg);
    try {
      Database db = Database.open(vertx, cfg.store()).await();
      try {
        int applied = Migrations.apply(db.pool()).await();
        System.err.println("fanout: schema at version " + Migrations.latest() + " (" + applied + " applied)");
      } finally {
        db.close(vertx).await();
      }
      return 0;
    } catch (RuntimeException e) {
      System.err.println("fanout: migrate failed: " + e.getMessage());
      return 1;
    } finally {
      vertx.close().await();
    }
  }
}
