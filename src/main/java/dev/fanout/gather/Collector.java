package dev.fanout.gather;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A sink that keeps every result at its input position (settle: all results, in input order). */
public final class Collector implements Gather.Sink {
  private final JsonObject[] results;

  /** Room for {@code size} results. */
  public Collector(int size) {
    this.results = new JsonObject[size];
  }

  @Override
  public void accept(long index, JsonObject result) {
    results[(int) index] = result;
  }

  /** The results in input order. */
  public JsonArray results() {
    JsonArray out = new JsonArray();
    for (JsonObject r : results) {
      out.add(r);
    }
    return out;
  }
}
