package dev.fanout.queue;

import dev.fanout.api.Fanout;
import dev.fanout.api.JobContext;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.fetch.FetchRoute;
import dev.fanout.retry.Retryable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The job kinds fanout runs itself, registered through the public API as a plugin's are:
 * {@code echo} (the result is the payload; for tests and benchmarks) and {@code fetch} (the
 * payload is a fetch spec, the result the fetch result; a failure {@link Retryable#fetch} counts
 * as worth running again retries the job; a fetch cut off by its fetcher stopping runs again
 * without using an attempt; any other outcome completes the job with the result). The
 * registrations are this verticle's: undeploying it drains them.
 */
public final class BuiltInHandlersVerticle extends VerticleBase {
  private static final JobOptions FETCH = JobOptions.defaults().concurrency(100).timeout(Duration.ofMinutes(3));

  @Override
  public Future<?> start() {
    return Future.all(
        Fanout.registerHandler(vertx, "echo", JobOptions.defaults(),
            job -> Future.succeededFuture(JobReply.complete(job.payload()))),
        Fanout.registerHandler(vertx, "fetch", FETCH, this::fetch));
  }

  private Future<JobReply> fetch(JobContext job) {
    JsonObject payload = job.payload();
    try {
      FetchSpec.validate(payload);
    } catch (InvalidRequest e) {
      return Future.succeededFuture(JobReply.cancel("payload is not a fetch spec: " + e.getMessage()));
    }
    // without its cancel group: a job's fetch is cancelled only by a fetcher stopping, so a
    // cancelled result can be snoozed (a cancelled group would cancel every run of the job)
    JsonObject request = payload.copy();
    request.remove("group");
    DeliveryOptions delivery = FetchRoute.toRouter(vertx, new DeliveryOptions().setSendTimeout(170_000));
    return vertx.eventBus().<JsonObject>request(Addresses.FETCH, request, delivery)
        .map(reply -> {
          JsonObject r = reply.body();
          JsonObject err = r.getJsonObject("error");
          String kind = err == null ? null : err.getString("kind");
          if (ErrorKind.CANCELLED.wire().equals(kind)) {
            // only a fetcher stopping cancels a job's fetch (it sends no cancel group): the attempt
            // did not happen, so it runs again without using one, never completes with it
            return JobReply.snooze(Duration.ZERO);
          }
          boolean retry = kind != null && Retryable.fetch(ErrorKind.fromWire(kind), r.getInteger("status", 0));
          return retry ? JobReply.retry(kind + ": " + err.getString("message")) : JobReply.complete(r);
        });
  }
}
