package dev.fanout.api;

import dev.fanout.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * {@link JobsClient} over {@code fanout.jobs.*}. A batch wait is a series of long polls on
 * {@code fanout.jobs.batch}, each at most {@link #POLL_MS} (the service's longest), each with a
 * send timeout past its own wait.
 */
final class BusJobsClient implements JobsClient {
  /** The longest one long poll asks for: the service's limit on {@code waitMs}. */
  static final long POLL_MS = 120_000;
  /** What an answer may take beyond its wait: a database round trip on a busy node. */
  private static final long MARGIN_MS = 30_000;
  private final Vertx vertx;

  BusJobsClient(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<JsonObject> enqueue(JsonObject request) {
    return request(Addresses.JOBS_ENQUEUE, request, 0);
  }

  @Override
  public Future<Long> enqueue(String kind, JsonObject payload) {
    return enqueue(new JsonObject().put("kind", kind).put("payload", payload))
        .map(r -> r.getJsonArray("ids").getLong(0));
  }

  @Override
  public Future<JsonObject> get(long id) {
    return request(Addresses.JOBS_GET, new JsonObject().put("id", id), 0);
  }

  @Override
  public Future<JsonObject> awaitBatch(String batch, Duration wait) {
    return awaitUntil(batch, System.currentTimeMillis() + Math.max(0, wait.toMillis()));
  }

  private Future<JsonObject> awaitUntil(String batch, long deadline) {
    long left = Math.max(0, deadline - System.currentTimeMillis());
    long waitMs = Math.min(left, POLL_MS);
    return request(Addresses.JOBS_BATCH, new JsonObject().put("id", batch).put("waitMs", waitMs), waitMs)
        .compose(b -> b.getBoolean("done", false) || waitMs == left ? Future.succeededFuture(b)
            : awaitUntil(batch, deadline));
  }

  private Future<JsonObject> request(String address, JsonObject body, long waitMs) {
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(waitMs + MARGIN_MS);
    return vertx.eventBus().<JsonObject>request(address, body, delivery).map(Message::body);
  }
}
