package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code fanout fetch} end to end, in-process, against a real target on loopback. */
@ExtendWith(VertxExtension.class)
class FetchCommandTest {
  TargetServer target;
  @TempDir Path dir;

  record Run(int code, List<JsonObject> results, String err) {}

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    target = TargetServer.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Run run(String stdin, String... args) {
    FetchRun r = FetchRun.of(stdin, args);
    return new Run(r.code(), r.results(), r.err());
  }

  private Path file(String... lines) throws Exception {
    Path f = dir.resolve("urls.txt");
    Files.writeString(f, String.join("\n", lines) + "\n");
    return f;
  }

  @Test
  void prints_one_result_per_url_and_a_summary() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      lines.add(target.url("/ok?i=" + i));
    }
    lines.add("");
    lines.add("# a comment");
    lines.add("not a url");
    Run r = run("", "fetch", file(lines.toArray(String[]::new)).toString(),
        "--allow", "127.0.0.1/32", "--concurrency", "16");
    assertThat(r.code()).isZero();
    assertThat(r.results()).hasSize(201);
    assertThat(r.results().stream().filter(j -> j.getBoolean("ok")).count()).isEqualTo(200);
    assertThat(r.results()).filteredOn(j -> j.containsKey("error")).singleElement()
        .satisfies(j -> assertThat(j.getJsonObject("error").getString("kind")).isEqualTo("invalid-url"));
    assertThat(r.err()).contains("fetched 201 urls").contains("200 ok, 1 failed").contains("invalid-url 1");
    assertThat(target.requests()).isEqualTo(200);
  }

  @Test
  void ordered_output_follows_the_input_despite_delays() throws Exception {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      urls.add(target.url("/delay?ms=" + ((30 - i) * 5) + "&i=" + i));
    }
    Run r = run("", "fetch", file(urls.toArray(String[]::new)).toString(), "--allow", "127.0.0.1/32",
        "--ordered", "--concurrency", "30", "--per-host", "30");
    assertThat(r.code()).isZero();
    assertThat(r.results()).extracting(j -> j.getString("url")).containsExactlyElementsOf(urls);
  }

  @Test
  void unordered_output_comes_as_completed() throws Exception {
    Run r = run("", "fetch", file(target.url("/delay?ms=800"), target.url("/ok")).toString(),
        "--allow", "127.0.0.1/32", "--concurrency", "2");
    assertThat(r.code()).isZero();
    assertThat(r.results()).extracting(j -> j.getString("url"))
        .containsExactly(target.url("/ok"), target.url("/delay?ms=800"));
  }

  @Test
  void reads_stdin_and_applies_fetch_options() throws Exception {
    Run r = run(target.url("/ok?size=50") + "\n" + target.url("/ok?size=5000") + "\n",
        "fetch", "-", "--allow", "127.0.0.1/32", "--max-bytes", "1000", "--capture", "text");
    assertThat(r.code()).isZero();
    assertThat(r.results()).hasSize(2);
    assertThat(r.results()).filteredOn(j -> j.getBoolean("ok")).singleElement()
        .satisfies(j -> assertThat(j.getString("body")).hasSize(50));
    assertThat(r.results()).filteredOn(j -> !j.getBoolean("ok")).singleElement()
        .satisfies(j -> assertThat(j.getJsonObject("error").getString("kind")).isEqualTo("too-large"));
  }

  @Test
  void default_policy_blocks_loopback() throws Exception {
    Run r = run(target.url("/ok") + "\n", "fetch");
    assertThat(r.code()).isZero();
    assertThat(r.results().get(0).getJsonObject("error").getString("kind")).isEqualTo("blocked");
    assertThat(target.connections()).isZero();
  }

  @Test
  void bad_usage_exits_2_with_a_message() throws Exception {
    assertThat(run("", "fetch", "--no-such-option").code()).isEqualTo(2);
    Run missing = run("", "fetch", dir.resolve("missing.txt").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("missing.txt");
    Run capture = run("", "fetch", "-", "--capture", "everything");
    assertThat(capture.code()).isEqualTo(2);
    assertThat(capture.err()).contains("--capture");
    assertThat(run("", "fetch", "-", "--concurrency", "0").code()).isEqualTo(2);
    assertThat(run("", "fetch", "-", "--allow", "nonsense").code()).isEqualTo(2);
    assertThat(run("", "fetch", "-", "--timeout", "abc").code()).isEqualTo(2);
  }

  @Test
  void help_exits_0() {
    Run r = run("", "fetch", "--help");
    assertThat(r.code()).isZero();
  }

  @Test
  void invalid_configuration_exits_2_naming_the_key() {
    System.setProperty("fanout.fetch.perHost", "many");
    try {
      Run r = run("", "fetch", "-");
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).contains("fetch.perHost").contains("many");
    } finally {
      System.clearProperty("fanout.fetch.perHost");
    }
  }
}
