package dev.fanout;

import dev.fanout.bridge.BridgeVerticle;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.HostShards;
import dev.fanout.config.FanoutConfig;
import dev.fanout.fetch.FetchPool;
import dev.fanout.gather.GatherVerticle;
import dev.fanout.queue.BuiltInHandlersVerticle;
import dev.fanout.queue.JobsVerticle;
import dev.fanout.queue.Migrations;
import dev.fanout.queue.QueueWorkerVerticle;
import dev.fanout.store.Database;
import dev.fanout.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: reads the configuration, opens the database (starting the embedded one when no
 * {@code pg.url} is set) and migrates it, deploys the fetcher pool, the gather verticle, the jobs
 * API, the built-in job handlers, the queue worker and (when {@code bridge.port > 0}) the TCP
 * event-bus bridge, then the web verticles, and marks itself ready. Nothing else.
 * {@link #drain(Vertx)} stops them in order on shutdown: the web first, so in-flight requests
 * finish while the fetchers still run, then the queue worker before the job handlers and the
 * fetchers its running jobs use.
 */
public final class FanoutVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FanoutVerticle.class);
  private static final String STATE = "fanout.deployments";

  private Database db;

  @Override
  public Future<?> start() {
    FanoutConfig cfg = FanoutConfig.fromJson(config());
    int fetchers = FetchPool.instances(cfg);
    int web = cfg.http().instances() > 0 ? cfg.http().instances() : fetchers;
    BusFailure.register(vertx); // every node: a failure's field crosses a clustered hop
    return Database.open(vertx, cfg.store())
        .compose(d -> {
          db = d;
          return Migrations.apply(d.pool());
        })
        .compose(applied -> FetchPool.deploy(vertx, config())).onSuccess(remember("fetchers"))
        .compose(id -> vertx.deployVerticle(GatherVerticle.class, new DeploymentOptions().setConfig(config())))
        .onSuccess(remember("gather"))
        .compose(id -> vertx.deployVerticle(new JobsVerticle(db.pool()), new DeploymentOptions().setConfig(config())))
        .onSuccess(remember("jobs"))
        .compose(id -> vertx.deployVerticle(new BuiltInHandlersVerticle(), new DeploymentOptions().setConfig(config())))
        .onSuccess(remember("handlers"))
        .compose(id -> vertx.deployVerticle(new QueueWorkerVerticle(db.connectOptions(), cfg.store().poolSize()),
            new DeploymentOptions().setConfig(config())))
        .onSuccess(remember("worker"))
        .compose(id -> cfg.bridge().enabled()
            ? BridgeVerticle.deploy(vertx, config()).onSuccess(remember("bridge")) : Future.succeededFuture())
        .compose(id -> vertx.deployVerticle(WebVerticle.class,
            new DeploymentOptions().setInstances(web).setConfig(config())))
        .onSuccess(webId -> {
          vertx.sharedData().getLocalMap(STATE).put("web", webId);
          WebVerticle.ready(vertx, true);
          LOG.info("fanout {} serving on http://{}:{} (web x{}); fetchers x{} over {} shards, concurrency {}, "
                  + "per host {}, queue {}, body cap {} bytes, native transport {}",
              Version.get(), cfg.http().host(), WebVerticle.boundPort(vertx), web, fetchers, HostShards.COUNT,
              cfg.fetch().concurrency(), cfg.fetch().perHost(), cfg.fetch().maxQueued(), cfg.fetch().maxBytes(),
              vertx.isNativeTransportEnabled());
        });
  }

  /** Notes a child's deployment id for {@link #drain(Vertx)}. */
  private Handler<String> remember(String part) {
    return id -> vertx.sharedData().getLocalMap(STATE).put(part, id);
  }

  @Override
  public Future<?> stop() {
    // children (web, gather, fetchers) are undeployed before this runs, all at once unless
    // drain(vertx) stopped them in order first
    return db == null ? Future.succeededFuture() : db.close(vertx);
  }

  /**
   * Marks the service not ready and undeploys the web verticles: they stop accepting and give
   * in-flight requests {@code http.shutdownGraceMs} to finish. Completes when they are gone.
   */
  public static Future<Void> drainWeb(Vertx vertx) {
    WebVerticle.ready(vertx, false);
    Object webId = vertx.sharedData().getLocalMap(STATE).remove("web");
    return webId == null ? Future.succeededFuture() : vertx.undeploy((String) webId);
  }

  /**
   * The graceful stop, before {@code vertx.close()}: stops the service's parts one after another,
   * each once the one before is gone, as Vert.x would undeploy them all at once. The web first
   * ({@link #drainWeb(Vertx)}), then the queue worker (no new claims; running jobs get
   * {@code queue.drainMs}, then those still running are released), the bridge if on, then the job handlers (the
   * worker no longer waits for them), the jobs API and gather, and the fetchers last, so a fetch
   * job still running while the worker drains finishes and is recorded instead of being cut off.
   */
  public static Future<Void> drain(Vertx vertx) {
    Future<Void> stopped = drainWeb(vertx).recover(e -> {
      LOG.warn("stopping the web failed: {}", e.getMessage());
      return Future.succeededFuture();
    });
    for (String part : new String[] {"worker", "bridge", "handlers", "jobs", "gather", "fetchers"}) {
      stopped = stopped.compose(v -> undeploy(vertx, part));
    }
    return stopped;
  }

  private static Future<Void> undeploy(Vertx vertx, String part) {
    Object id = vertx.sharedData().getLocalMap(STATE).remove(part);
    if (id == null) {
      return Future.succeededFuture();
    }
    return vertx.undeploy((String) id).recover(e -> {
      LOG.warn("stopping the {} failed: {}", part, e.getMessage());
      return Future.succeededFuture();
    });
  }
}
