package dev.fanout.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.api.Registration;
import dev.fanout.bus.Addresses;
import dev.fanout.queue.JobHandlers;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TestCluster;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The jobs API's view of job kinds across two clustered nodes running the whole service on one
 * database (and, for one test, a third member with no service): enqueue's {@code unhandled} and
 * {@code GET /v1/queues} count the kinds served on every live node, a member that does not answer
 * is named rather than waited for, and a batch run on one node is waited on from the other.
 * The test thread waits with {@code await()}: it is not an event loop.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterKindsTest {
  static TestCluster cluster;
  static TestCluster.Node a;
  static TestCluster.Node b;
  static int portA;
  static WebClient web;

  @BeforeAll
  static void start() {
    cluster = new TestCluster();
    a = cluster.start().await();
    b = cluster.start().await();
    String schema = a.vertx().executeBlocking(TestDb::url).compose(url -> TestDb.freshSchema(a.vertx())).await();
    portA = Service.startIn(a.vertx(), schema, new JsonObject()).await();
    Service.startIn(b.vertx(), schema, new JsonObject()).await();
    web = WebClient.create(a.vertx());
    Conditions.until(a.vertx(), () -> Membership.nodes(a.vertx()).size() == 2
        && Membership.nodes(b.vertx()).size() == 2, 10_000).await();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close().await();
    }
  }

  @Test
  void a_kind_served_only_on_b_is_handled_when_enqueued_on_a_and_listed_with_its_node() {
    String onlyB = "only.b." + UUID.randomUUID();
    String nobody = "nobody." + UUID.randomUUID();
    Registration reg = JobHandlers.register(b.vertx(), onlyB, new JobHandlers.Options(3, 60_000, false),
        job -> Future.succeededFuture(new JsonObject())).await();
    try {
      // the jobs API answers from either node's jobs verticle: four enqueues reach both
      for (int i = 0; i < 4; i++) {
        JsonObject answer = enqueue(new JsonObject().put("jobs", new JsonArray()
            .add(new JsonObject().put("kind", onlyB)).add(new JsonObject().put("kind", nobody))));
        assertThat(answer.getJsonArray("unhandled")).isEqualTo(new JsonArray().add(nobody));
        assertThat(answer.containsKey("unreachable")).isFalse();
      }
      Map<String, JsonObject> kinds = queues();
      assertThat(kinds.get(onlyB).getBoolean("handled")).isTrue();
      assertThat(kinds.get(onlyB).getJsonArray("handlers")).isEqualTo(new JsonArray().add(new JsonObject()
          .put("node", b.id()).put("concurrency", 3).put("registrations", 1)));
      assertThat(kinds.get("echo").getJsonArray("handlers").stream().map(h -> ((JsonObject) h).getString("node")))
          .containsExactlyInAnyOrder(a.id(), b.id());
      assertThat(kinds.get(nobody).getBoolean("handled")).isFalse();
    } finally {
      reg.unregister().await();
    }
    JsonObject gone = queues().get(onlyB); // it has jobs: still listed, served nowhere now
    assertThat(gone.getBoolean("handled")).isFalse();
    assertThat(gone.getJsonArray("handlers")).isEmpty();
  }

  @Test
  void a_member_that_does_not_answer_for_its_kinds_is_named_and_does_not_hold_enqueue_up() {
    TestCluster.Node c = cluster.start().await(); // a member with no jobs verticle: it serves no kinds
    String nobody = "nobody." + UUID.randomUUID();
    JsonObject one = new JsonObject().put("kind", nobody);
    Conditions.until(a.vertx(), () -> Membership.nodes(a.vertx()).size() == 3
        && Membership.nodes(b.vertx()).size() == 3, 10_000).await();
    JsonObject quiet = enqueue(one);
    assertThat(quiet.getJsonArray("unhandled")).isEqualTo(new JsonArray().add(nobody));
    assertThat(quiet.containsKey("unreachable")).isFalse();
    MessageConsumer<Object> silent = c.vertx().eventBus().consumer(Addresses.jobsKinds(c.id()), msg -> { });
    silent.completion().await();
    try {
      // the other members learn of the new consumer a moment later: until then c still serves nothing
      JsonObject named = until(() -> post(one), answer -> answer.containsKey("unreachable"),
          System.currentTimeMillis() + 10_000).await();
      assertThat(named.getJsonArray("unreachable")).isEqualTo(new JsonArray().add(c.id()));
      assertThat(named.getJsonArray("unhandled")).isEqualTo(new JsonArray().add(nobody));
      JsonObject served = enqueue(new JsonObject().put("kind", "echo")); // served: nobody is named
      assertThat(served.getJsonArray("unhandled")).isEmpty();
      assertThat(served.containsKey("unreachable")).isFalse();
    } finally {
      cluster.crash(c);
    }
    Conditions.until(a.vertx(), () -> Membership.nodes(a.vertx()).size() == 2
        && Membership.nodes(b.vertx()).size() == 2, 10_000).await();
  }

  @Test
  void a_batch_run_on_b_is_waited_on_from_a_over_http_and_the_bus() {
    String kind = "batched." + UUID.randomUUID();
    AtomicInteger held = new AtomicInteger();
    Promise<JsonObject> gate = Promise.promise();
    Registration reg = JobHandlers.register(b.vertx(), kind, new JobHandlers.Options(20, 60_000, false), job -> {
      held.incrementAndGet();
      return gate.future();
    }).await();
    try {
      JsonArray jobs = new JsonArray();
      for (int i = 0; i < 20; i++) {
        jobs.add(new JsonObject().put("kind", kind));
      }
      String batch = enqueue(new JsonObject().put("jobs", jobs)).getString("batch");
      Conditions.until(a.vertx(), () -> held.get() == 20, 10_000).await();
      Future<HttpResponse<Buffer>> overHttp = web.get(portA, "127.0.0.1", "/v1/batches/" + batch + "?wait=30").send();
      Future<JsonObject> overBus = a.vertx().eventBus().<JsonObject>request(Addresses.JOBS_BATCH,
          new JsonObject().put("id", batch).put("waitMs", 30_000), new DeliveryOptions().setSendTimeout(60_000))
          .map(Message::body);
      b.vertx().runOnContext(v -> gate.complete(new JsonObject()));
      for (JsonObject answer : List.of(overHttp.await().bodyAsJsonObject(), overBus.await())) {
        assertThat(answer.getBoolean("done")).isTrue();
        assertThat(answer.getJsonObject("counts").getLong("completed")).isEqualTo(20);
      }
    } finally {
      reg.unregister().await();
    }
  }

  /** Enqueues over A's HTTP API; the 201 answer. */
  private static JsonObject enqueue(JsonObject body) {
    return post(body).await();
  }

  private static Future<JsonObject> post(JsonObject body) {
    return web.post(portA, "127.0.0.1", "/v1/jobs").sendJsonObject(body).map(r -> {
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
      return r.bodyAsJsonObject();
    });
  }

  /** {@code GET /v1/queues} on A, by kind. */
  private static Map<String, JsonObject> queues() {
    HttpResponse<Buffer> r = web.get(portA, "127.0.0.1", "/v1/queues").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().containsKey("unreachable")).isFalse();
    Map<String, JsonObject> kinds = new HashMap<>();
    r.bodyAsJsonObject().getJsonArray("queues").forEach(q -> kinds.put(((JsonObject) q).getString("kind"),
        (JsonObject) q));
    return kinds;
  }

  /** Asks again, on a 20 ms timer, until {@code done} holds for the answer or {@code deadline} passes. */
  private static Future<JsonObject> until(Supplier<Future<JsonObject>> ask, Predicate<JsonObject> done,
      long deadline) {
    return ask.get().compose(answer -> done.test(answer) || System.currentTimeMillis() > deadline
        ? Future.succeededFuture(answer)
        : a.vertx().timer(20, TimeUnit.MILLISECONDS).compose(t -> until(ask, done, deadline)));
  }
}
