package dev.fanout.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** Enqueues and reads durable jobs from any verticle on the bus. Get one with {@link Fanout#jobsClient}. */
public interface JobsClient {
  /**
   * Enqueues a job ({@code {"kind", "payload", ...}}) or a batch ({@code {"jobs": [...]}}); completes
   * with {@code {batch, ids, unhandled}} once they are durable. With {@code "batch": id} the jobs
   * join that batch instead of starting one (a job that enqueues more of the same work, so that
   * one batch shows the whole of it finishing). Bad input fails with a 400 {@code ReplyException}
   * naming the field.
   */
  Future<JsonObject> enqueue(JsonObject request);

  /** Enqueues one job of {@code kind}; completes with its id once it is durable. */
  Future<Long> enqueue(String kind, JsonObject payload);

  /** The job with {@code id}; fails with a 404 {@code ReplyException} when there is none. */
  Future<JsonObject> get(long id);

  /**
   * The batch's {@code {id, total, counts, done}} once it is done, or as it stands after
   * {@code wait} (long polls on {@code fanout.jobs.batch}, each up to two minutes, the service's
   * limit); fails with a 404 {@code ReplyException} when there is no such batch.
   */
  Future<JsonObject> awaitBatch(String batch, Duration wait);
}
