package dev.fanout.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;

/** Waits for a condition by polling it on a Vert.x timer, with a deadline: no sleeps. */
public final class Conditions {
  private Conditions() {}

  /** Completes once {@code condition} holds; fails after {@code timeoutMs}. */
  public static Future<Void> until(Vertx vertx, BooleanSupplier condition, long timeoutMs) {
    Promise<Void> p = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    poll(vertx, condition, deadline, p);
    return p.future();
  }

  private static void poll(Vertx vertx, BooleanSupplier condition, long deadline, Promise<Void> p) {
    if (condition.getAsBoolean()) {
      p.complete();
    } else if (System.currentTimeMillis() > deadline) {
      p.fail(new AssertionError("condition not met in time"));
    } else {
      vertx.setTimer(5, id -> poll(vertx, condition, deadline, p));
    }
  }
}
