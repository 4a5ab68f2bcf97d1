package dev.fanout.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The answer to a gather: every result in input order, and the gather's stats. */
public final class GatherResult {
  private final JsonObject json;

  /** The answer read from its JSON {@code {results, stats}} (kept, not copied). */
  public GatherResult(JsonObject json) {
    this.json = json;
  }

  /** The results, in the order of the request's URLs. */
  public List<FetchResult> results() {
    JsonArray a = json.getJsonArray("results", new JsonArray());
    List<FetchResult> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(new FetchResult(a.getJsonObject(i)));
    }
    return out;
  }

  /** The gather's stats ({@code ok}, {@code failed}, {@code elapsedMs}, ...). */
  public JsonObject stats() {
    return json.getJsonObject("stats", new JsonObject());
  }

  /** The answer as JSON. */
  public JsonObject json() {
    return json;
  }
}
