package dev.fanout.fetch;

import dev.fanout.bus.HostShards;
import java.util.Arrays;
import java.util.List;

/**
 * Who owns each host shard: for shard {@code k}, the live fetcher id {@code f} with the highest
 * {@link #score(int, String)} (rendezvous, or highest-random-weight, hashing). Every node computes
 * the same table from the same set of ids, in any order; adding a fetcher moves only the shards it
 * wins (about 1/(F+1) of them), removing one moves only its own.
 *
 * @param version this node's sequence number of the table (a fetcher ignores an older one)
 * @param ids the live fetcher ids it was computed from, sorted
 * @param owners the owner id of each shard; null entries only when {@code ids} is empty
 */
public record OwnerTable(long version, List<String> ids, String[] owners) {
  /** The table of {@code ids} (sorted or not). */
  public static OwnerTable of(long version, List<String> ids) {
    List<String> sorted = ids.stream().sorted().distinct().toList();
    String[] owners = new String[HostShards.COUNT];
    long[] hashes = sorted.stream().mapToLong(OwnerTable::idHash).toArray();
    for (int k = 0; k < owners.length; k++) {
      long best = 0;
      for (int i = 0; i < hashes.length; i++) {
        long s = mix(hashes[i] + k * 0x9E3779B97F4A7C15L);
        // ties (vanishingly rare) go to the smaller id: sorted order, so the first one seen
        if (owners[k] == null || Long.compareUnsigned(s, best) > 0) {
          best = s;
          owners[k] = sorted.get(i);
        }
      }
    }
    return new OwnerTable(version, sorted, owners);
  }

  /** The weight of fetcher {@code id} for {@code shard}: stable across JVMs, well mixed. */
  public static long score(int shard, String id) {
    return mix(idHash(id) + shard * 0x9E3779B97F4A7C15L);
  }

  /** The owner of {@code shard}, or null when there is no fetcher. */
  public String owner(int shard) {
    return owners[shard];
  }

  /** The number of shards {@code id} owns. */
  public int count(String id) {
    return (int) Arrays.stream(owners).filter(id::equals).count();
  }

  /** Whether {@code id} is one of the fetchers this table was computed from. */
  public boolean has(String id) {
    return ids.contains(id);
  }

  // String.hashCode is specified by the JLS, so every JVM computes the same; the id's length is
  // mixed in too, and the murmur3 64-bit finaliser spreads ids that differ in one character.
  private static long idHash(String id) {
    return mix(((long) id.hashCode() << 32) ^ id.length());
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
