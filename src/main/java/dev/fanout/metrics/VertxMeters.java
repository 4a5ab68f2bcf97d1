package dev.fanout.metrics;

import dev.fanout.bus.Addresses;
import dev.fanout.config.MetricsConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

/**
 * Vert.x built with its own meters (HTTP server and client, pools, event bus) in the registry
 * {@code /metrics} renders, when {@code metrics.enabled}. The labels are chosen so that none can
 * grow without bound: no remote address (the fetch client's remote is every host fetched), no
 * request path (the route template instead); event-bus addresses that carry an id or a name (a
 * fetcher's, a job kind's, a node's, a shard's) are collapsed to their prefix and addresses that
 * are not fanout's to {@code other}; fanout's per-kind worker pools to {@code fanout-job-*}, and
 * HTTP clients' connection pools (named by endpoint) to {@code http}.
 */
public final class VertxMeters {
  /** Vert.x's labels fanout turns on: each takes few values. */
  static final EnumSet<Label> LABELS = EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE,
      Label.POOL_TYPE, Label.POOL_NAME, Label.EB_ADDRESS, Label.EB_SIDE, Label.EB_FAILURE, Label.CLIENT_NAME,
      Label.NAMESPACE);
  private static final List<String> ID_PREFIXES = List.of(Addresses.FETCHER_PREFIX, Addresses.JOB_HANDLER_PREFIX,
      Addresses.JOBS_KINDS_PREFIX, Addresses.CLUSTER_NODE_PREFIX, Addresses.FETCH_SHARD_PREFIX);
  private static final String JOB_POOLS = "fanout-job-";
  /** An HTTP client's connection pools are named by their endpoint (host:port): one name for all. */
  private static final MeterFilter HTTP_POOLS = new MeterFilter() {
    @Override
    public Meter.Id map(Meter.Id id) {
      if ("http".equals(id.getTag(Label.POOL_TYPE.toString())) && id.getTag(Label.POOL_NAME.toString()) != null) {
        return id.replaceTags(Tags.of(id.getTags()).and(Label.POOL_NAME.toString(), "http"));
      }
      return id;
    }
  };

  /**
   * A gauge whose labels the filters above would merge (a handler count per fetcher address, a
   * pool's connections per endpoint) is dropped: a gauge reads one value, so merged it would show
   * the first one registered only (and Micrometer warns at start). Counters and timers add up.
   */
  private static final MeterFilter MERGED_GAUGES = new MeterFilter() {
    @Override
    public MeterFilterReply accept(Meter.Id id) {
      if (id.getType() != Meter.Type.GAUGE) {
        return MeterFilterReply.NEUTRAL;
      }
      String address = id.getTag(Label.EB_ADDRESS.toString());
      String pool = id.getTag(Label.POOL_NAME.toString());
      boolean merged = address != null && !address.equals(address(address))
          || pool != null && (!pool.equals(pool(pool)) || "http".equals(id.getTag(Label.POOL_TYPE.toString())));
      return merged ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }
  };

  private final MetricsConfig config;
  private final PrometheusMeterRegistry registry;

  /** Meters for a Vert.x about to be built with {@code config}. */
  public VertxMeters(MetricsConfig config) {
    this.config = config;
    this.registry = config.enabled() ? Meters.newRegistry() : null;
  }

  /**
   * A builder of Vert.x with {@code options}, and with its meters when metrics are enabled. Build
   * it, then {@link #attach} the result.
   */
  public VertxBuilder builder(VertxOptions options) {
    if (registry == null) {
      return Vertx.builder().with(options);
    }
    registry.config().meterFilter(MERGED_GAUGES)
        .meterFilter(MeterFilter.replaceTagValues(Label.EB_ADDRESS.toString(), VertxMeters::address))
        .meterFilter(MeterFilter.replaceTagValues(Label.POOL_NAME.toString(), VertxMeters::pool))
        .meterFilter(HTTP_POOLS);
    // A name of its own: Vert.x keeps registries by name for the whole JVM, and a test JVM runs several.
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setLabels(LABELS)
        .setRegistryName("fanout-" + UUID.randomUUID()));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Makes the registry {@code vertx} was built with the one fanout records into and renders. */
  public Vertx attach(Vertx vertx) {
    if (registry != null) {
      Meters.attach(vertx, registry, config);
    }
    return vertx;
  }

  /** An event-bus address as a label: fanout's own, an id or name cut off; anyone else's, {@code other}. */
  static String address(String address) {
    for (String prefix : ID_PREFIXES) {
      if (address.startsWith(prefix)) {
        return prefix + "*";
      }
    }
    return address.startsWith("fanout.") ? address : "other";
  }

  /** A pool name as a label: the job handlers' pools (one per registration, numbered) as one. */
  static String pool(String name) {
    return name.startsWith(JOB_POOLS) ? JOB_POOLS + "*" : name;
  }
}
