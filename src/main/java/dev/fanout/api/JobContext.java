package dev.fanout.api;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The job a {@link JobHandler} runs: one attempt of it. Read-only; {@link #json()} is the job as
 * the API shows it ({@code GET /v1/jobs/{id}}).
 */
public final class JobContext {
  private final JsonObject job;
  private final Instant deadline;

  /**
   * A context for {@code job} (the JSON the worker sends to {@code fanout.job.<kind>}) whose
   * attempt must end by {@code deadline}.
   */
  public JobContext(JsonObject job, Instant deadline) {
    this.job = job;
    this.deadline = deadline;
  }

  /** The job's id. */
  public long id() {
    return job.getLong("id");
  }

  /** The job's kind. */
  public String kind() {
    return job.getString("kind");
  }

  /** This attempt's number, from 1. */
  public int attempt() {
    return job.getInteger("attempt", 1);
  }

  /** The attempts the job may use; after the last failed one it is discarded. */
  public int maxAttempts() {
    return job.getInteger("maxAttempts", 1);
  }

  /** The job's payload (an empty object when it has none). */
  public JsonObject payload() {
    JsonObject p = job.getJsonObject("payload");
    return p == null ? new JsonObject() : p;
  }

  /** The id of the batch the job was enqueued in, or null. */
  public String batch() {
    return job.getString("batch");
  }

  /**
   * When this attempt times out: a reply after it is not recorded. The worker sends it with the
   * job as the delivery header {@code fanout-deadline} (epoch milliseconds).
   */
  public Instant deadline() {
    return deadline;
  }

  /** The job as the API shows it. */
  public JsonObject json() {
    return job;
  }

  @Override
  public String toString() {
    return "job " + job.getValue("id") + " (" + kind() + ", attempt " + attempt() + "/" + maxAttempts() + ")";
  }
}
