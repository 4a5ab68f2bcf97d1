package dev.fanout.config;

/**
 * Where jobs live ({@code dataDir}, {@code pg.*}). With no {@code pg.url} fanout starts an
 * embedded PostgreSQL in {@code dataDir/pg}, kept across restarts.
 *
 * @param dataDir fanout's data directory (the embedded database lives in its {@code pg} folder)
 * @param url a {@code postgresql://user:pass@host:port/db} URL, or empty for the embedded server
 * @param poolSize connections in the pool
 * @param startTimeoutMs how long the embedded server may take to start
 * @param embeddedSharedBuffersMb the embedded server's buffer cache ({@code shared_buffers}), MB
 * @param healthCheckMs how often the database is probed ({@code SELECT 1}) for readiness
 * @param healthTimeoutMs how long a probe may take before the database counts as down
 * @param restartBackoffMs the wait before the second attempt to restart a dead embedded server
 *     (the first is at once); it doubles on each failed attempt
 * @param restartBackoffMaxMs the longest wait between restart attempts
 */
public record StoreConfig(String dataDir, String url, int poolSize, long startTimeoutMs, int embeddedSharedBuffersMb,
    long healthCheckMs, long healthTimeoutMs, long restartBackoffMs, long restartBackoffMaxMs) {

  /** The store with the default health and restart settings. */
  public StoreConfig(String dataDir, String url, int poolSize, long startTimeoutMs, int embeddedSharedBuffersMb) {
    this(dataDir, url, poolSize, startTimeoutMs, embeddedSharedBuffersMb, 500, 1000, 500, 30_000);
  }

  static StoreConfig read(ConfigReader r) {
    StoreConfig s = new StoreConfig(
        r.string("dataDir"),
        r.string("pg.url").trim(),
        r.intIn("pg.poolSize", 1, 1000),
        r.longIn("pg.startTimeoutMs", 1000, 600_000),
        r.intIn("pg.embeddedSharedBuffersMb", 16, 65_536),
        r.longIn("pg.healthCheckMs", 50, 60_000),
        r.longIn("pg.healthTimeoutMs", 50, 60_000),
        r.longIn("pg.restartBackoffMs", 10, 600_000),
        r.longIn("pg.restartBackoffMaxMs", 10, 3_600_000));
    if (!s.url.isEmpty() && !s.url.startsWith("postgresql://") && !s.url.startsWith("postgres://")) {
      throw new ConfigException("pg.url", "must start with postgresql:// (got \"" + s.url + "\")");
    }
    if (s.dataDir.isBlank()) {
      throw new ConfigException("dataDir", "must not be empty");
    }
    if (s.restartBackoffMaxMs < s.restartBackoffMs) {
      throw new ConfigException("pg.restartBackoffMaxMs",
          "must be at least pg.restartBackoffMs (" + s.restartBackoffMs + ")");
    }
    return s;
  }

  /** Whether fanout runs its own embedded PostgreSQL. */
  public boolean embedded() {
    return url.isEmpty();
  }
}
