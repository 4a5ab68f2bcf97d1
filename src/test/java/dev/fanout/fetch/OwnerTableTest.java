package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.HostShards;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OwnerTableTest {
  /** Node ids like Vert.x's (random UUIDs), from a fixed seed: the same table at every run. */
  private final Random random = new Random(42);

  private String node() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private static List<String> ids(String node, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      ids.add(node + "/" + i);
    }
    return ids;
  }

  @Test
  void shards_are_spread_evenly_over_the_fetchers() {
    List<String> ids = new ArrayList<>(ids(node(), 4));
    ids.addAll(ids(node(), 4));
    OwnerTable t = OwnerTable.of(1, ids);
    for (String id : ids) {
      // 256 / 8 = 32 on average; a well-mixed hash keeps each near it (27 to 40 for these ids)
      assertThat(t.count(id)).as(id).isBetween(20, 45);
    }
    assertThat(ids.stream().mapToInt(t::count).sum()).isEqualTo(HostShards.COUNT);
  }

  @Test
  void adding_a_fetcher_moves_only_shards_to_it() {
    List<String> ids = new ArrayList<>(ids(node(), 3));
    OwnerTable before = OwnerTable.of(1, ids);
    String added = node() + "/1";
    ids.add(added);
    OwnerTable after = OwnerTable.of(2, ids);
    int moved = 0;
    for (int k = 0; k < HostShards.COUNT; k++) {
      if (!before.owner(k).equals(after.owner(k))) {
        assertThat(after.owner(k)).isEqualTo(added);
        moved++;
      }
    }
    // about 1/(F+1) = 64 of 256
    assertThat(moved).isEqualTo(after.count(added)).isBetween(32, 100);
  }

  @Test
  void removing_a_fetcher_moves_only_its_own_shards() {
    List<String> ids = ids(node(), 5);
    OwnerTable before = OwnerTable.of(1, ids);
    OwnerTable after = OwnerTable.of(2, ids.subList(1, 5));
    for (int k = 0; k < HostShards.COUNT; k++) {
      if (!before.owner(k).equals(ids.get(0))) {
        assertThat(after.owner(k)).isEqualTo(before.owner(k));
      }
    }
  }

  @Test
  void the_table_is_the_same_in_any_order_of_ids() {
    List<String> ids = new ArrayList<>(ids(node(), 3));
    ids.addAll(ids(node(), 3));
    OwnerTable first = OwnerTable.of(1, ids);
    Collections.shuffle(ids, new Random(7));
    OwnerTable second = OwnerTable.of(9, ids);
    assertThat(second.owners()).containsExactly(first.owners());
    assertThat(second.ids()).isEqualTo(first.ids());
  }

  @Test
  void no_fetchers_means_no_owners() {
    assertThat(OwnerTable.of(1, List.of()).owner(0)).isNull();
  }
}
