package dev.fanout.cli;

import dev.fanout.FanoutVerticle;
import dev.fanout.config.FanoutConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code fanout serve}: runs the service until SIGTERM or SIGINT, then stops gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Start fanout: the fetcher pool and the HTTP API (the default command).")
public final class ServeCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
  private static final long STOP_GRACE_S = 30;

  @Option(names = "--conf", paramLabel = "FILE",
      description = "Configuration file over the built-in defaults (default: $FANOUT_CONF).")
  String conf;

  @Override
  public Integer call() throws InterruptedException {
    JsonObject json = Boot.config(conf);
    FanoutConfig cfg = FanoutConfig.fromJson(json);
    Vertx vertx = Boot.vertx(cfg);
    try {
      vertx.deployVerticle(new FanoutVerticle(), new DeploymentOptions().setConfig(json)).await();
    } catch (RuntimeException e) {
      LOG.error("fanout failed to start: {}", e.getMessage());
      vertx.close().await();
      return 1;
    }
    // SIGTERM and SIGINT stop gracefully and exit 0: web first (in-flight requests finish within
    // http.shutdownGraceMs), then the queue worker (running jobs get queue.drainMs), then the job
    // handlers, and the fetchers last; then everything else.
    CountDownLatch signalled = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> signalled.countDown());
    }
    signalled.await();
    LOG.info("stopping");
    try {
      // Two awaits: a future chained after close would complete on an event loop that is gone.
      FanoutVerticle.drain(vertx).await(cfg.http().shutdownGraceMs() + cfg.queue().drainMs() + STOP_GRACE_S * 1000,
          TimeUnit.MILLISECONDS);
      vertx.close().await(STOP_GRACE_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("stop did not finish in time: {}", e.toString());
      return 1;
    }
    LOG.info("stopped");
    return 0;
  }
}
