package dev.fanout.api;

import dev.fanout.queue.JobHandlers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The entry point for code that extends fanout: verticles in the plugins directory, verticles on
 * another cluster node, tests. Everything here is a typed convenience over the JSON protocol on
 * the {@code fanout.*} bus addresses (docs/extending.md), so a handler written against it and
 * one in another language over the TCP bridge are interchangeable.
 */
public final class Fanout {
  private Fanout() {}

  /**
   * Registers {@code handler} as the runner of {@code kind} on this node: from when the future
   * completes, this node's queue worker claims jobs of the kind and calls the handler with each,
   * at most {@link JobOptions#concurrency()} at a time.
   */
  public static Future<Registration> registerHandler(Vertx vertx, String kind, JobOptions options,
      JobHandler handler) {
    long timeoutMs = options.timeout().toMillis();
    JobHandlers.Options o = new JobHandlers.Options(options.concurrency(), timeoutMs, options.blocking());
    return JobHandlers.register(vertx, kind, o, job -> {
      JobContext ctx = new JobContext(job, Instant.now().plusMillis(timeoutMs));
      return handler.handle(ctx).compose(reply -> reply.kind() == JobReply.Kind.RETRY
          ? Future.<JsonObject>failedFuture(reply.error() == null ? "retry" : reply.error())
          : Future.succeededFuture(reply.toJson()));
    }).map(consumer -> new Registration() {
      @Override
      public String kind() {
        return kind;
      }

      @Override
      public Future<Void> unregister() {
        return JobHandlers.unregister(vertx, kind, consumer);
      }
    });
  }

  /** A client of fanout's fetcher pool, on {@code vertx}'s bus. */
  public static FetchClient fetchClient(Vertx vertx) {
    return new BusFetchClient(vertx);
  }

  /** A client of fanout's durable jobs, on {@code vertx}'s bus. */
  public static JobsClient jobsClient(Vertx vertx) {
    return new BusJobsClient(vertx);
  }
}
