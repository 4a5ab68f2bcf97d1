package dev.fanout.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.api.Registration;
import dev.fanout.bus.Addresses;
import dev.fanout.config.ClusterConfig;
import dev.fanout.deploy.Deployments;
import dev.fanout.queue.JobHandlers;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two clustered nodes in one JVM (a Vert.x and a Hazelcast member each, on loopback, a cluster
 * name of their own), the whole service on both over one database schema. The test thread waits
 * with {@code await()}: it is not an event loop.
 */
@TestMethodOrder(OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoNodeClusterTest {
  static Vertx a;
  static Vertx b;
  static int portA;
  static int portB;
  static WebClient webA;
  static WebClient webB;

  @BeforeAll
  static void start() throws IOException, TimeoutException {
    int first = freePort();
    ClusterConfig cfg = new ClusterConfig(true, "fanout-test-" + UUID.randomUUID(), List.of("127.0.0.1:" + first),
        "127.0.0.1", first, false);
    a = ClusterNode.start(new VertxOptions(), cfg).await(30, TimeUnit.SECONDS);
    b = ClusterNode.start(new VertxOptions(), cfg).await(30, TimeUnit.SECONDS); // the next port: auto-increment
    String schema = a.<String>executeBlocking(TestDb::url).compose(url -> TestDb.freshSchema(a)).await();
    portA = Service.startIn(a, schema, new JsonObject()).await();
    portB = Service.startIn(b, schema, new JsonObject()).await();
    webA = WebClient.create(a);
    webB = WebClient.create(b);
    Conditions.until(a, () -> Membership.nodes(a).size() == 2 && Membership.nodes(b).size() == 2, 10_000).await();
  }

  @AfterAll
  static void stop() throws TimeoutException {
    if (b != null) {
      ClusterNode.close(b).await(30, TimeUnit.SECONDS);
    }
    if (a != null) {
      ClusterNode.close(a).await(30, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static JsonObject http(WebClient web, int port) {
    var response = web.get(port, "127.0.0.1", "/v1/cluster").send().await();
    assertThat(response.statusCode()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static Map<String, JsonObject> byId(JsonObject status) {
    return status.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(n -> n.getString("id"), n -> n));
  }

  @Test
  @Order(1)
  void each_node_lists_both_in_v1_cluster_marking_itself() {
    String idA = Membership.nodeId(a);
    String idB = Membership.nodeId(b);
    assertThat(idA).isNotEqualTo(idB);
    for (var node : List.of(Map.entry(webA, portA), Map.entry(webB, portB))) {
      JsonObject status = http(node.getKey(), node.getValue());
      String self = node.getKey() == webA ? idA : idB;
      assertThat(status.getBoolean("clustered")).isTrue();
      assertThat(status.getString("self")).isEqualTo(self);
      Map<String, JsonObject> nodes = byId(status);
      assertThat(nodes).containsOnlyKeys(idA, idB);
      int[] shards = {0};
      nodes.forEach((id, n) -> {
        assertThat(n.getBoolean("reachable")).isTrue();
        assertThat(n.getBoolean("self")).isEqualTo(id.equals(self));
        assertThat(n.getString("host")).isEqualTo("127.0.0.1");
        assertThat(n.getJsonObject("kinds").fieldNames()).contains("echo", "fetch");
        JsonArray fetchers = n.getJsonArray("fetchers");
        assertThat(fetchers).isNotEmpty();
        assertThat(fetchers.stream().map(f -> ((JsonObject) f).getString("id"))).allMatch(f -> f.startsWith(id + "/"));
        shards[0] += fetchers.stream().mapToInt(f -> ((JsonObject) f).getInteger("shards")).sum();
        assertThat(n.getJsonObject("fetches").getInteger("inFlight")).isZero();
        assertThat(n.getJsonObject("jobs").getInteger("running")).isNotNull();
      });
      // the 256 host shards are owned across both nodes' fetchers, each by one
      assertThat(shards[0]).isEqualTo(256);
    }
  }

  @Test
  @Order(2)
  void a_kind_registered_on_b_only_shows_on_b_from_either_bus() {
    String kind = "only.b." + UUID.randomUUID();
    Registration reg = JobHandlers.register(b, kind, JobHandlers.Options.defaults(),
        job -> Future.succeededFuture(new JsonObject())).await();
    try {
      for (Vertx from : List.of(a, b)) {
        JsonObject status = from.eventBus().<JsonObject>request(Addresses.CLUSTER_STATUS, new JsonObject())
            .map(Message::body).await();
        Map<String, JsonObject> nodes = byId(status);
        assertThat(nodes).hasSize(2);
        assertThat(nodes.get(Membership.nodeId(b)).getJsonObject("kinds").fieldNames()).contains(kind);
        assertThat(nodes.get(Membership.nodeId(a)).getJsonObject("kinds").fieldNames()).doesNotContain(kind);
      }
    } finally {
      reg.unregister().await();
    }
  }

  @Test
  @Order(3)
  void fetches_sent_on_a_complete_whichever_node_runs_them() {
    TargetServer target = TargetServer.start(a).await();
    try {
      // fanout.fetch has consumers on both nodes: the bus spreads these over the cluster, and a
      // fetcher that does not own the host passes the spec on, across the wire when it must
      List<Future<JsonObject>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        results.add(a.eventBus().<JsonObject>request(Addresses.FETCH, new JsonObject().put("url", target.url("/ok")))
            .map(Message::body));
      }
      Future.all(results).await();
      assertThat(results).allSatisfy(r -> assertThat(r.result().getInteger("status")).isEqualTo(200));
      assertThat(target.requests()).isEqualTo(20);
    } finally {
      target.close().await();
    }
  }

  @Test
  @Order(4) // last: it stops b's status verticle
  void a_node_that_does_not_answer_is_marked_unreachable() {
    String statusOnB = Deployments.all(b).stream().filter(d -> d.getString("name").equals("cluster"))
        .map(d -> d.getString("id")).findFirst().orElseThrow();
    b.undeploy(statusOnB).await();
    Map<String, JsonObject> nodes = byId(http(webA, portA));
    assertThat(nodes.get(Membership.nodeId(a)).getBoolean("reachable")).isTrue();
    assertThat(nodes.get(Membership.nodeId(b)).getBoolean("reachable")).isFalse();
  }
}
