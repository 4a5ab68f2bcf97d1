package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.JobsTable;
import dev.fanout.testing.Service;
import dev.fanout.testing.TestCluster;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jobs across two clustered nodes (separate Vert.x instances in this JVM, Hazelcast on loopback),
 * each running the whole service on one database: a departed node's jobs are rescued at membership
 * speed and its late outcomes refused; a kind runs on the nodes that host it; batch waits and
 * {@code fanout.events} work from either node.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ClusterJobsTest {
  /** A lease only a rescue at membership speed can beat within the test's time. */
  private static final JsonObject LONG_LEASE = new JsonObject().put("queue", new JsonObject()
      .put("leaseMs", 600_000).put("renewEveryMs", 60_000).put("rescueEveryMs", 600_000).put("drainMs", 600_000));

  TestCluster cluster;
  TestCluster.Node a;
  TestCluster.Node b;
  Pool direct;

  @BeforeEach
  void twoNodes(Vertx vertx, VertxTestContext ctx) {
    cluster = new TestCluster();
    vertx.executeBlocking(TestDb::url)
        .compose(u -> TestDb.freshSchema(vertx))
        .compose(schema -> cluster.start().compose(n -> {
          a = n;
          return cluster.start();
        }).compose(n -> {
          b = n;
          direct = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
          return Service.startIn(a.vertx(), schema, LONG_LEASE);
        }).compose(port -> Service.startIn(b.vertx(), schema, LONG_LEASE)))
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    cluster.close().onComplete(ar -> ctx.completeNow());
  }

  @Test
  void a_crashed_nodes_running_jobs_complete_on_a_survivor_and_its_late_outcomes_are_refused(Vertx vertx,
      VertxTestContext ctx) {
    List<JsonObject> heldOnA = new CopyOnWriteArrayList<>();
    Map<Long, Integer> ranOnB = new ConcurrentHashMap<>();
    JobHandlers.register(a.vertx(), "work", new JobHandlers.Options(3, 600_000, false), job -> {
      heldOnA.add(job);
      return Promise.<JsonObject>promise().future(); // never answered: A dies running it
    })
        .compose(r -> enqueue(a, "work", 3, null))                // A alone hosts the kind: it runs all three
        .compose(held -> Conditions.until(vertx, () -> heldOnA.size() == 3, 30_000).map(held))
        .compose(held -> JobHandlers.register(b.vertx(), "work", new JobHandlers.Options(10, 600_000, false),
            job -> {
              ranOnB.merge(job.getLong("id"), 1, Integer::sum);
              return Future.succeededFuture(new JsonObject().put("by", "B"));
            }).map(held))
        .compose(held -> count("SELECT count(*) FROM fanout_job WHERE state = 'running' AND claimed_by = $1", a.id())
            .compose(runningOnA -> {
              cluster.crash(a);
              return JobsTable.until(vertx, direct,
                      "SELECT count(*) = 3 FROM fanout_job WHERE state = 'completed'", 60_000)
                  .compose(v -> jobs(held))
                  .compose(rescued -> {
                    // the dead node's completions of the attempts it held arrive late (the statement its worker sends)
                    return new JobStore(direct).complete(lateOutcomes(heldOnA)).compose(written -> jobs(held)
                        .map(after -> new Object[] {runningOnA, rescued, after, written}));
                  });
            }))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat((Long) r[0]).isEqualTo(3);
          for (JsonArray jobs : new JsonArray[] {(JsonArray) r[1], (JsonArray) r[2]}) {
            assertThat(jobs).hasSize(3).allSatisfy(o -> {
              JsonObject job = (JsonObject) o;
              assertThat(job.getString("state")).isEqualTo("completed");
              assertThat(job.getInteger("attempt")).isEqualTo(2);
              assertThat(job.getJsonObject("result").getString("by")).isEqualTo("B");
              assertThat(job.getJsonArray("errors")).singleElement()
                  .satisfies(e -> assertThat(((JsonObject) e).getString("kind")).isEqualTo("node-left"));
            });
          }
          assertThat((Integer) r[3]).as("late completions of the dead node written").isZero();
          // run twice: exactly what the dead node was running, each once more on B
          assertThat(ranOnB).hasSize(3).allSatisfy((id, runs) -> assertThat(runs).isEqualTo(1));
          ctx.completeNow();
        })));
  }

  @Test
  void a_kind_runs_only_on_the_nodes_that_host_it_each_job_on_the_node_that_claimed_it(Vertx vertx,
      VertxTestContext ctx) {
    AtomicInteger onlyBRanOnB = new AtomicInteger();
    AtomicInteger bothElsewhere = new AtomicInteger();
    AtomicInteger bothRan = new AtomicInteger();
    JobHandlers.register(b.vertx(), "only-b", JobHandlers.Options.defaults(), job -> {
      onlyBRanOnB.incrementAndGet();
      return Future.succeededFuture(new JsonObject());
    })
        .compose(r -> Future.all(
            both(a, bothRan, bothElsewhere), both(b, bothRan, bothElsewhere)))
        .compose(r -> enqueue(a, "only-b", 20, null))
        .compose(r -> enqueue(a, "both", 40, null))
        .compose(r -> JobsTable.until(vertx, direct,
            "SELECT count(*) = 60 FROM fanout_job WHERE state = 'completed'", 60_000))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(onlyBRanOnB.get()).isEqualTo(20);
          assertThat(bothRan.get()).isEqualTo(40);
          assertThat(bothElsewhere.get()).as("attempts run on another node than the one that claimed them").isZero();
          ctx.completeNow();
        })));
  }

  @Test
  void a_batch_enqueued_on_one_node_is_waited_on_from_the_other_and_its_events_reach_both(Vertx vertx,
      VertxTestContext ctx) {
    Map<String, AtomicInteger> reported = Map.of("A", new AtomicInteger(), "B", new AtomicInteger());
    Future<Void> listening = Future.all(events(a, reported.get("A")), events(b, reported.get("B"))).mapEmpty();
    listening
        .compose(v -> JobHandlers.register(b.vertx(), "batched", JobHandlers.Options.defaults(),
            job -> Future.succeededFuture(new JsonObject().put("i", job.getJsonObject("payload").getInteger("i")))))
        .compose(r -> enqueue(a, "batched", 50, null))
        .compose(enqueued -> b.vertx().eventBus().<JsonObject>request(Addresses.JOBS_BATCH,
            new JsonObject().put("id", enqueued.getString("batch")).put("waitMs", 60_000)))
        .map(Message::body)
        .compose(batch -> Conditions.until(vertx,
            () -> reported.get("A").get() == 50 && reported.get("B").get() == 50, 30_000).map(batch))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          assertThat(batch.getBoolean("done")).isTrue();
          assertThat(batch.getLong("total")).isEqualTo(50);
          assertThat(batch.getJsonObject("counts").getLong("completed")).isEqualTo(50);
          ctx.completeNow();
        })));
  }

  /** What the dead node's worker would write for the attempts it held, had it lived on. */
  private static List<JobStore.Outcome> lateOutcomes(List<JsonObject> held) {
    return held.stream().map(job -> new JobStore.Outcome(job.getLong("id"), job.getInteger("attempt"),
        new JsonObject().put("by", "A, late"), null, 0)).toList();
  }

  /** Registers "both" on {@code node}: each attempt checks that it runs on the node that claimed it. */
  private static Future<?> both(TestCluster.Node node, AtomicInteger ran, AtomicInteger elsewhere) {
    return JobHandlers.register(node.vertx(), "both", new JobHandlers.Options(4, 60_000, false), job -> {
      ran.incrementAndGet();
      if (!node.id().equals(job.getString("claimedBy"))) {
        elsewhere.incrementAndGet();
      }
      return Future.succeededFuture(new JsonObject());
    });
  }

  /** Counts the completions {@code node} hears of on {@code fanout.events}. */
  private static Future<Void> events(TestCluster.Node node, AtomicInteger completed) {
    return node.vertx().eventBus().<JsonObject>consumer(Addresses.EVENTS, msg -> {
      if ("attempts".equals(msg.body().getString("type"))) {
        completed.addAndGet(msg.body().getInteger("completed"));
      }
    }).completion();
  }

  /** Enqueues {@code n} jobs of {@code kind} over {@code node}'s bus; completes with the answer. */
  private static Future<JsonObject> enqueue(TestCluster.Node node, String kind, int n, String batch) {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < n; i++) {
      jobs.add(new JsonObject().put("kind", kind).put("payload", new JsonObject().put("i", i)));
    }
    JsonObject body = new JsonObject().put("jobs", jobs);
    if (batch != null) {
      body.put("batch", batch);
    }
    return node.vertx().eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, body).map(Message::body);
  }

  /** The jobs of an enqueue answer, as the API shows them. */
  private Future<JsonArray> jobs(JsonObject enqueued) {
    JobStore store = new JobStore(direct);
    return store.list(null, null, UUID.fromString(enqueued.getString("batch")), 0, 100);
  }

  private Future<Long> count(String sql, String arg) {
    return direct.preparedQuery(sql).execute(Tuple.of(arg)).map(rows -> rows.iterator().next().getLong(0));
  }
}
