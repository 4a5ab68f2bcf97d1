package dev.fanout.web;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.FailureCode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The batches one web verticle's event streams heard of (an {@code enqueued} or {@code attempts}
 * event named them): each changed batch is asked of {@code fanout.jobs.batch} (no wait) at most
 * once a second, and its answer goes to every stream as a {@code batch} event. At most
 * {@value #MAX} are followed, the oldest forgotten; a batch is forgotten once it is done (a later
 * event brings it back). Used on the verticle's event loop only.
 */
final class BatchFollower {
  static final int MAX = 100;
  private static final long EVERY_MS = 1_000;
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final Consumer<JsonObject> onBatch;
  private final Map<String, Followed> batches = new LinkedHashMap<>();

  /** One batch: whether it changed since its last ask, and whether one runs or waits. */
  private static final class Followed {
    final String id;
    boolean changed;
    boolean asking;
    long askedAt = Long.MIN_VALUE / 2;
    long timer = -1;

    Followed(String id) {
      this.id = id;
    }
  }

  /** Follows batches for {@code onBatch}, which gets each answer ({@code {id, total, counts, done}}). */
  BatchFollower(Vertx vertx, Consumer<JsonObject> onBatch) {
    this.vertx = vertx;
    this.onBatch = onBatch;
  }

  /** Batch {@code id} changed: ask it now, or once a second has passed since its last ask. */
  void changed(String id) {
    Followed f = batches.get(id);
    if (f == null) {
      f = new Followed(id);
      batches.put(id, f);
      if (batches.size() > MAX) {
        Iterator<Followed> oldest = batches.values().iterator();
        forget(oldest.next());
        oldest.remove();
      }
    }
    f.changed = true;
    askSoon(f);
  }

  /** Forgets every batch (the last client left). */
  void clear() {
    batches.values().forEach(this::forget);
    batches.clear();
  }

  private void askSoon(Followed f) {
    if (f.asking || f.timer >= 0 || !f.changed) {
      return;
    }
    long wait = f.askedAt + EVERY_MS - System.currentTimeMillis();
    if (wait > 0) {
      f.timer = vertx.setTimer(wait, t -> {
        f.timer = -1;
        askSoon(f);
      });
      return;
    }
    f.changed = false;
    f.asking = true;
    f.askedAt = System.currentTimeMillis();
    vertx.eventBus().<JsonObject>request(Addresses.JOBS_BATCH, new JsonObject().put("id", f.id), ASK)
        .onComplete(ar -> {
          f.asking = false;
          if (batches.get(f.id) != f) {
            return; // forgotten meanwhile
          }
          if (ar.succeeded()) {
            onBatch.accept(ar.result().body());
          }
          boolean gone = ar.failed() && BusFailure.of(ar.cause()).code() == FailureCode.NOT_FOUND;
          if (gone || ar.succeeded() && ar.result().body().getBoolean("done", false) && !f.changed) {
            batches.remove(f.id);
          } else {
            askSoon(f);
          }
        });
  }

  private void forget(Followed f) {
    if (f.timer >= 0) {
      vertx.cancelTimer(f.timer);
      f.timer = -1;
    }
  }
}
