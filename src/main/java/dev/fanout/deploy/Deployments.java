package dev.fanout.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What is deployed on this node and by whom: fanout's own parts (owner {@code fanout}) and user
 * verticles (owner {@code user}), as {@code GET /v1/admin/verticles} lists them. Kept in a local
 * map so the admin verticle, the start-up and the graceful stop read the same list.
 */
public final class Deployments {
  /** The owner of fanout's own parts; they cannot be undeployed through the admin API. */
  public static final String FANOUT = "fanout";
  /** The owner of user verticles (from {@code deploy}, {@code --deploy} or the admin API). */
  public static final String USER = "user";
  private static final String STATE = "fanout.verticles";
  private static final String SEQ = "seq";
  /** Orders the list: a deployment's time alone may tie. */
  private static final AtomicLong NEXT = new AtomicLong();

  private Deployments() {}

  /**
   * Notes a deployment; returns its entry as {@code GET /v1/admin/verticles} shows it.
   *
   * @param name fanout's name of the part ({@code web}, {@code fetchers}, ...) or the user's class
   */
  public static JsonObject add(Vertx vertx, String id, String name, String className, int instances, String owner) {
    return add(vertx, id, name, className, instances, owner, new JsonObject());
  }

  /** {@link #add(Vertx, String, String, String, int, String)} with {@code more} fields shown. */
  public static JsonObject add(Vertx vertx, String id, String name, String className, int instances, String owner,
      JsonObject more) {
    JsonObject d = new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("class", className)
        .put("instances", instances)
        .put("owner", owner)
        .put("deployedAt", DateTimeFormatter.ISO_INSTANT.format(Instant.now()))
        .mergeIn(more);
    map(vertx).put(id, d.copy().put(SEQ, NEXT.incrementAndGet()));
    return d;
  }

  /** The deployment {@code id}, or null. */
  public static JsonObject get(Vertx vertx, String id) {
    JsonObject d = map(vertx).get(id);
    return d == null ? null : without(d);
  }

  /** Forgets {@code id} (undeployed); returns what was noted, or null. */
  public static JsonObject remove(Vertx vertx, String id) {
    JsonObject d = map(vertx).remove(id);
    return d == null ? null : without(d);
  }

  /** Forgets every deployment (the service stopped). */
  public static void clear(Vertx vertx) {
    map(vertx).clear();
  }

  /** Every deployment noted, oldest first. */
  public static List<JsonObject> all(Vertx vertx) {
    return map(vertx).values().stream()
        .sorted(Comparator.comparing((JsonObject d) -> d.getLong(SEQ)))
        .map(Deployments::without)
        .toList();
  }

  /** The ids of the user's deployments, newest first (the order they are stopped in). */
  public static List<String> userIdsNewestFirst(Vertx vertx) {
    List<String> ids = new ArrayList<>(all(vertx).stream()
        .filter(d -> USER.equals(d.getString("owner"))).map(d -> d.getString("id")).toList());
    Collections.reverse(ids);
    return ids;
  }

  /** {@link #all} as {@code {"verticles": [...]}}. */
  public static JsonObject listing(Vertx vertx) {
    return new JsonObject().put("verticles", new JsonArray(List.copyOf(all(vertx))));
  }

  private static JsonObject without(JsonObject d) {
    JsonObject out = d.copy();
    out.remove(SEQ);
    return out;
  }

  private static LocalMap<String, JsonObject> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(STATE);
  }
}
