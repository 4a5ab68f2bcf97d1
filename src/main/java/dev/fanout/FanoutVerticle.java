package dev.fanout;

import dev.fanout.bridge.BridgeVerticle;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.HostShards;
import dev.fanout.cluster.ClusterStatusVerticle;
import dev.fanout.config.DeploySpec;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.PluginsConfig;
import dev.fanout.deploy.AdminVerticle;
import dev.fanout.deploy.Deployer;
import dev.fanout.deploy.Deployments;
import dev.fanout.deploy.Plugins;
import dev.fanout.metrics.Meters;
import dev.fanout.fetch.FetchPool;
import dev.fanout.fetch.FetcherVerticle;
import dev.fanout.gather.GatherVerticle;
import dev.fanout.queue.BuiltInHandlersVerticle;
import dev.fanout.queue.JobsVerticle;
import dev.fanout.queue.Migrations;
import dev.fanout.queue.QueueWorkerVerticle;
import dev.fanout.store.Database;
import dev.fanout.web.OpenBind;
import dev.fanout.web.WebVerticle;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: reads the configuration, opens the plugins directory ({@link Plugins}) and the
 * database (starting the embedded one when no {@code pg.url} is set) and migrates it, deploys the
 * fetcher pool, the gather verticle, the jobs API, the built-in job handlers, the cluster status
 * verticle ({@code fanout.cluster.status}, clustered or not), the queue worker, the
 * TCP event-bus bridge (when {@code bridge.port > 0}), the admin verticle (with {@code
 * admin.enabled}), then the web verticles, then the user's verticles ({@code deploy}, in order),
 * and marks itself ready. Nothing else. A start that fails part-way (a user verticle that is
 * missing or does not start) undeploys what it deployed and closes the database. {@link
 * #drain(Vertx)} stops them in order on shutdown: the web first, so in-flight requests finish while
 * the fetchers still run, then the user's verticles, then the queue worker before the job handlers
 * and the fetchers its running jobs use.
 */
public final class FanoutVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FanoutVerticle.class);
  /** fanout's own parts, in the order {@link #drain(Vertx)} stops them after the web and the user's verticles. */
  private static final String[] STOP_ORDER =
      {"admin", "cluster", "worker", "bridge", "handlers", "jobs", "gather", "fetchers"};
  private static final String STATE = "fanout.deployments";

  private Database db;
  private Plugins plugins;

  @Override
  public Future<?> start() {
    FanoutConfig cfg = FanoutConfig.fromJson(config());
    Meters.configure(vertx, cfg.metrics()); // before any part records (a no-op when set at boot)
    OpenBind.check(cfg); // before anything starts: an open API is refused unless meant
    int fetchers = FetchPool.instances(cfg);
    int web = cfg.http().instances() > 0 ? cfg.http().instances() : fetchers;
    BusFailure.register(vertx); // every node: a failure's field crosses a clustered hop
    return vertx.executeBlocking(() -> Plugins.open(Path.of(cfg.plugins().dir())))
        .compose(p -> {
          plugins = p;
          return Database.open(vertx, cfg.store());
        })
        .compose(d -> {
          db = d;
          return Migrations.apply(d.pool());
        })
        .compose(applied -> FetchPool.deploy(vertx, config()))
        .onSuccess(remember("fetchers", FetcherVerticle.class, fetchers))
        .compose(id -> deploy(GatherVerticle.class, "gather", 1))
        .compose(id -> deploy(new JobsVerticle(db.pool()), "jobs"))
        .compose(id -> deploy(new BuiltInHandlersVerticle(), "handlers"))
        .compose(id -> deploy(ClusterStatusVerticle.class, "cluster", 1))
        .compose(id -> deploy(new QueueWorkerVerticle(db.connectOptions(), cfg.store().poolSize()), "worker"))
        .compose(id -> cfg.bridge().enabled() ? deploy(new BridgeVerticle(), "bridge") : Future.succeededFuture())
        .compose(id -> cfg.admin().enabled() ? deploy(new AdminVerticle(new Deployer(vertx, plugins)), "admin")
            : Future.succeededFuture())
        .compose(id -> deploy(WebVerticle.class, "web", web))
        .compose(id -> deployUsers(cfg.plugins()))
        .onSuccess(v -> {
          WebVerticle.ready(vertx, true);
          LOG.info("fanout {} serving on http://{}:{} (web x{}); fetchers x{} over {} shards, concurrency {}, "
                  + "per host {}, queue {}, body cap {} bytes, native transport {}",
              Version.get(), cfg.http().host(), WebVerticle.boundPort(vertx), web, fetchers, HostShards.COUNT,
              cfg.fetch().concurrency(), cfg.fetch().perHost(), cfg.fetch().maxQueued(), cfg.fetch().maxBytes(),
              vertx.isNativeTransportEnabled());
        })
        .recover(this::abandon);
  }

  private Future<String> deploy(Class<? extends Deployable> cls, String part, int instances) {
    return vertx.deployVerticle(cls, new DeploymentOptions().setInstances(instances).setConfig(config()))
        .onSuccess(remember(part, cls, instances));
  }

  private Future<String> deploy(Deployable verticle, String part) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config()))
        .onSuccess(remember(part, verticle.getClass(), 1));
  }

  /** The user's verticles, one after another in the configured order, after fanout's own. */
  private Future<Void> deployUsers(PluginsConfig cfg) {
    Deployer deployer = new Deployer(vertx, plugins);
    Future<Void> done = Future.succeededFuture();
    for (DeploySpec spec : cfg.deploy()) {
      done = done.compose(v -> deployer.deploy(spec)).mapEmpty();
    }
    return done;
  }

  /**
   * A start that failed part-way leaves nothing running: what was deployed is undeployed (in
   * the graceful order) and the database closed, so the process can exit cleanly.
   */
  private Future<Void> abandon(Throwable cause) {
    return drain(vertx)
        .eventually(this::close)
        .transform(ar -> Future.failedFuture(cause));
  }

  /** Notes a child's deployment id for {@link #drain(Vertx)} and the admin list. */
  private Handler<String> remember(String part, Class<?> cls, int instances) {
    return id -> {
      vertx.sharedData().getLocalMap(STATE).put(part, id);
      Deployments.add(vertx, id, part, cls.getName(), instances, Deployments.FANOUT);
    };
  }

  @Override
  public Future<?> stop() {
    // children (web, gather, fetchers, user verticles) are undeployed before this runs, all at
    // once unless drain(vertx) stopped them in order first
    return close();
  }

  private Future<Void> close() {
    Deployments.clear(vertx);
    Future<Void> closed = db == null ? Future.succeededFuture() : db.close(vertx);
    db = null;
    return closed.eventually(() -> {
      if (plugins != null) {
        plugins.close();
        plugins = null;
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Marks the service not ready and undeploys the web verticles: they stop accepting and give
   * in-flight requests {@code http.shutdownGraceMs} to finish. Completes when they are gone.
   */
  public static Future<Void> drainWeb(Vertx vertx) {
    WebVerticle.ready(vertx, false);
    Object webId = vertx.sharedData().getLocalMap(STATE).remove("web");
    if (webId == null) {
      return Future.succeededFuture();
    }
    Deployments.remove(vertx, (String) webId);
    return vertx.undeploy((String) webId);
  }

  /**
   * The graceful stop, before {@code vertx.close()}: stops the service's parts one after another,
   * each once the one before is gone, as Vert.x would undeploy them all at once. The web first
   * ({@link #drainWeb(Vertx)}), then the user's verticles, newest first (their job handlers drain
   * while the fetchers they may use still run), the admin verticle, then the queue worker (no new
   * claims; running jobs get {@code queue.drainMs}, then those still running are released), the
   * bridge if on, then the job handlers (the worker no longer waits for them), the jobs API and
   * gather, and the fetchers last, so a fetch job still running while the worker drains finishes
   * and is recorded instead of being cut off.
   */
  public static Future<Void> drain(Vertx vertx) {
    Future<Void> stopped = drainWeb(vertx).recover(e -> {
      LOG.warn("stopping the web failed: {}", e.getMessage());
      return Future.succeededFuture();
    });
    for (String id : Deployments.userIdsNewestFirst(vertx)) {
      stopped = stopped.compose(v -> undeployUser(vertx, id));
    }
    for (String part : STOP_ORDER) {
      stopped = stopped.compose(v -> undeploy(vertx, part));
    }
    return stopped;
  }

  private static Future<Void> undeployUser(Vertx vertx, String id) {
    JsonObject d = Deployments.remove(vertx, id);
    return vertx.undeploy(id).recover(e -> {
      LOG.warn("stopping {} failed: {}", d == null ? id : d.getString("class"), e.getMessage());
      return Future.succeededFuture();
    });
  }

  private static Future<Void> undeploy(Vertx vertx, String part) {
    Object id = vertx.sharedData().getLocalMap(STATE).remove(part);
    if (id == null) {
      return Future.succeededFuture();
    }
    Deployments.remove(vertx, (String) id);
    return vertx.undeploy((String) id).recover(e -> {
      LOG.warn("stopping the {} failed: {}", part, e.getMessage());
      return Future.succeededFuture();
    });
  }
}
