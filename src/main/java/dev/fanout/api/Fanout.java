package dev.fanout.api;

import dev.fanout.queue.JobHandlers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The entry point for code that extends fanout: verticles in the plugins directory, verticles on
 * another cluster node, tests. Everything here is a typed convenience over the JSON protocol on
 * the {@code fanout.*} bus addresses (docs/extending.md), so a handler written against it and
 * one in another language over the TCP bridge are interchangeable.
 */
public final class Fanout {
  private Fanout() {}

  /**
   * Registers {@code handler} as a runner of {@code kind} on this node: from when the future
   * completes, this node's queue worker claims jobs of the kind and calls the handler with each,
   * at most {@link JobOptions#concurrency()} at a time, each with {@link JobOptions#timeout()}
   * (its {@link JobContext#deadline()}). The handler runs on the caller's context (the calling
   * verticle's event loop), or on worker threads of its own when {@link JobOptions#blocking()}.
   * Called from a verticle, the registration belongs to it: undeploying the verticle drains it
   * (see {@link Registration#unregister()}) before the verticle's own {@code stop()}.
   */
  public static Future<Registration> registerHandler(Vertx vertx, String kind, JobOptions options,
      JobHandler handler) {
    return JobHandlers.register(vertx, kind, options, handler);
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
