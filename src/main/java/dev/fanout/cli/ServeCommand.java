package dev.fanout.cli;

import dev.fanout.FanoutVerticle;
import dev.fanout.cluster.ClusterNode;
import dev.fanout.config.ConfigException;
import dev.fanout.config.DeploySpec;
import dev.fanout.config.FanoutConfig;
import dev.fanout.deploy.DeployFailure;
import dev.fanout.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code fanout serve}: runs the service until SIGTERM or SIGINT, then stops gracefully; with
 * {@code --cluster}, as a node of a cluster. Exit codes: 0 stopped, 1 failed (or could not join
 * the cluster), 2 bad usage or configuration (a cluster without {@code pg.url} too), or a user
 * verticle that is missing or fails to start (then nothing is left running).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Start fanout: the fetcher pool and the HTTP API (the default command).")
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
  private static final long STOP_GRACE_S = 30;
  static final String REFUSAL = "not set, and a cluster needs one database shared by every node: point every "
      + "node at one PostgreSQL server (FANOUT_PG_URL=postgresql://user:password@host:5432/db, or pg.url in the "
      + "--conf file). To try a cluster on one machine with nothing installed, start one node with "
      + "FANOUT_CLUSTER_EMBEDDED_DATABASE=true and point the others at its embedded server: see the section "
      + "\"A cluster\" of docs/operations.md";

  @Spec CommandSpec spec;

  @Option(names = "--conf", paramLabel = "FILE|JSON",
      description = "Configuration over the built-in defaults: a file, or inline JSON (a value starting with '{')"
          + " (default: $FANOUT_CONF).")
  String conf;

  @Option(names = "--deploy", paramLabel = "CLASS[:INSTANCES]",
      description = "Deploy a verticle of yours (from the plugins directory or the class path) after fanout's own,"
          + " after those of the config's deploy list; repeatable.")
  List<String> deploy = new ArrayList<>();

  @Option(names = "--instances", paramLabel = "N",
      description = "Instances of each --deploy CLASS that gives no :INSTANCES (default 1). fanout itself runs"
          + " once per process: size it with http.instances and fetch.instances.")
  Integer instances;

  @Option(names = "--cluster",
      description = "Join a cluster (sets cluster.enabled; members from cluster.members, $FANOUT_CLUSTER_MEMBERS);"
          + " every node needs pg.url pointing at one shared PostgreSQL.")
  boolean cluster;

  @Override
  public Integer call() throws InterruptedException {
    JsonObject json = withCluster(withDeploys(Boot.config(conf)));
    FanoutConfig cfg = FanoutConfig.fromJson(json);
    Vertx vertx;
    try {
      vertx = Boot.serving(cfg);
    } catch (RuntimeException e) {
      LOG.error("fanout could not join the cluster {}: {}", cfg.cluster().name(), e.toString());
      return 1;
    }
    try {
      vertx.deployVerticle(new FanoutVerticle(), new DeploymentOptions().setConfig(json)).await();
    } catch (RuntimeException e) {
      LOG.error("fanout failed to start: {}", e.getMessage());
      ClusterNode.close(vertx).await();
      // what was started is stopped again (FanoutVerticle); a user verticle or a plugin jar that
      // cannot be used is the operator's to fix, as a bad configuration is
      return e instanceof DeployFailure || e instanceof ConfigException ? 2 : 1;
    }
    // SIGTERM and SIGINT stop gracefully and exit 0: web first (in-flight requests finish within
    // http.shutdownGraceMs), then the user's verticles, the queue worker (running jobs get
    // queue.drainMs), the job handlers, and the fetchers last; then everything else.
    ServingFile.write(cfg, WebVerticle.boundPort(vertx));
    CountDownLatch signalled = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> signalled.countDown());
    }
    signalled.await();
    LOG.info("stopping");
    ServingFile.remove(cfg);
    try {
      // Two awaits: a future chained after close would complete on an event loop that is gone.
      FanoutVerticle.drain(vertx).await(cfg.http().shutdownGraceMs() + cfg.queue().drainMs() + STOP_GRACE_S * 1000,
          TimeUnit.MILLISECONDS);
      ClusterNode.close(vertx).await(STOP_GRACE_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("stop did not finish in time: {}", e.toString());
      return 1;
    }
    LOG.info("stopped");
    return 0;
  }

  /**
   * The configuration with {@code --cluster} applied. A clustered node without {@code pg.url} is
   * refused before anything starts (exit 2): the nodes share their jobs through one database, and
   * each one's own embedded server would make islands again. {@code cluster.embeddedDatabase}
   * allows it knowingly, for the node whose embedded server the others of a trial cluster use.
   */
  private JsonObject withCluster(JsonObject json) {
    if (cluster) {
      json.getJsonObject("cluster").put("enabled", true);
    }
    FanoutConfig cfg = FanoutConfig.fromJson(json);
    if (cfg.cluster().enabled() && cfg.store().embedded() && !cfg.cluster().embeddedDatabase()) {
      throw new ConfigException("pg.url", REFUSAL);
    }
    return json;
  }

  /**
   * The configuration with the {@code --deploy} verticles after the configured ones, as one
   * {@code deploy} list. {@code --instances} without {@code --deploy} is refused: the Vert.x
   * launcher's meaning (instances of the main verticle) does not apply to fanout, which runs once.
   */
  private JsonObject withDeploys(JsonObject json) {
    if (instances != null && deploy.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--instances sets the instances of --deploy CLASS; fanout "
          + "itself runs once per process: size it with http.instances and fetch.instances (FANOUT_HTTP_INSTANCES, "
          + "FANOUT_FETCH_INSTANCES), see docs/configuration.md");
    }
    List<DeploySpec> extra = new ArrayList<>();
    for (String arg : deploy) {
      extra.add(DeploySpec.parse(arg, "--deploy", instances == null ? 1 : instances,
          (field, problem) -> new ParameterException(spec.commandLine(), "--deploy " + arg + ": " + problem)));
    }
    List<DeploySpec> all = FanoutConfig.fromJson(json).plugins().plus(extra).deploy();
    return json.copy().put("deploy", new JsonArray(all.stream().map(DeploySpec::toJson).toList()));
  }
}
