package dev.fanout.config;

/**
 * Prometheus metrics ({@code metrics.*}), served at {@code /metrics}.
 *
 * @param enabled whether Vert.x is built with its meters and {@code /metrics} exists (else a 404)
 * @param queueRefreshMs how old the job counts a scrape shows may be: the queues are read from
 *     the database at most this often, however often scrapes come
 * @param maxKinds distinct job kinds that get their own {@code kind} label; the rest are counted
 *     under {@code kind="other"}
 */
public record MetricsConfig(boolean enabled, long queueRefreshMs, int maxKinds) {

  static MetricsConfig read(ConfigReader r) {
    return new MetricsConfig(r.bool("metrics.enabled"), r.longIn("metrics.queueRefreshMs", 0, 3_600_000),
        r.intIn("metrics.maxKinds", 1, 10_000));
  }
}
