package dev.fanout.queue;

import static dev.fanout.bus.FailureCode.CONFLICT;
import static dev.fanout.bus.FailureCode.NOT_FOUND;
import static dev.fanout.bus.FailureCode.UNAVAILABLE;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.bus.JobState;
import dev.fanout.bus.Json;
import dev.fanout.bus.NewJob;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.QueueConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The jobs API on the bus ({@code fanout.jobs.*}), which the HTTP API maps onto. Bad input fails
 * with 400 naming the field, an unknown id with 404, a state that does not allow the action with
 * 409, and a database that cannot be reached with 503 — never a success for a job not stored.
 */
public final class JobsVerticle extends VerticleBase {
  /**
   * A waiting batch is counted again when the workers' {@code attempts} events say its jobs may
   * all have finished, and at least this often regardless (outcomes no event reports: a cancel
   * over the API, a worker on a node outside the cluster).
   */
  private static final long BATCH_POLL_MS = 250;
  private static final long MAX_WAIT_MS = 120_000;
  private final Pool pool;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  /** Long polls of batches not finished yet, by batch id. */
  private final Map<String, List<Waiter>> waiters = new HashMap<>();
  private JobStore store;
  private QueueConfig cfg;

  /** The API over {@code pool}. */
  public JobsVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    cfg = FanoutConfig.fromJson(config()).queue();
    store = new JobStore(pool);
    on(Addresses.JOBS_ENQUEUE, this::enqueue);
    on(Addresses.JOBS_GET, body -> found(store.get(id(body)), "no job " + body.getValue("id")));
    on(Addresses.JOBS_LIST, this::list);
    on(Addresses.JOBS_CANCEL, body -> changed(id(body), store.cancel(id(body)), "is already final"));
    on(Addresses.JOBS_RETRY, body -> changed(id(body), store.retry(id(body)), "is running, completed or available"));
    on(Addresses.JOBS_BATCH, this::batch);
    on(Addresses.JOBS_QUEUES, body -> store.queues().map(q -> new JsonObject().put("queues", q)));
    MessageConsumer<JsonObject> events = vertx.eventBus().consumer(Addresses.EVENTS, msg -> attempts(msg.body()));
    consumers.add(events);
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
  }

  @Override
  public Future<?> stop() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
  }

  private void on(String address, Function<JsonObject, Future<JsonObject>> handler) {
    consumers.add(vertx.eventBus().consumer(address, (Message<JsonObject> msg) -> {
      Future<JsonObject> f;
      try {
        f = handler.apply(body(((Message<?>) msg).body()));
      } catch (InvalidRequest e) {
        BusFailure.reply(msg, e);
        return;
      }
      f.onSuccess(msg::reply).onFailure(e -> BusFailure.reply(msg, e, UNAVAILABLE, "the database is unavailable"));
    }));
  }

  /** A request body: a JSON object, or nothing (taken as {}). A bus client may send anything. */
  private static JsonObject body(Object body) {
    if (body == null) {
      return new JsonObject();
    }
    if (body instanceof JsonObject o) {
      return o;
    }
    throw new InvalidRequest("body", "must be a JSON object (got a " + body.getClass().getSimpleName() + ")");
  }

  private Future<JsonObject> enqueue(JsonObject body) {
    List<NewJob> jobs = new ArrayList<>();
    JsonArray many = Json.array(body, "jobs");
    if (many == null) {
      jobs.add(NewJob.fromJson(body));
    } else {
      if (body.size() != 1) {
        throw new InvalidRequest("jobs", "give one job, or {\"jobs\": [...]} alone");
      }
      if (many.isEmpty() || many.size() > cfg.maxEnqueue()) {
        throw new InvalidRequest("jobs", "must have 1 to " + cfg.maxEnqueue() + " jobs (got " + many.size() + ")");
      }
      for (int i = 0; i < many.size(); i++) {
        if (!(many.getValue(i) instanceof JsonObject o)) {
          throw new InvalidRequest("jobs[" + i + "]", "must be a job (a JSON object)");
        }
        try {
          jobs.add(NewJob.fromJson(o));
        } catch (InvalidRequest e) {
          throw e.within("jobs[" + i + "]");
        }
      }
    }
    return store.enqueue(jobs).map(e -> new JsonObject().put("batch", e.batch().toString()).put("ids", new JsonArray(e.ids())));
  }

  private Future<JsonObject> list(JsonObject body) {
    String state = Json.string(body, "state");
    String batch = Json.string(body, "batch");
    String cursor = Json.string(body, "cursor");
    Long limit = Json.number(body, "limit", 1, 1000);
    long after;
    try {
      after = cursor == null || cursor.isEmpty() ? 0 : Long.parseLong(cursor.chars().allMatch(c -> c >= '0' && c <= '9') ? cursor : "-");
    } catch (NumberFormatException e) {
      throw new InvalidRequest("cursor", "is not a cursor this API gave out");
    }
    String kind = Json.string(body, "kind");
    if (kind != null && !NewJob.isName(kind)) {
      throw new InvalidRequest("kind", "must be a kind name: letters, digits, '.', '_' or '-', at most 64");
    }
    int n = limit == null ? 100 : limit.intValue();
    return store.list(state == null ? null : JobState.parse("state", state), kind, Json.uuid("batch", batch), after, n)
        .map(jobs -> new JsonObject().put("jobs", jobs)
            .put("cursor", jobs.size() < n ? null : String.valueOf(jobs.getJsonObject(jobs.size() - 1).getLong("id"))));
  }

  private Future<JsonObject> batch(JsonObject body) {
    UUID id = Json.uuid("id", Json.string(body, "id"));
    if (id == null) {
      throw new InvalidRequest("id", "is required");
    }
    Long wait = Json.number(body, "waitMs", 0, MAX_WAIT_MS);
    long deadline = System.currentTimeMillis() + (wait == null ? 0 : wait);
    Promise<JsonObject> p = Promise.promise();
    poll(id, deadline, p);
    return p.future();
  }

  /**
   * A long poll of a batch: answered once none of its jobs is left unfinished, or at its deadline.
   * It keeps the count of unfinished jobs between counts from the outcomes the events report, and
   * listens from before its first count: outcomes reported while a count runs are taken off what
   * that count finds, so none falls between a count and the events (one the count saw already
   * only brings the next count sooner).
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

    /** The count found {@code notFinal} jobs; true when the outcomes reported meanwhile may have finished the batch (count again now). */
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

  /** Long poll (queue.join): answers as soon as the batch is done, or at the deadline. */
  private void poll(UUID id, long deadline, Promise<JsonObject> p) {
    Waiter w = new Waiter(id, deadline, p);
    waiters.computeIfAbsent(id.toString(), k -> new ArrayList<>()).add(w);
    count(w);
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
        w.reply.fail(new BusFailure(NOT_FOUND, "no batch " + w.id, "id"));
      } else if (ar.result().getBoolean("done") || System.currentTimeMillis() >= w.deadline) {
        forget(w);
        w.reply.complete(ar.result());
      } else {
        long notFinal = 0;
        for (var e : ar.result().getJsonObject("counts")) {
          if (!JobState.parse("state", e.getKey()).isFinal()) {
            notFinal += ((Number) e.getValue()).longValue();
          }
        }
        if (w.countFound(notFinal)) {
          count(w);
          return;
        }
        w.timer = vertx.setTimer(Math.max(1, Math.min(BATCH_POLL_MS, w.deadline - System.currentTimeMillis())), t -> {
          w.timer = -1;
          count(w);
        });
      }
    });
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

  private static long id(JsonObject body) {
    Long id = Json.number(body, "id", 1, Long.MAX_VALUE);
    if (id == null) {
      throw new InvalidRequest("id", "is required");
    }
    return id;
  }


  private static Future<JsonObject> found(Future<JsonObject> job, String missing) {
    return job.compose(j -> j == null
        ? Future.failedFuture(new BusFailure(NOT_FOUND, missing, "id")) : Future.succeededFuture(j));
  }

  /** A state change that returned nothing: 404 if the job does not exist, else 409. */
  private Future<JsonObject> changed(long id, Future<JsonObject> change, String conflict) {
    return change.compose(j -> j != null ? Future.succeededFuture(j)
        : store.get(id).compose(existing -> Future.failedFuture(existing == null
            ? new BusFailure(NOT_FOUND, "no job " + id, "id")
            : new BusFailure(CONFLICT, "job " + id + " " + conflict + " (state " + existing.getString("state") + ")",
                "id"))));
  }
}
