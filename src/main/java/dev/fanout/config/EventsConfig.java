package dev.fanout.config;

/**
 * The live event stream, {@code GET /v1/events} ({@code events.*}).
 *
 * @param tickMs how often each stream gets a {@code tick} snapshot; at most 15 s, so a tick is
 *     also the stream's keep-alive
 * @param maxClients streams one web verticle serves at once; one more is a 503
 * @param maxBufferedBytes bytes a stream may have waiting to be sent (its write queue); a client
 *     whose backlog passes it is disconnected
 */
public record EventsConfig(long tickMs, int maxClients, int maxBufferedBytes) {

  static EventsConfig read(ConfigReader r) {
    return new EventsConfig(
        r.longIn("events.tickMs", 10, 15_000),
        r.intIn("events.maxClients", 0, 100_000),
        r.intIn("events.maxBufferedBytes", 1024, 1 << 30));
  }
}
