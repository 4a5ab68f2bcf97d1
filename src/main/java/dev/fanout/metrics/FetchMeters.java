package dev.fanout.metrics;

import dev.fanout.bus.ErrorKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The fetchers' meters of one process. Each is made once and held in a field (an outcome's counter
 * in an array by {@link ErrorKind}), so recording a fetch is a few adds with no lookup: Micrometer's
 * counters and timers are lock-free and safe from every fetcher's event loop.
 */
public final class FetchMeters {
  /** Fetch and attempt latency buckets: loopback milliseconds up to the default deadline. */
  static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
      Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};
  static final String FETCHER = "fetcher";

  private final MeterRegistry registry;
  private final Counter ok;
  private final Counter[] failed = new Counter[ErrorKind.values().length];
  private final Timer okTime;
  private final Timer failedTime;
  private final Counter attempts;
  private final Timer attemptTime;
  private final Counter pauses;

  FetchMeters(MeterRegistry registry) {
    this.registry = registry;
    ok = outcome("ok");
    for (ErrorKind k : ErrorKind.values()) {
      failed[k.ordinal()] = outcome(k.wire());
    }
    okTime = latency("fanout.fetch.duration", "fetches from arrival to result").tag("result", "ok").register(registry);
    failedTime = latency("fanout.fetch.duration", "fetches from arrival to result").tag("result", "error")
        .register(registry);
    attempts = Counter.builder("fanout.fetch.attempts").description("attempts started (a fetch's retries and "
        + "redirect hops are attempts)").register(registry);
    attemptTime = latency("fanout.fetch.attempt.duration", "attempts from start to response head or failure")
        .register(registry);
    pauses = Counter.builder("fanout.host.pauses").description("Retry-After answers that paused their host")
        .register(registry);
  }

  private Counter outcome(String kind) {
    return Counter.builder("fanout.fetches").description("fetches ended, by outcome: ok or the error kind")
        .tag("outcome", kind).register(registry);
  }

  private static Timer.Builder latency(String name, String description) {
    return Timer.builder(name).description(description).serviceLevelObjectives(BUCKETS)
        .minimumExpectedValue(BUCKETS[0]).maximumExpectedValue(BUCKETS[BUCKETS.length - 1]);
  }

  /** A fetch ended ({@code error} null when it succeeded) after {@code nanos}. */
  public void fetched(ErrorKind error, long nanos) {
    if (error == null) {
      ok.increment();
      okTime.record(nanos, TimeUnit.NANOSECONDS);
    } else {
      failed[error.ordinal()].increment();
      failedTime.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /** An attempt started. */
  public void attemptStarted() {
    attempts.increment();
  }

  /** An attempt ended after {@code nanos}. */
  public void attemptEnded(long nanos) {
    attemptTime.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A Retry-After paused a host. */
  public void paused() {
    pauses.increment();
  }

  /**
   * The process's captured-body budget: {@code used} bytes leased now (read at each scrape, from
   * any thread) of {@code capacity}.
   */
  public void capture(LongSupplier used, long capacity) {
    // a pool deployed again in this process (tests) replaces the previous pool's gauges
    registry.find("fanout.fetch.capture.used").meters().forEach(registry::remove);
    registry.find("fanout.fetch.capture.budget").meters().forEach(registry::remove);
    Gauge.builder("fanout.fetch.capture.used", used, s -> s.getAsLong()).baseUnit("bytes")
        .description("captured body bytes held by fetches in flight").strongReference(true).register(registry);
    Gauge.builder("fanout.fetch.capture.budget", () -> capacity).baseUnit("bytes")
        .description("the captured-body budget (fetch.captureBudgetBytes)").strongReference(true).register(registry);
  }

  /** The gauges of the fetcher {@code id}, removed by {@link FetcherGauges#close()} when it stops. */
  public FetcherGauges fetcher(String id) {
    return new FetcherGauges(registry, id, this);
  }
}
