package dev.fanout.fetch;

import dev.fanout.config.FanoutConfig;
import dev.fanout.metrics.Meters;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;
import java.util.ArrayList;
import java.util.List;

/**
 * Deploys the fetcher pool: N {@link FetcherVerticle}s sharing one {@link GlobalLimits}, announced
 * to the cluster's live fetchers together; and, at run time, more fetchers on the same limits and
 * configuration ({@link #add}, the admin class {@code fetcher}).
 */
public final class FetchPool {
  private static final String STATE = "fanout.fetch";

  private FetchPool() {}

  /** The pool's configuration and limits, for fetchers added later. */
  private record Pool(FanoutConfig config, GlobalLimits limits) implements Shareable {}

  /**
   * The instances of one deployment: each arrives once its own address is consumed, and the last
   * to arrive announces them all to the {@link FetcherRegistry} (one change of the live fetchers,
   * not one per instance); each instance's start completes once the table with them all is applied.
   */
  static final class Batch {
    private final int expected;
    private final boolean handOverOnStop;
    private final List<FetcherRegistry.Member> arrived = new ArrayList<>();
    private final Promise<Void> announced = Promise.promise();
    private int count;

    Batch(int expected, boolean handOverOnStop) {
      this.expected = expected;
      this.handOverOnStop = handOverOnStop;
    }

    /** Whether its fetchers let their running fetches end when they stop (added at run time). */
    boolean handOverOnStop() {
      return handOverOnStop;
    }

    /** {@code member} is ready (null: its start failed); completes once the batch is announced. */
    Future<Void> arrive(Vertx vertx, FetcherRegistry.Member member) {
      List<FetcherRegistry.Member> all = null;
      synchronized (this) {
        if (member != null) {
          arrived.add(member);
        }
        if (++count == expected) {
          all = List.copyOf(arrived);
        }
      }
      if (all != null) {
        FetcherRegistry.of(vertx).join(all).onComplete(announced);
      }
      return announced.future();
    }
  }

  /**
   * The shared limits of the pool deployed last in {@code vertx} (their counters: permits, host
   * slots, captured bytes), or null before one is deployed. For stats and tests.
   */
  public static GlobalLimits limits(Vertx vertx) {
    Pool pool = vertx.sharedData().<String, Pool>getLocalMap(STATE).get("pool");
    return pool == null ? null : pool.limits();
  }

  /**
   * This node's fetchers, by id: {@code [{id, shards, pending}]}, the host shards each owns and how
   * many of those wait for their previous owner's release.
   */
  public static List<JsonObject> fetchers(Vertx vertx) {
    return FetcherRegistry.of(vertx).status();
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
    vertx.sharedData().<String, Pool>getLocalMap(STATE).put("pool", new Pool(cfg, limits));
    CaptureBudget capture = limits.capture();
    Meters.of(vertx).fetch().capture(capture::used, capture.capacity());
    Batch batch = new Batch(n, false);
    return vertx.deployVerticle(() -> new FetcherVerticle(cfg, limits, batch), new DeploymentOptions().setInstances(n));
  }

  /**
   * Deploys {@code n} more fetchers next to the pool of {@code vertx}, with its configuration and
   * limits; undeploying them hands their shards back. Fails when no pool is deployed.
   */
  public static Future<String> add(Vertx vertx, int n) {
    Pool pool = vertx.sharedData().<String, Pool>getLocalMap(STATE).get("pool");
    if (pool == null) {
      return Future.failedFuture("no fetcher pool runs on this node");
    }
    Batch batch = new Batch(n, true);
    return vertx.deployVerticle(() -> new FetcherVerticle(pool.config(), pool.limits(), batch),
        new DeploymentOptions().setInstances(n));
  }
}
