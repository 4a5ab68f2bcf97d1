package dev.fanout.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;

/** The queue worker's meters of one process: how long claims take, how long jobs wait to start. */
public final class QueueMeters {
  private static final Duration[] CLAIM_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
      Duration.ofSeconds(5)};
  private static final Duration[] WAIT_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
      Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(6)};

  private final Timer claims;
  private final Timer waits;

  QueueMeters(MeterRegistry registry) {
    claims = Timer.builder("fanout.job.claim.duration").description("claim queries, from sent to answered")
        .serviceLevelObjectives(CLAIM_BUCKETS).register(registry);
    waits = Timer.builder("fanout.job.start.delay").description("jobs from runnable (run_at, or created_at when "
        + "later) to claimed for an attempt").serviceLevelObjectives(WAIT_BUCKETS).register(registry);
  }

  /** A claim query was answered after {@code nanos}. */
  public void claimed(long nanos) {
    claims.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A job was claimed: records its wait, from the later of its {@code runAt} and {@code createdAt}
   * to its {@code attemptedAt} (all the database's clock, so no skew with this node's).
   */
  public void started(JsonObject job) {
    Instant at = instant(job, "attemptedAt");
    Instant runAt = instant(job, "runAt");
    Instant created = instant(job, "createdAt");
    if (at != null && runAt != null && created != null) {
      Instant from = runAt.isAfter(created) ? runAt : created;
      waits.record(Math.max(0, Duration.between(from, at).toNanos()), TimeUnit.NANOSECONDS);
    }
  }

  /** A time of the job, or null when it has none the API could print (read as ISO-8601 UTC). */
  private static Instant instant(JsonObject job, String field) {
    String s = job.getString(field);
    try {
      return s == null ? null : Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
