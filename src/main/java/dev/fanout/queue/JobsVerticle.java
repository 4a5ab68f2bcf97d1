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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * The jobs API on the bus ({@code fanout.jobs.*}), which the HTTP API maps onto. Bad input fails
 * with 400 naming the field, an unknown id with 404, a state that does not allow the action with
 * 409, and a database that cannot be reached with 503 — never a success for a job not stored.
 */
public final class JobsVerticle extends VerticleBase {
  /** The longest a batch wait lasts ({@code waitMs}). */
  static final long MAX_WAIT_MS = 120_000;
  private final Pool pool;
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
  private JobStore store;
  private BatchWaits waits;
  private ClusterKinds kinds;
  private QueueConfig cfg;

  /** The API over {@code pool}. */
  public JobsVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    cfg = FanoutConfig.fromJson(config()).queue();
    store = new JobStore(pool);
    waits = new BatchWaits(vertx, store);
    kinds = new ClusterKinds(vertx);
    on(Addresses.JOBS_ENQUEUE, this::enqueue);
    on(Addresses.JOBS_GET, body -> found(store.get(id(body)), "no job " + body.getValue("id")));
    on(Addresses.JOBS_LIST, this::list);
    on(Addresses.JOBS_CANCEL, body -> changed(id(body), store.cancel(id(body)), "is already final"));
    on(Addresses.JOBS_RETRY, body -> changed(id(body), store.retry(id(body)), "is running, completed or available"));
    on(Addresses.JOBS_BATCH, this::batch);
    on(Addresses.JOBS_QUEUES, body -> queues());
    List<Future<Void>> ready = new ArrayList<>(consumers.stream().map(MessageConsumer::completion).toList());
    ready.add(waits.start());
    ready.add(kinds.start());
    return Future.all(ready);
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> gone = new ArrayList<>(consumers.stream().map(MessageConsumer::unregister).toList());
    gone.add(waits.stop());
    gone.add(kinds.stop());
    return Future.join(gone);
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

  private Future<JsonObject> enqueue(JsonObject request) {
    UUID join = Json.uuid("batch", Json.string(request, "batch")); // an existing batch the jobs join
    JsonObject body = request.containsKey("batch") ? request.copy() : request;
    body.remove("batch");
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
    Set<String> wanted = new TreeSet<>();
    jobs.forEach(j -> wanted.add(j.kind()));
    // the kinds are looked up while the jobs are written: in a cluster that may ask the other nodes
    Future<ClusterKinds.View> served = kinds.covering(wanted);
    Future<JobStore.Enqueued> stored = store.enqueue(jobs, join).onSuccess(e -> published(jobs, e));
    return Future.all(stored, served).map(all -> {
      JsonObject answer = new JsonObject().put("batch", stored.result().batch().toString())
          .put("ids", new JsonArray(stored.result().ids()));
      return unhandled(answer, wanted, served.result());
    });
  }

  /**
   * Publishes {@code {"type": "enqueued", "count", "kinds": {KIND: N}, "batch"}} on
   * {@code fanout.events} once the insert committed: one event per enqueue call (a thousand jobs are
   * one message), for the event stream's rates and batch follow-ups.
   */
  private void published(List<NewJob> jobs, JobStore.Enqueued stored) {
    Map<String, Integer> byKind = new HashMap<>();
    jobs.forEach(j -> byKind.merge(j.kind(), 1, Integer::sum));
    vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "enqueued").put("count", jobs.size())
        .put("kinds", new JsonObject(new HashMap<String, Object>(byKind))).put("batch", stored.batch().toString()));
  }

  /**
   * Puts the kinds of {@code wanted} no node serves now in {@code unhandled}, sorted: their jobs
   * wait until one does; with some, the nodes that did not answer in time in {@code unreachable}
   * (they may serve them).
   */
  private static JsonObject unhandled(JsonObject answer, Set<String> wanted, ClusterKinds.View view) {
    JsonArray unhandled = new JsonArray();
    wanted.stream().filter(k -> !view.serves(k)).forEach(unhandled::add);
    answer.put("unhandled", unhandled);
    if (!unhandled.isEmpty() && !view.unreachable().isEmpty()) {
      answer.put("unreachable", new JsonArray(view.unreachable()));
    }
    return answer;
  }

  /**
   * The queues (by kind, sorted) with whether a handler serves each kind and on which nodes of
   * the cluster, plus the kinds served somewhere that have no jobs; the nodes that did not
   * answer in time in {@code unreachable}, when there are some.
   */
  private Future<JsonObject> queues() {
    Future<ClusterKinds.View> served = kinds.now();
    Future<JsonArray> queues = store.queues();
    return Future.all(queues, served).map(all -> {
      ClusterKinds.View view = served.result();
      Map<String, JsonObject> byKind = new TreeMap<>();
      queues.result().forEach(q -> byKind.put(((JsonObject) q).getString("kind"), (JsonObject) q));
      view.kinds().forEach(k -> byKind.computeIfAbsent(k, name ->
          new JsonObject().put("kind", name).put("counts", new JsonObject())));
      byKind.forEach((kind, q) -> {
        JsonArray handlers = view.handlers(kind);
        q.put("handled", !handlers.isEmpty()).put("handlers", handlers);
      });
      JsonObject answer = new JsonObject().put("queues", new JsonArray(new ArrayList<>(byKind.values())));
      return view.unreachable().isEmpty() ? answer : answer.put("unreachable", new JsonArray(view.unreachable()));
    });
  }

  private Future<JsonObject> list(JsonObject body) {
    String state = Json.string(body, "state");
    String batch = Json.string(body, "batch");
    String cursor = Json.string(body, "cursor");
    Long limit = Json.number(body, "limit", 1, 1000);
    long after;
    try {
      boolean digits = cursor != null && cursor.chars().allMatch(c -> c >= '0' && c <= '9');
      after = cursor == null || cursor.isEmpty() ? 0 : Long.parseLong(digits ? cursor : "-");
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
    return waits.await(id, System.currentTimeMillis() + (wait == null ? 0 : wait));
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
