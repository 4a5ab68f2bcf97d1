package dev.fanout.queue;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.FailureCode;
import dev.fanout.bus.JobState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The long polls of batches ({@code fanout.jobs.batch} with {@code waitMs}): each is answered as
 * soon as none of its batch's jobs is left unfinished, or at its deadline. A waiting batch is
 * counted again when the workers' {@code attempts} events say its jobs may all have finished, and
 * at least every {@value #POLL_MS} ms regardless (outcomes no event reports: a cancel over the API,
 * a worker on a node outside the cluster). A wait ends only by its answer: the bus does not tell
 * a consumer that its requester gave up, so one whose HTTP request ended runs on to its deadline
 * (at most {@code MAX_WAIT_MS} of {@link JobsVerticle}), costing a count every {@value #POLL_MS} ms.
 * Used on the jobs verticle's event loop only.
 */
final class BatchWaits {
  private static final long POLL_MS = 250;

  private final Vertx vertx;
  private final JobStore store;
  /** Long polls of batches not finished yet, by batch id. */
  private final Map<String, List<Waiter>> waiters = new HashMap<>();
  private MessageConsumer<JsonObject> events;

  BatchWaits(Vertx vertx, JobStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /** Listens to the workers' events; completes once it does. */
  Future<Void> start() {
    events = vertx.eventBus().consumer(Addresses.EVENTS, msg -> attempts(msg.body()));
    return events.completion();
  }

  Future<Void> stop() {
    return events.unregister();
  }

  /**
   * The batch {@code id} as {@link JobStore#batch} counts it, once it is done or at
   * {@code deadline} (epoch ms); fails with 404 when there is no such batch.
   */
  Future<JsonObject> await(UUID id, long deadline) {
    Promise<JsonObject> p = Promise.promise();
    Waiter w = new Waiter(id, deadline, p);
    waiters.computeIfAbsent(id.toString(), k -> new ArrayList<>()).add(w);
    count(w);
    return p.future();
  }

  /**
   * A long poll of a batch. It keeps the count of unfinished jobs between counts from the
   * outcomes the events report, and listens from before its first count: outcomes reported while
   * a count runs are taken off what that count finds, so none falls between a count and the
   * events (one the count saw already only brings the next count sooner).
   */
  static final class Waiter {
    final UUID id;
    final long deadline;
    final Promise<JsonObject> reply;
    /** Jobs not final at the last count, less the outcomes reported since. */
    private long unfinished;
    /** A count is running; outcomes reported meanwhile are added up in {@link #reported}. */
    private boolean counting;
    private long reported;
    long timer = -1;

    Waiter(UUID id, long deadline, Promise<JsonObject> reply) {
      this.id = id;
      this.deadline = deadline;
      this.reply = reply;
    }

    /** A count starts. */
    void countStarts() {
      counting = true;
      reported = 0;
    }

    /** The count found {@code notFinal} jobs; true when outcomes reported meanwhile may have finished the batch. */
    boolean countFound(long notFinal) {
      counting = false;
      unfinished = notFinal - reported;
      return unfinished <= 0;
    }

    /** {@code n} outcomes of the batch were written; true when they may have finished it (count again now). */
    boolean outcomes(long n) {
      if (counting) {
        reported += n;
        return false;
      }
      unfinished -= n;
      return unfinished <= 0;
    }
  }

  /** Counts a waiter's batch, and answers it or waits for the next count. */
  private void count(Waiter w) {
    w.countStarts();
    store.batch(w.id).onComplete(ar -> {
      if (ar.failed()) {
        forget(w);
        w.reply.fail(ar.cause());
      } else if (ar.result().getLong("total") == 0) {
        forget(w);
        w.reply.fail(new BusFailure(FailureCode.NOT_FOUND, "no batch " + w.id, "id"));
      } else if (ar.result().getBoolean("done") || System.currentTimeMillis() >= w.deadline) {
        forget(w);
        w.reply.complete(ar.result());
      } else if (w.countFound(notFinal(ar.result().getJsonObject("counts")))) {
        count(w);
      } else {
        w.timer = vertx.setTimer(Math.max(1, Math.min(POLL_MS, w.deadline - System.currentTimeMillis())), t -> {
          w.timer = -1;
          count(w);
        });
      }
    });
  }

  private static long notFinal(JsonObject counts) {
    long notFinal = 0;
    for (var e : counts) {
      if (!JobState.parse("state", e.getKey()).isFinal()) {
        notFinal += ((Number) e.getValue()).longValue();
      }
    }
    return notFinal;
  }

  /** An {@code attempts} event: counts down the waiters of its batches, and counts again those that may be done. */
  private void attempts(JsonObject event) {
    if (waiters.isEmpty() || event == null || !"attempts".equals(event.getString("type"))
        || !(event.getValue("batches") instanceof JsonObject batches)) {
      return;
    }
    batches.forEach(e -> {
      List<Waiter> ws = waiters.get(e.getKey());
      if (ws != null && e.getValue() instanceof Number n) {
        for (Waiter w : new ArrayList<>(ws)) {
          if (w.outcomes(n.longValue())) {
            vertx.cancelTimer(w.timer);
            w.timer = -1;
            count(w);
          }
        }
      }
    });
  }

  private void forget(Waiter w) {
    List<Waiter> ws = waiters.get(w.id.toString());
    if (ws != null && ws.remove(w) && ws.isEmpty()) {
      waiters.remove(w.id.toString());
    }
  }
}
