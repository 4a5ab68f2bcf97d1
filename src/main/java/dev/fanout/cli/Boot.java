package dev.fanout.cli;

import dev.fanout.cluster.ClusterNode;
import dev.fanout.cluster.Membership;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.MetricsConfig;
import dev.fanout.metrics.Meters;
import dev.fanout.metrics.VertxMeters;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every command does first: load the configuration, start Vert.x. */
final class Boot {
  private static final Logger LOG = LoggerFactory.getLogger(Boot.class);

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
  static BufferedReader open(String file, InputStream stdin) throws IOException {
    if (file.equals("-")) {
      return new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
    }
    Path p = Path.of(file);
    if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
      throw new InputFailure("cannot read " + file + ": " + (Files.exists(p) ? "not a readable file" : "no such file"));
    }
    return Files.newBufferedReader(p, StandardCharsets.UTF_8);
  }

  /**
   * A Vert.x instance sized by {@code vertx.eventLoops}, for a command that serves nothing: no
   * {@code /metrics} reads its meters, so fanout's parts record into no-op ones (a fetch would
   * otherwise time itself into two histograms that nobody sees).
   */
  static Vertx vertx(FanoutConfig cfg) {
    Vertx vertx = Vertx.builder().with(options(cfg)).build();
    MetricsConfig m = cfg.metrics();
    Meters.configure(vertx, new MetricsConfig(false, m.queueRefreshMs(), m.maxKinds()));
    return vertx;
  }

  /**
   * For {@code serve}: a clustered Vert.x when {@code cluster.enabled} (blocks the calling thread,
   * never an event loop, until this node has joined), else {@link #vertx(FanoutConfig)}; either
   * with Vert.x's meters when {@code metrics.enabled}.
   */
  static Vertx serving(FanoutConfig cfg) {
    if (!cfg.cluster().enabled()) {
      VertxMeters meters = new VertxMeters(cfg.metrics()); // Vert.x's own meters at /metrics
      return meters.attach(meters.builder(options(cfg)).build());
    }
    Vertx vertx = ClusterNode.start(options(cfg), cfg.cluster(), cfg.metrics()).await();
    LOG.info("joined the cluster {} as node {}: {} node(s)", cfg.cluster().name(), Membership.nodeId(vertx),
        Membership.nodes(vertx).size());
    return vertx;
  }

  private static VertxOptions options(FanoutConfig cfg) {
    VertxOptions opts = new VertxOptions().setPreferNativeTransport(true);
    if (cfg.eventLoops() > 0) {
      opts.setEventLoopPoolSize(cfg.eventLoops());
    } else {
      opts.setEventLoopPoolSize(Runtime.getRuntime().availableProcessors());
    }
    return opts;
  }
}
