package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fanout killed with SIGKILL and started again on the same data directory: the embedded server it
 * leaves behind is stopped (by fanout's watchdog at once, or by the next start if the watchdog died
 * too), and the next start serves within 15 s with every job kept.
 */
class CrashRestartTest {
  @TempDir Path dataDir;

  @Test
  void a_start_after_kill_9_serves_within_15s_with_every_job_kept() throws Exception {
    int port = ChildFanout.freePort();
    List<Long> ids;
    long orphan;
    try (ChildFanout first = ChildFanout.start(dataDir, port)) {
      assertThat(first.awaitServing(120_000)).as(first.output()).isTrue(); // the first start runs initdb
      ids = enqueue(first, 3);
      orphan = ChildFanout.postmasterPid(dataDir);
      // fanout and every child of its JVM die at once (as a process group does): nothing of
      // fanout's is left to stop the server, which is not its child and runs on
      first.killJvmAndChildren();
      assertThat(ChildFanout.alive(orphan)).as("the embedded server outlives the JVM").isTrue();
    }

    long watched;
    try (ChildFanout second = ChildFanout.start(dataDir, port)) {
      assertThat(second.awaitServing(15_000)).as("serving within 15 s of the start\n" + second.output()).isTrue();
      assertThat(ChildFanout.alive(orphan)).as("the orphan was stopped").isFalse();
      assertKept(second, ids);
      watched = ChildFanout.postmasterPid(dataDir);
      // the JVM alone dies: the server goes within seconds, without waiting for a next start
      second.killJvm();
      assertThat(ProcessHandle.of(watched).map(h -> h.onExit().completeOnTimeout(h, 15, TimeUnit.SECONDS)
          .join().isAlive())
          .orElse(false)).as("the embedded server outlived fanout by 15 s\n" + second.output()).isFalse();
    }

    try (ChildFanout third = ChildFanout.start(dataDir, port)) {
      assertThat(third.awaitServing(15_000)).as("serving within 15 s of the start\n" + third.output()).isTrue();
      assertKept(third, ids);
    }
  }

  private static List<Long> enqueue(ChildFanout f, int n) throws Exception {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < n; i++) {
      // a kind no node runs: the jobs stay available, so "kept" means "still there, unchanged"
      jobs.add(new JsonObject().put("kind", "parked").put("payload", new JsonObject().put("i", i)));
    }
    HttpResponse<String> r = f.send("POST", "/v1/jobs", new JsonObject().put("jobs", jobs).encode());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return new JsonObject(r.body()).getJsonArray("ids").stream().map(o -> ((Number) o).longValue()).toList();
  }

  private static void assertKept(ChildFanout f, List<Long> ids) throws Exception {
    for (long id : ids) {
      HttpResponse<String> r = f.send("GET", "/v1/jobs/" + id, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(new JsonObject(r.body()).getString("state")).isEqualTo("available");
    }
  }
}
