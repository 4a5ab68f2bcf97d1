package dev.fanout.config;

import dev.fanout.bus.GatherRequest;

/**
 * Limits of one gather request ({@code gather.*}), over HTTP and on {@code fanout.gather}.
 *
 * @param maxRequests the most URLs or specs in one request
 * @param defaultConcurrency the concurrency when a request sets none
 * @param maxConcurrency the highest concurrency a request may ask for
 * @param maxSettleBytes the most captured body bytes a settled (non-streamed) response may hold;
 *     0 means an eighth of the heap
 * @param maxLineBytes the longest line of a streamed (NDJSON) request body; a longer line is a
 *     failed result, not a failed request
 */
public record GatherConfig(int maxRequests, int defaultConcurrency, int maxConcurrency, long maxSettleBytes,
    int maxLineBytes) {

  static GatherConfig read(ConfigReader r) {
    GatherConfig g = new GatherConfig(
        r.intIn("gather.maxRequests", 1, 10_000_000),
        r.intIn("gather.defaultConcurrency", 1, 1_000_000),
        r.intIn("gather.maxConcurrency", 1, 1_000_000),
        r.longIn("gather.maxSettleBytes", 0, Long.MAX_VALUE),
        r.intIn("gather.maxLineBytes", 256, 64 << 20));
    if (g.defaultConcurrency > g.maxConcurrency) {
      throw new ConfigException("gather.defaultConcurrency", "must not exceed gather.maxConcurrency");
    }
    return g;
  }

  /** {@code maxSettleBytes} in effect: as configured, or an eighth of the largest heap the JVM may use. */
  public long settleLimit() {
    return HeapShare.orEighth(maxSettleBytes);
  }

  /** Refuses a settled {@code req} whose captured bodies could exceed {@link #settleLimit()}. */
  public void checkSettle(GatherRequest req) {
    req.checkSettleSize(settleLimit());
  }

  /** The limits a {@link GatherRequest} is checked against. */
  public GatherRequest.Limits limits() {
    return new GatherRequest.Limits(maxRequests, defaultConcurrency, maxConcurrency);
  }
}
