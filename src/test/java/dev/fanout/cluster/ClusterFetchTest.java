package dev.fanout.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.fetch.FetchPool;
import dev.fanout.fetch.GlobalLimits;
import dev.fanout.gather.GatherVerticle;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import dev.fanout.testing.TestCluster;
import dev.fanout.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Gathers across two clustered nodes in this JVM, each with a fetcher pool, a gather verticle and
 * its cluster status (node A serves HTTP too), against many hosts (ports of 127.0.0.1, served by a
 * Vert.x of their own): the fetches of a gather sent on A run on both nodes' fetchers, and a
 * fail-fast failure or a client that leaves ends them on both. Whichever node owns which host
 * (every node all of them, the bus spreading the sends; or one fetcher in the cluster each), many
 * hosts put fetches on every node: the tests check that, not who owns what. The test thread
 * waits with {@code await()}: it is not an event loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterFetchTest {
  /** Hosts per gather: enough that an owner picked by hashing puts some on each node. */
  private static final int HOSTS = 16;
  /** A fetch that would hang this long unless cancelled: far beyond the waits below. */
  private static final long LONG_MS = 60_000;
  private static final JsonObject CONFIG = Fetchers.config(new JsonObject()
      .put("fetch", new JsonObject().put("instances", 2).put("retries", 0).put("perHost", 4)
          .put("timeoutMs", LONG_MS).put("idleTimeoutMs", LONG_MS))
      .put("http", new JsonObject().put("port", 0).put("instances", 1)));

  static TestCluster cluster;
  static TestCluster.Node a;
  static TestCluster.Node b;
  static Vertx internet;
  static int port;
  HttpClient http;
  List<TargetServer> targets;
  AtomicInteger atTargets;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    a = cluster.start().await();
    b = cluster.start().await();
    for (TestCluster.Node n : List.of(a, b)) {
      FetchPool.deploy(n.vertx(), CONFIG).await();
      n.vertx().deployVerticle(GatherVerticle.class, new DeploymentOptions().setConfig(CONFIG)).await();
      n.vertx().deployVerticle(ClusterStatusVerticle.class, new DeploymentOptions().setConfig(CONFIG)).await();
    }
    a.vertx().deployVerticle(WebVerticle.class, new DeploymentOptions().setConfig(CONFIG)).await();
    port = WebVerticle.boundPort(a.vertx());
    internet = Vertx.vertx();
    Conditions.until(internet, () -> Membership.nodes(a.vertx()).size() == 2
        && Membership.nodes(b.vertx()).size() == 2, 10_000).await();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close().await();
    }
    if (internet != null) {
      internet.close().await();
    }
  }

  @BeforeEach
  void hosts() {
    atTargets = new AtomicInteger();
    targets = TargetServer.startMany(internet, HOSTS, atTargets, new AtomicInteger()).await();
    http = a.vertx().createHttpClient();
  }

  @AfterEach
  void closeHosts() {
    Future.join(targets.stream().map(TargetServer::close).toList()).await();
  }

  @Test
  void a_gather_sent_on_a_runs_on_the_fetchers_of_every_node() {
    Map<String, Long> before = completed();
    JsonObject reply = gather(new JsonObject().put("requests", requests(4, "/ok")).put("concurrency", 16)).await();
    Map<String, Long> after = completed();
    assertThat(reply.getJsonObject("stats").getInteger("ok")).isEqualTo(4 * HOSTS);
    assertThat(after).containsOnlyKeys(a.id(), b.id());
    after.forEach((node, n) -> assertThat(n - before.get(node)).as("fetches completed on " + node).isPositive());
    long total = after.keySet().stream().mapToLong(node -> after.get(node) - before.get(node)).sum();
    assertThat(total).as("each fetch counted once, where it ran").isEqualTo(4 * HOSTS);
  }

  @Test
  void a_fail_fast_failure_cancels_the_fetches_running_on_every_node() {
    List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
    HttpServer gate = internet.createHttpServer().requestHandler(req -> held.add(req.response()))
        .listen(0, "127.0.0.1").await();
    try {
      JsonArray requests = requests(2, "/hang")
          .add(spec("http://127.0.0.1:" + gate.actualPort() + "/fails-when-told"));
      Future<JsonObject> reply = gather(new JsonObject().put("requests", requests).put("mode", "fail-fast")
          .put("concurrency", requests.size()));
      Conditions.until(internet, () -> atTargets.get() == 2 * HOSTS && held.size() == 1
          && inFlight(a) > 0 && inFlight(b) > 0, 10_000).await();
      held.get(0).setStatusCode(500).end(); // the one failure: everything else is cancelled
      JsonArray results = reply.await().getJsonArray("results");
      assertThat(results).hasSize(2 * HOSTS + 1);
      for (int i = 0; i < 2 * HOSTS; i++) {
        assertThat(results.getJsonObject(i).getJsonObject("error").getString("kind")).as("result " + i)
            .isEqualTo("cancelled");
      }
      assertThat(results.getJsonObject(2 * HOSTS).getInteger("status")).isEqualTo(500);
      // the targets see every connection end, long before the fetches' own timeouts
      Conditions.until(internet, () -> atTargets.get() == 0 && inFlight(a) == 0 && inFlight(b) == 0, 10_000)
          .await();
    } finally {
      gate.close().await();
    }
  }

  @Test
  void a_client_that_leaves_a_streamed_gather_cancels_its_fetches_on_every_node() {
    JsonObject body = new JsonObject().put("requests", requests(2, "/hang")).put("concurrency", 2 * HOSTS);
    HttpClientRequest request = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(port).setURI("/v1/fetch").putHeader("Accept", "application/x-ndjson")).await();
    request.send(body.toBuffer());
    Conditions.until(internet, () -> atTargets.get() == 2 * HOSTS && inFlight(a) > 0 && inFlight(b) > 0, 10_000)
        .await();
    request.connection().close().await();
    Conditions.until(internet, () -> atTargets.get() == 0 && inFlight(a) == 0 && inFlight(b) == 0, 10_000)
        .await();
  }

  /** {@code rounds} GETs of {@code path} at every host, interleaved, each allowed {@link #LONG_MS}. */
  private JsonArray requests(int rounds, String path) {
    JsonArray requests = new JsonArray();
    for (int i = 0; i < rounds; i++) {
      for (TargetServer t : targets) {
        requests.add(spec(t.url(path + "?round=" + i)));
      }
    }
    return requests;
  }

  private static JsonObject spec(String url) {
    return new JsonObject().put("url", url).put("timeoutMs", LONG_MS).put("deadlineMs", LONG_MS);
  }

  private static Future<JsonObject> gather(JsonObject request) {
    return a.vertx().eventBus().<JsonObject>request(Addresses.GATHER, request,
        new DeliveryOptions().setSendTimeout(2 * LONG_MS)).map(Message::body);
  }

  /** The fetches holding a permit on {@code node} now. */
  private static int inFlight(TestCluster.Node node) {
    GlobalLimits limits = FetchPool.limits(node.vertx());
    return limits.inFlight();
  }

  /** Each node's {@code fetches.completed}, as the cluster status (asked on A) reports it. */
  private static Map<String, Long> completed() {
    JsonObject status = a.vertx().eventBus().<JsonObject>request(Addresses.CLUSTER_STATUS, new JsonObject())
        .map(Message::body).await();
    List<JsonObject> nodes = new ArrayList<>();
    status.getJsonArray("nodes").forEach(n -> nodes.add((JsonObject) n));
    return nodes.stream().collect(Collectors.toMap(n -> n.getString("id"),
        n -> n.getJsonObject("fetches").getLong("completed")));
  }
}
