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
 */
public record StoreConfig(String dataDir, String url, int poolSize, long startTimeoutMs, int embeddedSharedBuffersMb) {

  static StoreConfig read(ConfigReader r) {
    StoreConfig s = new StoreConfig(
        r.string("dataDir"),
        r.string("pg.url").trim(),
        r.intIn("pg.poolSize", 1, 1000),
        r.longIn("pg.startTimeoutMs", 1000, 600_000),
        r.intIn("pg.embeddedSharedBuffersMb", 16, 65_536));
    if (!s.url.isEmpty() && !s.url.startsWith("postgresql://") && !s.url.startsWith("postgres://")) {
      throw new ConfigException("pg.url", "must start with postgresql:// (got \"" + s.url + "\")");
    }
    if (s.dataDir.isBlank()) {
      throw new ConfigException("dataDir", "must not be empty");
    }
    return s;
  }

  /** Whether fanout runs its own embedded PostgreSQL. */
  public boolean embedded() {
    return url.isEmpty();
  }
}
