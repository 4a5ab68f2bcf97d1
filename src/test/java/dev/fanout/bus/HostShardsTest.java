package dev.fanout.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostShardsTest {

  @Test
  void spreads_similar_hosts_over_many_shards() {
    Set<Integer> shards = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      shards.add(HostShards.shardOf(HostShards.hostKey("10.0." + (i / 256) + "." + (i % 256), 80)));
    }
    assertThat(shards.size()).isGreaterThan(200);
  }

  @Test
  void is_stable_and_in_range() {
    int s = HostShards.shardOf("example.com:443");
    assertThat(HostShards.shardOf("example.com:443")).isEqualTo(s);
    assertThat(s).isBetween(0, HostShards.COUNT - 1);
    assertThat(HostShards.addressOf("example.com:443")).isEqualTo("fanout.fetch.shard." + s);
  }

  /** The mapping is part of the contract: a client on another node or in another language computes the same. */
  @Test
  void known_keys_map_to_their_documented_shards() {
    assertThat(HostShards.shardOf("example.com:443")).isEqualTo(114);
    assertThat(HostShards.shardOf("example.com:80")).isEqualTo(93);
    assertThat(HostShards.shardOf("127.0.0.1:8080")).isEqualTo(204);
    assertThat(HostShards.shardOf("127.0.0.2:8080")).isEqualTo(214);
    assertThat(HostShards.shardOf("::1:80")).isEqualTo(121);
    assertThat(HostShards.shardOf("a:1")).isEqualTo(91);
    assertThat(HostShards.hostKey("example.com", 443)).isEqualTo("example.com:443");
  }
}
