package dev.fanout.metrics;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.JobState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job counts by kind and state, the queue depth and the oldest available job's age by kind:
 * gauges of the jobs table, read through {@code fanout.jobs.queues} (the listing {@code GET
 * /v1/queues} shows) when a scrape finds them older than {@code metrics.queueRefreshMs}. One read at
 * a time, shared by every scrape that asks while it runs, so a burst of scrapes costs one query;
 * a read that fails leaves the previous counts. Never read on a timer: no scraper, no queries.
 */
public final class JobGauges {
  private static final Logger LOG = LoggerFactory.getLogger(JobGauges.class);
  private static final long READ_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final KindLabels kinds;
  private final long refreshNanos;
  private final MultiGauge jobs;
  private final MultiGauge depth;
  private final MultiGauge oldest;
  private final AtomicReference<Future<Void>> reading = new AtomicReference<>();
  private volatile long readAt;
  private volatile boolean read;

  JobGauges(Vertx vertx, MeterRegistry registry, KindLabels kinds, long refreshMs) {
    this.vertx = vertx;
    this.kinds = kinds;
    this.refreshNanos = refreshMs * 1_000_000;
    jobs = MultiGauge.builder("fanout.jobs").description("jobs in the table, by kind and state").register(registry);
    depth = MultiGauge.builder("fanout.queue.depth").description("jobs available to run now, by kind")
        .register(registry);
    oldest = MultiGauge.builder("fanout.queue.oldest.available").baseUnit("seconds")
        .description("how long the oldest available job of the kind has been runnable; 0 when none is")
        .register(registry);
  }

  /** Completes once the gauges are at most {@code metrics.queueRefreshMs} old, or a read failed. */
  public Future<Void> fresh() {
    if (read && System.nanoTime() - readAt < refreshNanos) {
      return Future.succeededFuture();
    }
    Promise<Void> mine = Promise.promise();
    Future<Void> current = reading.compareAndExchange(null, mine.future());
    if (current != null) {
      return current;
    }
    vertx.eventBus().<JsonObject>request(Addresses.JOBS_QUEUES, new JsonObject(),
            new DeliveryOptions().setSendTimeout(READ_TIMEOUT_MS))
        .onSuccess(msg -> {
          update(msg.body());
          readAt = System.nanoTime();
          read = true;
        })
        .onFailure(e -> LOG.debug("reading the queues for /metrics failed: {}", e.getMessage()))
        .onComplete(ar -> {
          reading.set(null);
          mine.complete();
        });
    return mine.future();
  }

  /** Sets every gauge from {@code answer}: {@code {"queues": [{kind, counts: {STATE: n}, oldestAvailableMs}]}}. */
  private void update(JsonObject answer) {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Long> oldestMs = new TreeMap<>();
    for (Object o : answer.getJsonArray("queues")) {
      JsonObject q = (JsonObject) o;
      String label = kinds.of(q.getString("kind"));
      long[] byState = counts.computeIfAbsent(label, k -> new long[JobState.values().length]);
      JsonObject c = q.getJsonObject("counts");
      for (JobState s : JobState.values()) {
        byState[s.ordinal()] += c.getLong(s.wire(), 0L);
      }
      oldestMs.merge(label, q.getLong("oldestAvailableMs", 0L), Math::max);
    }
    List<MultiGauge.Row<?>> jobRows = new ArrayList<>();
    List<MultiGauge.Row<?>> depthRows = new ArrayList<>();
    List<MultiGauge.Row<?>> oldestRows = new ArrayList<>();
    counts.forEach((kind, byState) -> {
      for (JobState s : JobState.values()) {
        jobRows.add(MultiGauge.Row.of(Tags.of("kind", kind, "state", s.wire()), byState[s.ordinal()]));
      }
      depthRows.add(MultiGauge.Row.of(Tags.of("kind", kind), byState[JobState.AVAILABLE.ordinal()]));
      oldestRows.add(MultiGauge.Row.of(Tags.of("kind", kind), oldestMs.get(kind) / 1000.0));
    });
    jobs.register(jobRows, true);
    depth.register(depthRows, true);
    oldest.register(oldestRows, true);
  }
}
