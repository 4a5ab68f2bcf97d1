package dev.fanout.web;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.vertx.core.shareddata.Shareable;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request rate limits by client (a token's id, or the client's address when the API is open):
 * one Bucket4j token bucket per client ({@code api.ratePerSecond} refilled greedily,
 * {@code api.rateBurst} deep), lock-free, shared by every web verticle of this process so a
 * client's limit does not depend on which event loop took its connection. Buckets that are full
 * again are forgotten by {@link #sweep()}; past {@link #MAX_CLIENTS} at once, new clients share one
 * bucket rather than growing the map without bound.
 */
final class RateLimits implements Shareable {
  /** The most clients tracked one by one. */
  static final int MAX_CLIENTS = 100_000;
  private static final String OVERFLOW = "\u0000overflow";

  private final double perSecond;
  private final int burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimits(double perSecond, int burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Takes one request of {@code client}: 0 when it may go on, else the seconds it must wait (1 at least). */
  long take(String client) {
    String key = buckets.size() >= MAX_CLIENTS && !buckets.containsKey(client) ? OVERFLOW : client;
    ConsumptionProbe probe = buckets.computeIfAbsent(key, k -> bucket()).tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return 0;
    }
    return Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
  }

  /** Forgets clients whose bucket is full again: they would start the same way anew. */
  void sweep() {
    buckets.values().removeIf(b -> b.getAvailableTokens() >= burst);
  }

  private Bucket bucket() {
    // a refill of `perSecond` tokens a second, as whole tokens per period: 0.5/s is 1 token every 2 s
    long tokens = Math.max(1, Math.round(perSecond));
    Duration period = Duration.ofNanos(Math.round(tokens * 1e9 / perSecond));
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(tokens, period).build())
        .build();
  }
}
