package dev.fanout.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The configuration of the fanout service running in this Vert.x instance, for code beside it
 * (the typed clients of {@code dev.fanout.api}) that must apply the same limits and defaults as
 * the service: a spec's default deadline, a gather's limits. Where no service runs (a client on
 * another cluster node, a test of its own), the bundled defaults stand in.
 */
public final class RunningConfig {
  private static final String MAP = "fanout.config";
  private static final String KEY = "config";

  private RunningConfig() {}

  /** Records {@code json} (the merged configuration the service started with) for {@link #of(Vertx)}. */
  public static void publish(Vertx vertx, JsonObject json) {
    vertx.sharedData().getLocalMap(MAP).put(KEY, json);
  }

  /** The published configuration, or the bundled defaults when no service published one. */
  public static FanoutConfig of(Vertx vertx) {
    Object json = vertx.sharedData().getLocalMap(MAP).get(KEY);
    return FanoutConfig.fromJson(json instanceof JsonObject o ? o : FanoutConfig.defaults());
  }
}
