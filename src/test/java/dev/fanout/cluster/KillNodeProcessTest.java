package dev.fanout.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.config.ClusterConfig;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.HttpJobsVerticle;
import dev.fanout.testing.JobsTable;
import dev.fanout.testing.NodeProcess;
import dev.fanout.testing.Service;
import dev.fanout.testing.TestCluster;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -9} of a real fanout process holding jobs: a node process (its own JVM, joined to a
 * node in this JVM over Hazelcast, one database) runs jobs that GET a target which holds every
 * request ({@link HttpJobsVerticle}: the handler's own client, so the test is about the jobs, not
 * about where a fetch is routed); SIGKILL ends it mid-request. The survivor takes its jobs back as
 * soon as the cluster reports it gone ({@code node-left}), long before their leases would expire,
 * and runs each once more: every job completes, and none ran more than twice.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
class KillNodeProcessTest {
  private static final Logger LOG = LoggerFactory.getLogger(KillNodeProcessTest.class);
  private static final int JOBS = 16;
  /** A lease only a rescue at membership speed beats within the test's wait. */
  private static final long LEASE_MS = 120_000;
  private static final JsonObject NODE = new JsonObject()
      .put("queue", new JsonObject().put("leaseMs", LEASE_MS).put("renewEveryMs", 60_000)
          .put("rescueEveryMs", 600_000).put("drainMs", 1000))
      .put("fetch", new JsonObject().put("perHost", JOBS)); // every job's fetch at the gate at once

  TestCluster cluster;
  NodeProcess process;
  Pool direct;

  @AfterEach
  void stop() throws Exception {
    if (process != null) {
      process.close();
    }
    if (cluster != null) {
      cluster.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Twice: with a kind whose handler does its own GET, and with the built-in {@code fetch} kind,
   * whose fetches go through the fetchers (the survivor's own, once the dead node's shards moved).
   */
  @ParameterizedTest
  @ValueSource(strings = {HttpJobsVerticle.KIND, "fetch"})
  void a_killed_nodes_running_jobs_are_rescued_at_membership_speed_and_complete_on_the_survivor(String kind,
      Vertx vertx) throws Exception {
    cluster = new TestCluster();
    TestCluster.Node survivor = cluster.start().await();
    String schema = vertx.executeBlocking(TestDb::url).compose(u -> TestDb.freshSchema(vertx)).await();
    direct = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
    Gate gate = Gate.start(vertx).await();

    // the process alone serves the kind at first, so it claims (and starts) every job
    process = NodeProcess.start("killed", processConf(cluster.config(), schema), "--cluster",
        "--deploy", HttpJobsVerticle.class.getName());
    process.ready(vertx, 60_000).await();
    Conditions.until(vertx, () -> Membership.nodes(survivor.vertx()).size() == 2, 30_000).await();
    String killed = Membership.nodes(survivor.vertx()).stream().filter(id -> !id.equals(survivor.id()))
        .findFirst().orElseThrow();
    survivor.vertx().eventBus().request(Addresses.JOBS_ENQUEUE, gatedJobs(kind, gate)).await();
    Conditions.until(vertx, () -> gate.held() == JOBS, 30_000).await();
    long runningOnKilled = count("SELECT count(*) FROM fanout_job WHERE state = 'running' AND claimed_by = $1",
        killed);
    Service.startIn(survivor.vertx(), schema, NODE).await();
    survivor.vertx().deployVerticle(new HttpJobsVerticle()).await();

    gate.release();
    long killedAt = System.currentTimeMillis();
    process.kill();
    JobsTable.until(vertx, direct, "SELECT count(*) = " + JOBS + " FROM fanout_job WHERE state = 'completed'", 15_000)
        .await();
    long doneAt = System.currentTimeMillis();

    List<Row> jobs = rows("SELECT id, attempt, errors->0->>'kind' AS kind, jsonb_array_length(errors) AS errors,"
        + " (extract(epoch FROM (errors->0->>'at')::timestamptz) * 1000)::bigint AS rescued_at,"
        + " (result->>'status')::int AS status FROM fanout_job ORDER BY id");
    long lastRescue = jobs.stream().mapToLong(r -> r.getLong("rescued_at")).max().orElseThrow();
    LOG.info("kill -9 of node {}: its {} job(s) rescued {} ms after the kill, all complete after {} ms", killed,
        runningOnKilled, lastRescue - killedAt, doneAt - killedAt);
    assertThat(runningOnKilled).isEqualTo(JOBS);
    assertThat(jobs).hasSize(JOBS).allSatisfy(job -> {
      assertThat(job.getString("kind")).as("job %d's first error", job.getLong("id")).isEqualTo("node-left");
      assertThat(job.getInteger("errors")).isEqualTo(1);
      assertThat(job.getInteger("attempt")).isEqualTo(2);
      assertThat(job.getInteger("status")).isEqualTo(200);
    });
    // the mechanism, not a speed: a rescue by lease could not have happened before this
    assertThat(lastRescue - killedAt).isLessThan(LEASE_MS);
    long ranTwice = gate.hits().values().stream().filter(n -> n.get() == 2).count();
    assertThat(gate.hits()).hasSize(JOBS).allSatisfy((job, n) -> assertThat(n.get()).isBetween(1, 2));
    assertThat(ranTwice).as("jobs run twice").isLessThanOrEqualTo(runningOnKilled);
  }

  private static JsonObject processConf(ClusterConfig c, String schema) {
    return NODE.copy()
        .put("cluster", new JsonObject().put("name", c.name()).put("members", new JsonArray(c.members()))
            .put("host", c.host()).put("port", c.port()))
        .put("pg", new JsonObject().put("url", TestDb.url(schema)).put("poolSize", 4))
        .put("http", new JsonObject().put("instances", 1))
        .put("egress", new JsonObject().put("allow", new JsonArray().add("127.0.0.1/32")));
  }

  private static JsonObject gatedJobs(String kind, Gate gate) {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < JOBS; i++) {
      jobs.add(new JsonObject().put("kind", kind)
          .put("payload", new JsonObject().put("url", gate.url(i))));
    }
    return new JsonObject().put("jobs", jobs);
  }

  private long count(String sql, String arg) {
    return direct.preparedQuery(sql).execute(Tuple.of(arg)).map(rows -> rows.iterator().next().getLong(0)).await();
  }

  private List<Row> rows(String sql) {
    List<Row> out = new ArrayList<>();
    direct.query(sql).execute().await().forEach(out::add);
    return out;
  }

  /**
   * A target on 127.0.0.1 that holds every request (never answers) until released, then answers
   * each at once; it counts the requests for each job ({@code ?job=N}).
   */
  private static final class Gate {
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    private volatile boolean holding = true;
    private HttpServer server;

    static Future<Gate> start(Vertx vertx) {
      Gate g = new Gate();
      g.server = vertx.createHttpServer().requestHandler(req -> {
        g.hits.computeIfAbsent(req.getParam("job"), k -> new AtomicInteger()).incrementAndGet();
        if (g.holding) {
          g.held.incrementAndGet(); // never answered: the node running it is killed mid-request
        } else {
          req.response().end("ok");
        }
      });
      return g.server.listen(0, "127.0.0.1").map(s -> g);
    }

    String url(int job) {
      return "http://127.0.0.1:" + server.actualPort() + "/slow?job=" + job;
    }

    int held() {
      return held.get();
    }

    void release() {
      holding = false;
    }

    Map<String, AtomicInteger> hits() {
      return hits;
    }
  }
}
