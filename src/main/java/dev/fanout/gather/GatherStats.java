package dev.fanout.gather;

import dev.fanout.bus.FetchResult;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a gather did: how many results, how many ok and failed (by error kind), and how long.
 *
 * @param count results delivered
 * @param ok results with {@code ok:true}
 * @param failed results with {@code ok:false}
 * @param failedByKind failed results by error kind
 * @param elapsedMs from start to the last result
 */
public record GatherStats(long count, long ok, long failed, Map<String, Long> failedByKind, long elapsedMs) {

  /** As JSON: {@code {count, ok, failed, failedByKind, elapsedMs}}. */
  public JsonObject toJson() {
    JsonObject kinds = new JsonObject();
    failedByKind.forEach(kinds::put);
    return new JsonObject().put("count", count).put("ok", ok).put("failed", failed)
        .put("failedByKind", kinds).put("elapsedMs", elapsedMs);
  }


  /** A running count, updated on one event loop. */
  static final class Counter {
    private long count;
    private long ok;
    private final Map<String, Long> failed = new TreeMap<>();
    private long startNanos;

    void start() {
      startNanos = System.nanoTime();
    }

    /** Counts a result: a {@link FetchResult}, or its JSON. */
    void add(Object result) {
      count++;
      if (result instanceof FetchResult r) {
        if (r.ok()) {
          ok++;
        } else {
          failed.merge(r.error() == null ? "unknown" : r.error().kind().wire(), 1L, Long::sum);
        }
      } else if (((JsonObject) result).getBoolean("ok", false)) {
        ok++;
      } else {
        JsonObject err = ((JsonObject) result).getJsonObject("error");
        failed.merge(err == null ? "unknown" : err.getString("kind", "unknown"), 1L, Long::sum);
      }
    }

    GatherStats snapshot() {
      return new GatherStats(count, ok, count - ok, Map.copyOf(failed), (System.nanoTime() - startNanos) / 1_000_000);
    }
  }
}
