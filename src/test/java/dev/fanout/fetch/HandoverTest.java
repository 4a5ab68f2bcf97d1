package dev.fanout.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.FetchResult;
import dev.fanout.bus.HostShards;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shard hand-over on one node as fetchers added at run time leave, step by step. The test thread
 * waits with {@code await()}: it is not an event loop.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandoverTest {
  private static final int PER_HOST = 2;

  /**
   * Fetchers A (the pool), B and C; a host whose shard is B's, and C's once B is gone. B runs two
   * slow fetches of it and queues four more; B leaves (the shard goes to C, pending on B's release),
   * then C leaves before B's slow fetches end (the shard goes to A). A must not start the host's
   * fetches until B's have ended: C's release of a shard it never ran waits for B's release.
   */
  @Test
  void a_shard_moved_on_while_pending_waits_for_the_owner_before(Vertx vertx) throws TimeoutException {
    Fetchers.deploy(vertx, Fetchers.fetch("instances", 1, "perHost", PER_HOST)).await(30, TimeUnit.SECONDS);
    String a = ids(vertx).get(0);
    String bDeployment = FetchPool.add(vertx, 1).await(30, TimeUnit.SECONDS);
    String b = newest(vertx, List.of(a));
    String cDeployment = FetchPool.add(vertx, 1).await(30, TimeUnit.SECONDS);
    String c = newest(vertx, List.of(a, b));
    Conditions.until(vertx, () -> settled(vertx, 3), 10_000).await();
    TargetServer host = hostMovingThrough(vertx, OwnerTable.of(0, List.of(a, b, c)), b,
        OwnerTable.of(0, List.of(a, c)), c);

    List<Future<FetchResult>> fetches = new ArrayList<>();
    for (int i = 0; i < PER_HOST; i++) {
      fetches.add(Fetchers.get(vertx, host.url("/delay?ms=1500")));
    }
    Conditions.until(vertx, () -> host.inFlight() == PER_HOST, 10_000).await();
    for (int i = 0; i < 4; i++) {
      fetches.add(Fetchers.get(vertx, host.url("/delay?ms=5")));
    }
    GlobalLimits limits = FetchPool.limits(vertx);
    Conditions.until(vertx, () -> limits.queued() == 4, 10_000).await(); // queued at B, behind its slots

    Future<Void> bGone = vertx.undeploy(bDeployment);
    // the shard is C's now, held until B releases it, which B does once its slow fetches end
    Conditions.until(vertx, () -> pending(vertx, c) > 0, 10_000).await();
    Future<Void> cGone = vertx.undeploy(cDeployment);

    List<FetchResult> results = Future.all(fetches).await(30, TimeUnit.SECONDS).list();
    Future.all(bGone, cGone).await(30, TimeUnit.SECONDS);
    assertThat(results).hasSize(6).allMatch(FetchResult::ok);
    assertThat(host.requests()).isEqualTo(6);
    assertThat(host.maxInFlight()).isEqualTo(PER_HOST);
    assertThat(ids(vertx)).containsExactly(a);
    Conditions.until(vertx, () -> settled(vertx, 1), 10_000).await();
  }

  private static List<String> ids(Vertx vertx) {
    return FetchPool.fetchers(vertx).stream().map(f -> f.getString("id")).toList();
  }

  private static String newest(Vertx vertx, List<String> known) {
    return ids(vertx).stream().filter(id -> !known.contains(id)).findFirst().orElseThrow();
  }

  private static int pending(Vertx vertx, String id) {
    return FetchPool.fetchers(vertx).stream().filter(f -> id.equals(f.getString("id")))
        .mapToInt(f -> f.getInteger("pending")).sum();
  }

  /** {@code n} fetchers own the 256 shards between them, none pending. */
  private static boolean settled(Vertx vertx, int n) {
    List<JsonObject> all = FetchPool.fetchers(vertx);
    return all.size() == n && all.stream().mapToInt(f -> f.getInteger("shards")).sum() == HostShards.COUNT
        && all.stream().allMatch(f -> f.getInteger("pending") == 0);
  }

  /** A target host whose shard {@code first} gives to {@code from} and {@code then} to {@code to}. */
  private static TargetServer hostMovingThrough(Vertx vertx, OwnerTable first, String from, OwnerTable then,
      String to) throws TimeoutException {
    while (true) {
      TargetServer t = TargetServer.start(vertx).await(10, TimeUnit.SECONDS);
      int k = HostShards.shardOf(HostShards.hostKey("127.0.0.1", t.port()));
      if (from.equals(first.owner(k)) && to.equals(then.owner(k))) {
        return t;
      }
      t.close().await(10, TimeUnit.SECONDS);
    }
  }
}
