package dev.fanout.metrics;

import dev.fanout.bus.ErrorKind;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One fetcher's gauges, labelled with its id (as many series as fetchers deployed; removed when
 * the fetcher stops). The counts are written by the fetcher's event loop only and read by a scrape
 * on another thread: volatile fields, with no lock and no atomic instruction on the fetch path.
 */
public final class FetcherGauges {
  private final MeterRegistry registry;
  private final FetchMeters fetch;
  private final List<Gauge> gauges;
  private volatile int inFlight;
  private volatile int tasks;
  private volatile int pausedHosts;

  FetcherGauges(MeterRegistry registry, String id, FetchMeters fetch) {
    this.registry = registry;
    this.fetch = fetch;
    gauges = List.of(
        gauge("fanout.fetcher.in.flight", "attempts running", id, () -> inFlight),
        gauge("fanout.fetcher.queued", "fetches waiting here: for their host, a permit, or their retry", id,
            this::queued),
        gauge("fanout.host.pauses.active", "hosts paused now by a Retry-After this fetcher received", id,
            () -> pausedHosts));
  }

  private Gauge gauge(String name, String description, String id, LongSupplier value) {
    return Gauge.builder(name, value, v -> v.getAsLong()).description(description).tag(FetchMeters.FETCHER, id)
        .strongReference(true).register(registry);
  }

  /** Attempts running now (any thread may ask). */
  public int inFlight() {
    return inFlight;
  }

  /** Fetches waiting here now: for their host, a permit, or their retry (any thread may ask). */
  public int queued() {
    return Math.max(0, tasks - inFlight);
  }

  /** An attempt started here. */
  public void attemptStarted() {
    inFlight++; // one writer: the fetcher's event loop
    fetch.attemptStarted();
  }

  /** An attempt that started here ended after {@code nanos}. */
  public void attemptEnded(long nanos) {
    inFlight--;
    fetch.attemptEnded(nanos);
  }

  /** A fetch ended here ({@code error} null when it succeeded) after {@code nanos}. */
  public void fetched(ErrorKind error, long nanos) {
    fetch.fetched(error, nanos);
  }

  /** The fetches alive here now (queued, running or between attempts). */
  public void tasks(int n) {
    tasks = n;
  }

  /**
   * A Retry-After paused a host; {@code remainingNanos} tells how much of its pause is left. When
   * the host was not paused already, it counts as paused until that reaches zero (checked by a
   * timer at its end, as a later Retry-After may lengthen it).
   */
  public void paused(Vertx vertx, boolean began, LongSupplier remainingNanos) {
    fetch.paused();
    if (began) {
      pausedHosts++;
      watch(vertx, remainingNanos);
    }
  }

  private void watch(Vertx vertx, LongSupplier remainingNanos) {
    long left = remainingNanos.getAsLong();
    if (left <= 0) {
      pausedHosts--;
      return;
    }
    vertx.setTimer(Math.max(1, (left + 999_999) / 1_000_000), id -> watch(vertx, remainingNanos));
  }

  /** Removes these gauges (the fetcher stopped). */
  public void close() {
    gauges.forEach(registry::remove);
  }
}
