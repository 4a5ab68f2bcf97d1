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
}
