package dev.fanout.bus;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Readiness reports: a part of fanout that depends on something outside the process (the
 * database supervisor) reports here whether it works, and {@code /health/ready} reads it. The
 * reports live in a local shared map, so they are about this node only.
 */
public final class Health {
  /** The check for the database: reported by {@code store.DatabaseSupervisor}. */
  public static final String DATABASE = "database";
  private static final String MAP = "fanout.health";

  private Health() {}

  /** Reports {@code check} up ({@code problem} null) or down, saying why. */
  public static void report(Vertx vertx, String check, String problem) {
    JsonObject state = new JsonObject().put("up", problem == null);
    if (problem != null) {
      state.put("error", problem);
    }
    vertx.sharedData().getLocalMap(MAP).put(check, state);
  }

  /** Forgets {@code check} (its reporter stopped). */
  public static void forget(Vertx vertx, String check) {
    vertx.sharedData().getLocalMap(MAP).remove(check);
  }

  /**
   * The last report of {@code check}: {@code {"up": true}} or {@code {"up": false, "error": ...}};
   * null when nothing reports it on this node.
   */
  public static JsonObject state(Vertx vertx, String check) {
    return (JsonObject) vertx.sharedData().getLocalMap(MAP).get(check);
  }
}
