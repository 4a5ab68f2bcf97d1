package dev.fanout.api;

import io.vertx.core.Future;

/**
 * Runs one attempt of a job of a kind: registered with {@link Fanout#registerHandler}. The future
 * it returns ends the attempt with a {@link JobReply}; a failed future (or an exception thrown)
 * is taken as {@link JobReply#retry(String)} with its message.
 */
@FunctionalInterface
public interface JobHandler {
  /** Runs {@code job}'s attempt. */
  Future<JobReply> handle(JobContext job);
}
