package dev.fanout.metrics;

import dev.fanout.config.MetricsConfig;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

/**
 * The meters of one Vert.x instance: the Prometheus registry {@code /metrics} renders, and what
 * fanout's parts record into it. One per {@link Vertx}, kept in its local shared data, so that
 * every verticle of the process (and only of that process: a test JVM runs several) records into
 * the same registry. When Vert.x was built with its metrics ({@link VertxMeters}) the registry is
 * the one Vert.x's own meters are in; else (a test's Vert.x, {@code metrics.enabled} false) fanout
 * makes one of its own on first use, holding its meters only.
 */
public final class Meters implements Shareable {
  private static final String MAP = "fanout.metrics";
  private static final String KEY = "meters";

  private final PrometheusMeterRegistry registry;
  private final MetricsConfig config;
  private final KindLabels kinds;
  private final FetchMeters fetch;
  private final QueueMeters queue;
  private JobGauges jobs;

  private Meters(PrometheusMeterRegistry registry, MetricsConfig config) {
    this.registry = registry;
    this.config = config;
    this.kinds = new KindLabels(config.maxKinds());
    this.fetch = new FetchMeters(registry);
    this.queue = new QueueMeters(registry);
  }

  /** A registry as fanout configures it (Prometheus's defaults). */
  static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Makes {@code registry} (the one Vert.x was built with) this instance's, with {@code config}.
   * Called once, right after Vert.x is built and before anything records.
   */
  static void attach(Vertx vertx, PrometheusMeterRegistry registry, MetricsConfig config) {
    map(vertx).putIfAbsent(KEY, new Meters(registry, config));
  }

  /**
   * Settles this instance's metrics configuration before its parts record: with {@code metrics.enabled}
   * false nothing is recorded (every meter is a no-op). A no-op when they were set already (at boot).
   */
  public static void configure(Vertx vertx, MetricsConfig config) {
    PrometheusMeterRegistry registry = newRegistry();
    if (!config.enabled()) {
      registry.config().meterFilter(MeterFilter.deny());
    }
    map(vertx).putIfAbsent(KEY, new Meters(registry, config));
  }

  /** The meters of {@code vertx} (made with the defaults when nothing configured them). */
  public static Meters of(Vertx vertx) {
    LocalMap<String, Meters> map = map(vertx);
    Meters m = map.get(KEY);
    if (m == null) {
      map.putIfAbsent(KEY, new Meters(newRegistry(), new MetricsConfig(true, 5000, 100)));
      m = map.get(KEY);
    }
    return m;
  }

  private static LocalMap<String, Meters> map(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }

  /** The registry {@code /metrics} renders. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The configuration these meters were made with. */
  public MetricsConfig config() {
    return config;
  }

  /** The fetchers' meters. */
  public FetchMeters fetch() {
    return fetch;
  }

  /** The queue worker's meters. */
  public QueueMeters queue() {
    return queue;
  }

  /** The job counts by kind and state, read from the database through {@code vertx} (made on first use). */
  public synchronized JobGauges jobs(Vertx vertx) {
    if (jobs == null) {
      jobs = new JobGauges(vertx, registry, kinds, config.queueRefreshMs());
    }
    return jobs;
  }
}
