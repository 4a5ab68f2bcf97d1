package dev.fanout.testing;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.FetchResult;
import dev.fanout.bus.FetchSpec;
import dev.fanout.config.FanoutConfig;
import dev.fanout.fetch.FetchPool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Test support: configuration with overrides, a deployed fetcher pool, fetches over the bus. */
public final class Fetchers {
  private Fetchers() {}

  /**
   * The default configuration with {@code overrides} merged in, deeply; egress allows only
   * 127.0.0.1/32 unless the overrides say otherwise.
   */
  public static JsonObject config(JsonObject overrides) {
    JsonObject base = FanoutConfig.defaults();
    base.getJsonObject("egress").put("allow", new JsonArray().add("127.0.0.1/32"));
    return base.mergeIn(overrides, true);
  }

  /** {@code {"fetch": {k: v, ...}}} from alternating keys and values. */
  public static JsonObject fetch(Object... kv) {
    JsonObject f = new JsonObject();
    for (int i = 0; i < kv.length; i += 2) {
      f.put((String) kv[i], kv[i + 1]);
    }
    return new JsonObject().put("fetch", f);
  }

  /** The per-fetch defaults of {@link #config(JsonObject)}: what specs of a gather are resolved over. */
  public static FetchSpec.Options defaults(JsonObject overrides) {
    return FanoutConfig.fromJson(config(overrides)).fetch().defaults();
  }

  /** Deploys a fetcher pool with {@link #config(JsonObject)}. */
  public static Future<String> deploy(Vertx vertx, JsonObject overrides) {
    return FetchPool.deploy(vertx, config(overrides));
  }

  /** Sends one spec to {@code fanout.fetch}. */
  public static Future<FetchResult> fetch(Vertx vertx, JsonObject spec) {
    return vertx.eventBus().<JsonObject>request(Addresses.FETCH, spec, new DeliveryOptions().setSendTimeout(120_000))
        .map(m -> FetchResult.fromJson(m.body()));
  }

  /** Sends a GET of {@code url}. */
  public static Future<FetchResult> get(Vertx vertx, String url) {
    return fetch(vertx, new JsonObject().put("url", url));
  }

  /** Sends every spec at once; completes with all results in order. */
  public static Future<List<FetchResult>> all(Vertx vertx, List<JsonObject> specs) {
    List<Future<FetchResult>> fs = new ArrayList<>();
    specs.forEach(s -> fs.add(fetch(vertx, s)));
    return Future.all(fs).map(cf -> {
      List<FetchResult> out = new ArrayList<>();
      for (int i = 0; i < fs.size(); i++) {
        out.add(cf.resultAt(i));
      }
      return out;
    });
  }
}
