package dev.fanout.bus;

/**
 * Event-bus addresses: the public contract between fanout's verticles and anyone else on the bus
 * (verticles of your own, other cluster nodes, bridge clients).
 */
public final class Addresses {
  /** Request: a fetch spec; reply: a fetch result. Routes to the owning shard. */
  public static final String FETCH = "fanout.fetch";
  /** Prefix of the per-shard fetch addresses; see {@link #fetchShard(int)}. */
  public static final String FETCH_SHARD_PREFIX = "fanout.fetch.shard.";
  /**
   * Publish: {@code {group}} ends every fetch of that cancel group still queued or running, with
   * error kind {@code cancelled} (fail-fast gathers, clients that went away).
   */
  public static final String FETCH_CANCEL = "fanout.fetch.cancel";
  /** Request: {@code {requests, concurrency, mode}}; reply: {@code {results, stats}}. */
  public static final String GATHER = "fanout.gather";
  /** Publish: job and batch state changes, throughput ticks. */
  public static final String EVENTS = "fanout.events";

  private Addresses() {}

  /**
   * The address consumed by the single owner of shard {@code shard}. Senders that know a URL's
   * host can use it directly ({@link HostShards#addressOf(String)}) and save the routing hop of
   * {@link #FETCH}.
   */
  public static String fetchShard(int shard) {
    return FETCH_SHARD_PREFIX + shard;
  }
}
