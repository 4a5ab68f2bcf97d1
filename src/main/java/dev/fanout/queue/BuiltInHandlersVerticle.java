package dev.fanout.queue;

import dev.fanout.api.JobReply;
import dev.fanout.bus.Addresses;
import dev.fanout.bus.ErrorKind;
import dev.fanout.bus.FetchSpec;
import dev.fanout.bus.InvalidRequest;
import dev.fanout.retry.Retryable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The job kinds fanout runs itself: {@code echo} (the result is the payload; for tests and
 * benchmarks) and {@code fetch} (the payload is a fetch spec, the result the fetch result; a
 * failure {@link Retryable#fetch} counts as worth running again fails the attempt so the job
 * retries; a fetch cut off by its fetcher stopping runs again without using an attempt;
 * any other outcome completes the job with the result).
 */
public final class BuiltInHandlersVerticle extends VerticleBase {
  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  @Override
  public Future<?> start() {
    return Future.all(
        JobHandlers.register(vertx, "echo", JobHandlers.Options.defaults(),
                job -> Future.succeededFuture(job.getJsonObject("payload")))
            .onSuccess(consumers::add),
        JobHandlers.register(vertx, "fetch", new JobHandlers.Options(100, 180_000, false), this::fetch)
            .onSuccess(consumers::add));
  }

  private Future<JsonObject> fetch(JsonObject job) {
    JsonObject payload = job.getJsonObject("payload", new JsonObject());
    try {
      FetchSpec.validate(payload);
    } catch (InvalidRequest e) {
      return Future.succeededFuture(JobReply.cancel("payload is not a fetch spec: " + e.getMessage()).toJson());
    }
    // without its cancel group: a job's fetch is cancelled only by a fetcher stopping, so a
    // cancelled result can be snoozed (a cancelled group would cancel every run of the job)
    JsonObject request = payload.copy();
    request.remove("group");
    return vertx.eventBus().<JsonObject>request(Addresses.FETCH, request, new DeliveryOptions().setSendTimeout(170_000))
        .compose(reply -> {
          JsonObject r = reply.body();
          JsonObject err = r.getJsonObject("error");
          String kind = err == null ? null : err.getString("kind");
          if (ErrorKind.CANCELLED.wire().equals(kind)) {
            // only a fetcher stopping cancels a job's fetch (it sends no cancel group): the attempt
            // did not happen, so it runs again without using one, never completes with it
            return Future.succeededFuture(JobReply.snooze(Duration.ZERO).toJson());
          }
          boolean retry = kind != null && Retryable.fetch(ErrorKind.fromWire(kind), r.getInteger("status", 0));
          return retry ? Future.failedFuture(kind + ": " + err.getString("message")) : Future.succeededFuture(r);
        });
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> gone = new ArrayList<>();
    consumers.forEach(c -> {
      String kind = c.address().substring(Addresses.JOB_HANDLER_PREFIX.length());
      gone.add(JobHandlers.unregister(vertx, kind, c));
    });
    return Future.join(gone);
  }
}
