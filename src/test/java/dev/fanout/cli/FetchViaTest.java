package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.FanoutConfig;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout fetch --via} and the discovery of a local server, against a real service and a
 * real target on loopback: the same output as a local run, and never a wider egress policy.
 */
@ExtendWith(VertxExtension.class)
class FetchViaTest {
  private static final String TOKEN = "t".repeat(24);
  TargetServer target;
  String base;
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @BeforeEach
  void target(Vertx vertx) throws Exception {
    target = await(TargetServer.start(vertx));
  }

  /** The service (egress allows 127.0.0.1/32), noted in {@code dir}'s serving.json as {@code serve} does. */
  private void serve(Vertx vertx, JsonObject overrides) throws Exception {
    int port = await(Service.start(vertx, new JsonObject()
        .put("fetch", new JsonObject().put("userAgent", "the-server")).mergeIn(overrides, true)));
    base = "http://127.0.0.1:" + port;
    ServingFile.write(FanoutConfig.fromJson(FanoutConfig.defaults().put("dataDir", dir.toString())), port);
  }

  private String conf(String... allow) {
    return new JsonObject().put("dataDir", dir.toString())
        .put("egress", new JsonObject().put("allow", new JsonArray(List.of((Object[]) allow)))).encode();
  }

  private static FetchRun run(String... args) {
    return FetchRun.of("", args);
  }

  private String urls(int n) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(target.url("/ok?size=" + (i % 7) * 10 + "&i=" + i));
      if (i == n / 2) {
        lines.add("not a url");
        lines.add("# a comment");
      }
    }
    Path f = dir.resolve("urls.txt");
    Files.writeString(f, String.join("\n", lines) + "\n");
    return f.toString();
  }

  @Test
  void via_prints_what_the_local_run_prints(Vertx vertx) throws Exception {
    serve(vertx, new JsonObject());
    String file = urls(300);
    String[] common = {"fetch", file, "--conf", conf(), "--allow", "127.0.0.1/32", "--concurrency", "16"};
    FetchRun local = run(with(common, "--local", "--ordered"));
    FetchRun via = run(with(common, "--via", base, "--ordered"));
    assertThat(local.code()).isZero();
    assertThat(via.code()).as(via.err()).isZero();
    assertThat(via.results()).as(via.err()).hasSize(301);
    assertThat(local.results()).hasSize(301);
    assertThat(via.timeless()).isEqualTo(local.timeless());
    assertThat(via.err()).contains("fetched 301 urls").contains("300 ok, 1 failed").contains("invalid-url 1")
        .doesNotContain("fetching through");
    FetchRun unordered = run(with(common, "--via", base));
    assertThat(unordered.code()).isZero();
    assertThat(new HashSet<>(Arrays.asList(unordered.timeless().split("\n"))))
        .isEqualTo(new HashSet<>(Arrays.asList(local.timeless().split("\n"))));
  }

  private static String[] with(String[] common, String... more) {
    List<String> all = new ArrayList<>(List.of(common));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void via_never_widens_the_servers_egress_policy(Vertx vertx) throws Exception {
    serve(vertx, new JsonObject());
    String file = urls(3);
    FetchRun wider = run("fetch", file, "--conf", conf(), "--via", base, "--allow", "127.0.0.1/32", "--allow", "10.0.0.0/8");
    assertThat(wider.code()).isEqualTo(2);
    assertThat(wider.err()).contains("10.0.0.0/8").contains("does not allow").doesNotContain("127.0.0.1/32:");
    FetchRun loopback = run("fetch", file, "--conf", conf(), "--via", base, "--allow", "127.0.0.0/8");
    assertThat(loopback.code()).isEqualTo(2);
    assertThat(loopback.err()).contains("127.0.0.0/8");
    assertThat(target.requests()).isZero();
  }

  @Test
  void via_refuses_the_options_a_request_cannot_carry(Vertx vertx) throws Exception {
    serve(vertx, new JsonObject());
    String file = urls(3);
    FetchRun perHost = run("fetch", file, "--conf", conf(), "--via", base, "--per-host", "2");
    assertThat(perHost.code()).isEqualTo(2);
    assertThat(perHost.err()).contains("--per-host").contains("--local");
    assertThat(run("fetch", file, "--conf", conf(), "--via", base, "--rate", "5").code()).isEqualTo(2);
    assertThat(run("fetch", file, "--conf", conf(), "--via", base, "--local").code()).isEqualTo(2);
    assertThat(run("fetch", file, "--conf", conf(), "--via", "localhost:8080").code()).isEqualTo(2);
    assertThat(target.requests()).isZero();
  }

  @Test
  void via_sends_the_token_the_server_asks_for(Vertx vertx) throws Exception {
    serve(vertx, new JsonObject().put("api", new JsonObject().put("tokens", new JsonArray()
        .add("cli:" + TOKEN + ":read+write"))));
    String file = urls(5);
    FetchRun without = run("fetch", file, "--conf", conf(), "--via", base);
    assertThat(without.code()).isEqualTo(2);
    assertThat(without.err()).contains("HTTP 401");
    FetchRun with = run("fetch", file, "--conf", conf(), "--via", base, "--token", TOKEN, "--allow", "127.0.0.1/32");
    assertThat(with.code()).as(with.err()).isZero();
    assertThat(with.results()).hasSize(6);
  }

  @Test
  void a_server_for_this_data_directory_with_the_same_policy_is_used(Vertx vertx) throws Exception {
    serve(vertx, new JsonObject());
    FetchRun r = run("fetch", echo(), "--conf", conf("127.0.0.1/32"), "--capture", "text");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).containsOnlyOnce("fetching through the fanout serving at " + base);
    assertThat(r.results()).singleElement().satisfies(j -> assertThat(j.getString("body")).contains("the-server"));
  }

  @Test
  void a_server_with_another_policy_is_not_used(Vertx vertx) throws Exception {
    serve(vertx, new JsonObject());
    FetchRun r = run("fetch", echo(), "--conf", conf(), "--allow", "127.0.0.0/8", "--capture", "text");
    assertThat(r.code()).isZero();
    assertThat(r.err()).doesNotContain("fetching through");
    assertThat(r.results()).singleElement().satisfies(j -> assertThat(j.getString("body")).doesNotContain("the-server"));
  }

  @Test
  void local_runs_here_whatever_serves(Vertx vertx) throws Exception {
    serve(vertx, new JsonObject());
    FetchRun r = run("fetch", echo(), "--conf", conf("127.0.0.1/32"), "--capture", "text", "--local");
    assertThat(r.code()).isZero();
    assertThat(r.err()).doesNotContain("fetching through");
    assertThat(r.results()).singleElement().satisfies(j -> assertThat(j.getString("body")).doesNotContain("the-server"));
  }

  /** A file of one URL whose answer shows the User-Agent: the server's differs from the local run's. */
  private String echo() throws Exception {
    Path f = dir.resolve("echo.txt");
    Files.writeString(f, target.url("/echo") + "\n");
    return f.toString();
  }
}
