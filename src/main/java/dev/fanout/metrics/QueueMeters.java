package dev.fanout.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
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
   * A job was claimed after waiting {@code nanos} to start, from the later of its {@code runAt} and
   * {@code createdAt} to its {@code attemptedAt} (the database's clock); a negative wait is unknown
   * and not recorded.
   */
  public void started(long nanos) {
    if (nanos >= 0) {
      waits.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
