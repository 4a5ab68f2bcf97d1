package dev.fanout.cli;

import dev.fanout.config.FanoutConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

/** What every command does first: load the configuration, start Vert.x. */
final class Boot {
  private Boot() {}

  /** The configuration: {@code --conf FILE} if given, else {@code FANOUT_CONF}, over the defaults. */
  static JsonObject config(String confOption) {
    String file = confOption != null ? confOption : System.getenv("FANOUT_CONF");
    if (file != null && file.isBlank()) {
      file = null;
    }
    return FanoutConfig.load(file);
  }

  /** A Vert.x instance sized by {@code vertx.eventLoops}. */
  static Vertx vertx(FanoutConfig cfg) {
    VertxOptions opts = new VertxOptions().setPreferNativeTransport(true);
    if (cfg.eventLoops() > 0) {
      opts.setEventLoopPoolSize(cfg.eventLoops());
    } else {
      opts.setEventLoopPoolSize(Runtime.getRuntime().availableProcessors());
    }
    return Vertx.builder().with(opts).build();
  }
}
