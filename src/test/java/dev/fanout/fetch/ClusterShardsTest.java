package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchResult;
import dev.fanout.bus.HostShards;
import dev.fanout.cluster.Membership;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import dev.fanout.testing.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fetcher pools on three clustered nodes in one JVM (no database: the fetch part only), against
 * several target hosts (ports of 127.0.0.1) that count their requests in flight. The test thread
 * waits with {@code await()}: it is not an event loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterShardsTest {
  private static final int PER_HOST = 2;
  private static final JsonObject POOL = Fetchers.fetch("perHost", PER_HOST, "instances", 2, "concurrency", 64);
  TestCluster cluster;
  Vertx targets;

  @BeforeEach
  void start() {
    cluster = new TestCluster();
    targets = Vertx.vertx();
  }

  @AfterEach
  void stop() throws TimeoutException {
    cluster.close().await(30, TimeUnit.SECONDS);
    targets.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void per_host_limits_hold_across_the_cluster_and_every_node_fetches() throws TimeoutException {
    List<Vertx> nodes = startNodes(3);
    for (Vertx v : nodes) {
      Fetchers.deploy(v, POOL).await(30, TimeUnit.SECONDS);
    }
    OwnerTable table = converged(nodes, 6);
    List<TargetServer> hosts = hostsOwnedByEach(table, ids(nodes), 2);
    Map<Vertx, AtomicInteger> ran = watchHostSlots(nodes);
    List<Future<List<FetchResult>>> sent = new ArrayList<>();
    nodes.forEach(v -> sent.add(Fetchers.all(v, TargetServer.specs(hosts, 6, "/delay?ms=40"))));
    List<FetchResult> results = Future.all(sent).await(30, TimeUnit.SECONDS).<List<FetchResult>>list()
        .stream().flatMap(List::stream).toList();
    assertThat(results).hasSize(hosts.size() * 18).allMatch(FetchResult::ok);
    for (TargetServer t : hosts) {
      assertThat(t.maxInFlight()).as("host %d", t.port()).isBetween(1, PER_HOST);
      assertThat(t.requests()).isEqualTo(18);
    }
    assertThat(nodes).allSatisfy(v -> assertThat(ran.get(v).get()).isPositive());
  }

  @Test
  void a_node_that_joins_under_load_takes_shards_without_exceeding_the_limit() throws TimeoutException {
    List<Vertx> nodes = startNodes(3);
    Vertx joining = nodes.get(2);
    Fetchers.deploy(nodes.get(0), POOL).await(30, TimeUnit.SECONDS);
    Fetchers.deploy(nodes.get(1), POOL).await(30, TimeUnit.SECONDS);
    converged(nodes.subList(0, 2), 4);
    // the table once the third node's two fetchers join (ids <node>/1, <node>/2): hosts on every node
    List<String> after = new ArrayList<>(FetcherRegistry.of(nodes.get(0)).table().ids());
    after.add(Membership.nodeId(joining) + "/1");
    after.add(Membership.nodeId(joining) + "/2");
    List<TargetServer> hosts = hostsOwnedByEach(OwnerTable.of(0, after), ids(nodes), 2);
    Map<Vertx, AtomicInteger> ran = watchHostSlots(nodes);
    List<Future<List<FetchResult>>> sent = new ArrayList<>();
    nodes.subList(0, 2).forEach(v -> sent.add(Fetchers.all(v, TargetServer.specs(hosts, 12, "/delay?ms=30"))));
    Conditions.until(targets, () -> hosts.stream().allMatch(t -> t.requests() > 0), 10_000).await();
    Fetchers.deploy(joining, POOL).await(30, TimeUnit.SECONDS);
    sent.add(Fetchers.all(joining, TargetServer.specs(hosts, 2, "/delay?ms=30")));
    List<FetchResult> results = Future.all(sent).await(30, TimeUnit.SECONDS).<List<FetchResult>>list()
        .stream().flatMap(List::stream).toList();
    assertThat(results).hasSize(hosts.size() * 26).allMatch(FetchResult::ok);
    assertThat(hosts).allSatisfy(t -> assertThat(t.maxInFlight()).as("host %d", t.port()).isBetween(1, PER_HOST));
    assertThat(ran.get(joining).get()).isPositive();
    converged(nodes, 6);
  }

  private List<Vertx> startNodes(int n) throws TimeoutException {
    List<Vertx> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(cluster.start().await(30, TimeUnit.SECONDS).vertx());
    }
    Conditions.until(targets, () -> nodes.stream().allMatch(v -> Membership.nodes(v).size() == n), 10_000).await();
    return nodes;
  }

  private static Set<String> ids(List<Vertx> nodes) {
    return nodes.stream().map(Membership::nodeId).collect(Collectors.toSet());
  }

  /**
   * Waits until every node computed the same table of {@code fetchers} fetchers and the 256 shards
   * are owned, each once, none pending.
   */
  private OwnerTable converged(List<Vertx> nodes, int fetchers) throws TimeoutException {
    Conditions.until(targets, () -> {
      Set<List<String>> views = new HashSet<>();
      int owned = 0;
      int pending = 0;
      for (Vertx v : nodes) {
        OwnerTable t = FetcherRegistry.of(v).table();
        views.add(t == null ? List.of() : t.ids());
        for (JsonObject f : FetchPool.fetchers(v)) {
          owned += f.getInteger("shards");
          pending += f.getInteger("pending");
        }
      }
      return views.size() == 1 && views.iterator().next().size() == fetchers && owned == HostShards.COUNT
          && pending == 0;
    }, 10_000).await();
    return FetcherRegistry.of(nodes.get(0)).table();
  }

  /** Starts target hosts until each node owns at least {@code each} of them by {@code table}. */
  private List<TargetServer> hostsOwnedByEach(OwnerTable table, Set<String> nodes, int each) throws TimeoutException {
    List<TargetServer> hosts = new ArrayList<>();
    Map<String, Integer> owned = new ConcurrentHashMap<>();
    while (nodes.stream().anyMatch(n -> owned.getOrDefault(n, 0) < each)) {
      TargetServer t = TargetServer.start(targets).await(10, TimeUnit.SECONDS);
      String owner = FetcherRegistry.nodeOf(table.owner(HostShards.shardOf(HostShards.hostKey("127.0.0.1", t.port()))));
      if (owned.getOrDefault(owner, 0) < each) {
        owned.merge(owner, 1, Integer::sum);
        hosts.add(t);
      } else {
        t.close();
      }
    }
    return hosts;
  }

  /** The most per-host slots each node's fetchers held at once, sampled while the test runs. */
  private Map<Vertx, AtomicInteger> watchHostSlots(List<Vertx> nodes) {
    Map<Vertx, AtomicInteger> max = new ConcurrentHashMap<>();
    nodes.forEach(v -> max.put(v, new AtomicInteger()));
    targets.setPeriodic(2, id -> nodes.forEach(v -> {
      GlobalLimits limits = FetchPool.limits(v);
      if (limits != null) {
        max.get(v).accumulateAndGet(limits.hostSlots(), Math::max);
      }
    }));
    return max;
  }
}
