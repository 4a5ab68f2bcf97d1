package dev.fanout.api;

import dev.fanout.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** {@link JobsClient} over {@code fanout.jobs.*}. */
final class BusJobsClient implements JobsClient {
  private final Vertx vertx;

  BusJobsClient(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<JsonObject> enqueue(JsonObject request) {
    return vertx.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, request).map(m -> m.body());
  }

  @Override
  public Future<Long> enqueue(String kind, JsonObject payload) {
    return enqueue(new JsonObject().put("kind", kind).put("payload", payload))
        .map(r -> r.getJsonArray("ids").getLong(0));
  }

  @Override
  public Future<JsonObject> get(long id) {
    return vertx.eventBus().<JsonObject>request(Addresses.JOBS_GET, new JsonObject().put("id", id)).map(m -> m.body());
  }

  @Override
  public Future<JsonObject> awaitBatch(String batch, Duration wait) {
    throw new UnsupportedOperationException("not built yet");
  }
}
