package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Main;
import dev.fanout.bus.Addresses;
import dev.fanout.config.FanoutConfig;
import dev.fanout.testing.Service;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code fanout enqueue} against a running service. */
@ExtendWith(VertxExtension.class)
class EnqueueCommandTest {
  int port;
  Vertx vertx;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    port = Service.start(vertx, new JsonObject()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private int run(String stdin, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    CommandLine cl = Main.commandLine(new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        return cls == EnqueueCommand.class
            ? cls.cast(new EnqueueCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e))
            : CommandLine.defaultFactory().create(cls);
      }
    });
    cl.setErr(new PrintWriter(e, true));
    return cl.execute(args);
  }

  @Test
  void enqueues_lines_in_batches_and_prints_batch_ids() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = run("{\"n\": 1}\n# comment\n{\"n\": 2}\n\n{\"n\": 3}\n", out, err,
        "enqueue", "-", "--kind", "echo", "--batch", "2", "--url", "http://127.0.0.1:" + port);
    assertThat(code).isZero();
    String[] batches = out.toString(StandardCharsets.UTF_8).trim().split("\n");
    assertThat(batches).hasSize(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("enqueued 3 echo job(s)");
    JsonObject b = vertx.eventBus().<JsonObject>request(Addresses.JOBS_BATCH,
        new JsonObject().put("id", batches[1]).put("waitMs", 20_000),
        new DeliveryOptions().setSendTimeout(30_000))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).body();
    assertThat(b.getLong("total")).isEqualTo(1);
    assertThat(b.getBoolean("done")).isTrue();
  }

  @Test
  void a_bad_line_is_bad_usage_and_an_unreachable_server_fails() {
    assertThat(run("{not json\n", new ByteArrayOutputStream(), new ByteArrayOutputStream(),
        "enqueue", "--kind", "echo", "--url", "http://127.0.0.1:" + port)).isEqualTo(2);
    assertThat(run("", new ByteArrayOutputStream(), new ByteArrayOutputStream(), "enqueue")).isEqualTo(2);
    assertThat(run("http://a.example/\n", new ByteArrayOutputStream(), new ByteArrayOutputStream(),
        "enqueue", "--kind", "fetch", "--url", "http://127.0.0.1:1")).isEqualTo(1);
  }

  @Test
  void a_bad_line_or_a_missing_file_is_one_line_without_usage(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run("{\"n\": 1}\n{not json\n", new ByteArrayOutputStream(), err,
        "enqueue", "--kind", "echo", "--url", "http://127.0.0.1:" + port)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .startsWith("fanout: line 2 is not a JSON object: ").endsWith("at line 1, column 2")
        .doesNotContain("\n", "Usage", "REDACTED", "(code ");
    ByteArrayOutputStream missing = new ByteArrayOutputStream();
    String file = dir.resolve("nope.txt").toString();
    assertThat(run("", new ByteArrayOutputStream(), missing, "enqueue", "--kind", "echo", file)).isEqualTo(2);
    assertThat(missing.toString(StandardCharsets.UTF_8)).isEqualTo("fanout: cannot read " + file + ": no such file\n");
  }

  @Test
  void an_unreachable_server_says_how_to_point_at_one() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run("{\"n\": 1}\n", new ByteArrayOutputStream(), err,
        "enqueue", "--kind", "echo", "--url", "http://127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("cannot reach fanout at http://127.0.0.1:1 (connection refused): is it running?")
        .contains("--url").doesNotContain("finishConnect");
  }

  @Test
  void without_url_it_finds_the_fanout_serving_from_its_data_directory(@TempDir Path dir) throws Exception {
    JsonObject conf = new JsonObject().put("dataDir", dir.toString()).put("http", new JsonObject().put("port", 1));
    ServingFile.write(FanoutConfig.fromJson(FanoutConfig.load(conf.encode(), Map.of(), Map.of())), port);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run("{\"n\": 1}\n", new ByteArrayOutputStream(), err, "enqueue", "--kind", "echo",
        "--conf", conf.encode())).isEqualTo(0);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("enqueued 1 echo job(s)");
    // a file left by a process that is gone is ignored: the configured port (1) is tried, and refused
    Files.writeString(dir.resolve("serving.json"),
        new JsonObject().put("url", "http://127.0.0.1:" + port).put("pid", Long.MAX_VALUE).encode());
    ByteArrayOutputStream stale = new ByteArrayOutputStream();
    assertThat(run("{\"n\": 1}\n", new ByteArrayOutputStream(), stale, "enqueue", "--kind", "echo",
        "--conf", conf.encode())).isEqualTo(1);
    assertThat(stale.toString(StandardCharsets.UTF_8)).contains("cannot reach fanout at http://127.0.0.1:1 ");
  }
}
