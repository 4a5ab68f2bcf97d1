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

  /**
   * The command's input: stdin for "-", else the file, or a usage error (exit 2) naming it.
   */
  static java.io.BufferedReader open(picocli.CommandLine.Model.CommandSpec spec, String file, java.io.InputStream stdin)
      throws java.io.IOException {
    if (file.equals("-")) {
      return new java.io.BufferedReader(new java.io.InputStreamReader(stdin, java.nio.charset.StandardCharsets.UTF_8));
    }
    java.nio.file.Path p = java.nio.file.Path.of(file);
    if (!java.nio.file.Files.isRegularFile(p) || !java.nio.file.Files.isReadable(p)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": no such readable file");
    }
    return java.nio.file.Files.newBufferedReader(p, java.nio.charset.StandardCharsets.UTF_8);
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
