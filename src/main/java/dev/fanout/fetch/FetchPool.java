package dev.fanout.fetch;

import dev.fanout.bus.HostShards;
import dev.fanout.config.FanoutConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Deploys the fetcher pool: N {@link FetcherVerticle}s sharing one {@link GlobalLimits}. */
public final class FetchPool {
  private static final String STATE = "fanout.fetch";

  private FetchPool() {}

  /**
   * The shared limits of the pool deployed last in {@code vertx} (their counters: permits, host
   * slots, captured bytes), or null before one is deployed. For stats and tests.
   */
  public static GlobalLimits limits(Vertx vertx) {
    return vertx.sharedData().<String, GlobalLimits>getLocalMap(STATE).get("limits");
  }

  /**
   * The number of host shards each fetcher instance of the pool deployed last in {@code vertx}
   * owns, by instance index (instance {@code i} of {@code n} owns the shards {@code k ≡ i mod n});
   * empty before one is deployed.
   */
  public static List<Integer> shardsPerInstance(Vertx vertx) {
    Integer n = vertx.sharedData().<String, Integer>getLocalMap(STATE + ".instances").get("instances");
    List<Integer> shards = new ArrayList<>();
    for (int i = 0; n != null && i < n; i++) {
      shards.add((HostShards.COUNT - i + n - 1) / n);
    }
    return shards;
  }

  /** The number of fetchers {@code cfg} asks for: {@code fetch.instances}, else one per event loop. */
  public static int instances(FanoutConfig cfg) {
    if (cfg.fetch().instances() > 0) {
      return cfg.fetch().instances();
    }
    return cfg.eventLoops() > 0 ? cfg.eventLoops() : Runtime.getRuntime().availableProcessors();
  }

  /** Deploys the pool with {@code config} (the whole configuration JSON); completes with its deployment id. */
  public static Future<String> deploy(Vertx vertx, JsonObject config) {
    FanoutConfig cfg = FanoutConfig.fromJson(config);
    int n = instances(cfg);
    GlobalLimits limits = new GlobalLimits(cfg.fetch().concurrency(), cfg.fetch().maxQueued(),
        cfg.fetch().captureBudget());
    vertx.sharedData().<String, GlobalLimits>getLocalMap(STATE).put("limits", limits);
    vertx.sharedData().<String, Integer>getLocalMap(STATE + ".instances").put("instances", n);
    AtomicInteger next = new AtomicInteger();
    return vertx.deployVerticle(() -> new FetcherVerticle(cfg, limits, next.getAndIncrement(), n),
        new DeploymentOptions().setInstances(n));
  }
}
