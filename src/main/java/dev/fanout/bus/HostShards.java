package dev.fanout.bus;

import dev.fanout.net.UrlTarget;

/**
 * Maps a host key to one of a fixed number of shards. Every shard has exactly one owning fetcher,
 * so all state of a host (in-flight count, rate bucket, Retry-After pause) lives in one place.
 *
 * <p>The host key is the URL's lowercased host and effective port ({@code example.com:443}), as
 * aiohttp's per-host limit: two ports of one machine are two hosts.
 */
public final class HostShards {
  /** The number of shards; fixed, so every node and client computes the same mapping. */
  public static final int COUNT = 256;

  private static final String[] ADDRESSES = new String[COUNT];

  static {
    for (int i = 0; i < COUNT; i++) {
      ADDRESSES[i] = Addresses.fetchShard(i);
    }
  }

  private HostShards() {}

  /** The shard of a host key (see {@link #hostKey(String, int)}). */
  public static int shardOf(String hostKey) {
    // String.hashCode is specified by the JLS, so stable across JVMs; the murmur3 finaliser
    // spreads keys that differ in one character (127.0.0.2, 127.0.0.3, ...) over the shards.
    int h = hostKey.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, COUNT);
  }

  /** The bus address of the shard that owns a host key. */
  public static String addressOf(String hostKey) {
    return ADDRESSES[shardOf(hostKey)];
  }

  /** The host key: lowercased host (IPv6 without brackets) and port ({@link UrlTarget#hostKey(String, int)}). */
  public static String hostKey(String host, int port) {
    return UrlTarget.hostKey(host, port);
  }
}
