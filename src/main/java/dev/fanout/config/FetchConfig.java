package dev.fanout.config;

import dev.fanout.bus.Capture;
import dev.fanout.bus.FetchSpec;
import java.util.Set;

/**
 * The fetcher pool's settings ({@code fetch.*}): limits, timeouts, retries and body handling.
 * Per-fetch fields of a spec override the matching defaults here.
 *
 * @param instances fetcher verticles; 0 means one per event loop
 * @param concurrency the global cap of fetches in flight in this process
 * @param perHost the cap of fetches in flight per host (host and port)
 * @param perHostRate requests per second per host (token bucket); 0 means unlimited
 * @param maxQueued fetches waiting for a permit in this process; past it, {@code overloaded}
 * @param connectTimeoutMs limit of the TCP connect, and of the TLS handshake after it
 * @param idleTimeoutMs the longest wait for a byte once connected
 * @param timeoutMs default limit of one attempt
 * @param deadlineMs default limit of a whole fetch
 * @param retries default number of retries
 * @param backoffBaseMs first backoff ceiling; doubled each retry, with full jitter
 * @param backoffMaxMs cap of the backoff ceiling
 * @param retryAfterMaxMs the longest Retry-After honoured; a longer one ends the fetch
 * @param maxBytes default body cap in bytes
 * @param followRedirects default for following redirects
 * @param maxRedirects the most redirects one fetch follows
 * @param capture default capture mode: none, text or base64
 * @param userAgent the User-Agent sent when the spec sets none
 * @param maxResponseHeaderBytes the largest response header block accepted
 * @param keepAliveTimeoutMs how long an idle pooled connection is kept
 * @param captureBudgetBytes captured body bytes all fetchers may hold at once; 0 means an eighth of the heap
 * @param handoverTimeoutMs the longest a host shard that moved waits for its previous owner's release
 *     before its new owner starts fetches (past it, a host may briefly see up to twice its limit)
 */
public record FetchConfig(
    int instances,
    int concurrency,
    int perHost,
    double perHostRate,
    int maxQueued,
    long connectTimeoutMs,
    long idleTimeoutMs,
    long timeoutMs,
    long deadlineMs,
    int retries,
    long backoffBaseMs,
    long backoffMaxMs,
    long retryAfterMaxMs,
    long maxBytes,
    boolean followRedirects,
    int maxRedirects,
    String capture,
    String userAgent,
    int maxResponseHeaderBytes,
    long keepAliveTimeoutMs,
    long captureBudgetBytes,
    long handoverTimeoutMs) {

  private static final long DAY_MS = 86_400_000L;

  static FetchConfig read(ConfigReader r) {
    return new FetchConfig(
        r.intIn("fetch.instances", 0, 1024),
        r.intIn("fetch.concurrency", 1, 1_000_000),
        r.intIn("fetch.perHost", 1, 100_000),
        r.doubleIn("fetch.perHostRate", 0, 1_000_000),
        r.intIn("fetch.maxQueued", 1, 100_000_000),
        r.longIn("fetch.connectTimeoutMs", 1, DAY_MS),
        r.longIn("fetch.idleTimeoutMs", 1, DAY_MS),
        r.longIn("fetch.timeoutMs", 1, DAY_MS),
        r.longIn("fetch.deadlineMs", 1, DAY_MS),
        r.intIn("fetch.retries", 0, 100),
        r.longIn("fetch.backoffBaseMs", 0, DAY_MS),
        r.longIn("fetch.backoffMaxMs", 0, DAY_MS),
        r.longIn("fetch.retryAfterMaxMs", 0, DAY_MS),
        r.longIn("fetch.maxBytes", 0, Long.MAX_VALUE),
        r.bool("fetch.followRedirects"),
        r.intIn("fetch.maxRedirects", 0, 100),
        r.oneOf("fetch.capture", Set.of("none", "text", "base64")),
        r.string("fetch.userAgent"),
        r.intIn("fetch.maxResponseHeaderBytes", 1024, 1 << 20),
        r.longIn("fetch.keepAliveTimeoutMs", 1000, DAY_MS),
        r.longIn("fetch.captureBudgetBytes", 0, Long.MAX_VALUE),
        r.longIn("fetch.handoverTimeoutMs", 1, DAY_MS));
  }

  /**
   * The per-fetch defaults a spec is resolved over: every spec field that is not set takes the
   * value here. Keep the one value: every spec without settings of its own shares it.
   */
  public FetchSpec.Options defaults() {
    return new FetchSpec.Options(new FetchSpec.Timeouts(timeoutMs, deadlineMs), retries, maxBytes, followRedirects,
        maxRedirects, Capture.parse("fetch.capture", capture), userAgent);
  }

  /** {@code captureBudgetBytes} in effect: as configured, or an eighth of the largest heap the JVM may use. */
  public long captureBudget() {
    return HeapShare.orEighth(captureBudgetBytes);
  }
}
