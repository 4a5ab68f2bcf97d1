package dev.fanout.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.Main;
import dev.fanout.testing.PluginJar;
import dev.fanout.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fanout serve --deploy} as a real process, configured with inline {@code --conf} JSON: a
 * plugin jar built now serves jobs; a missing class exits 2 naming it with nothing left running.
 */
class ServeDeployProcessTest {
  @TempDir Path work;

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Process serve(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", PluginJar.classPath(), "dev.fanout.Main", "serve"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("FANOUT_"));
    return pb.start();
  }

  /** Reads output lines until one contains {@code until} (or the end); returns them all. */
  private static List<String> readUntil(BufferedReader out, String until) throws Exception {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = out.readLine()) != null) {
      lines.add(line);
      if (until != null && line.contains(until)) {
        break;
      }
    }
    return lines;
  }

  private static HttpResponse<String> http(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_plugin_jar_deployed_with_deploy_serves_jobs_and_stops_gracefully() throws Exception {
    PluginJar.build(work.resolve("build"), work.resolve("plugins/echo.jar"),
        Map.of("plug.Echo", PluginJar.echoHandler("plug.Echo")));
    Vertx vertx = Vertx.vertx();
    String schema;
    try {
      schema = vertx.executeBlocking(TestDb::url).compose(u -> TestDb.freshSchema(vertx)).await();
    } finally {
      vertx.close().await();
    }
    int port = freePort();
    JsonObject conf = new JsonObject()
        .put("http", new JsonObject().put("port", port))
        .put("pg", new JsonObject().put("url", TestDb.url(schema)))
        .put("plugins", new JsonObject().put("dir", work.resolve("plugins").toString()));
    Process p = serve("--conf", conf.encode(), "--deploy", "plug.Echo");
    List<String> output = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      output.addAll(readUntil(out, "serving on"));
      assertThat(output).as(String.join("\n", output)).anySatisfy(l -> assertThat(l).contains("echo.jar"));
      assertThat(output).anySatisfy(l -> assertThat(l).contains("deployed plug.Echo x1"));
      String base = "http://127.0.0.1:" + port;
      JsonObject jobs = new JsonObject().put("jobs", new JsonArray()
          .add(new JsonObject().put("kind", "plugin-echo").put("payload", new JsonObject().put("n", 1))));
      JsonObject created = new JsonObject(http("POST", base + "/v1/jobs", jobs.encode()).body());
      JsonObject batch = new JsonObject(http("GET", base + "/v1/batches/" + created.getString("batch") + "?wait=20",
          null).body());
      assertThat(batch.getBoolean("done")).as(batch.encode()).isTrue();
      assertThat(batch.getJsonObject("counts").getLong("completed")).isEqualTo(1);
      new ProcessBuilder("kill", "-TERM", String.valueOf(p.pid())).inheritIO().start().waitFor();
      output.addAll(readUntil(out, null));
    } finally {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    assertThat(p.exitValue()).as(String.join("\n", output)).isZero();
  }

  @Test
  void a_missing_class_exits_2_naming_it_and_stops_the_embedded_database() throws Exception {
    Path data = work.resolve("data");
    JsonObject conf = new JsonObject().put("http", new JsonObject().put("port", freePort()))
        .put("dataDir", data.toString())
        .put("plugins", new JsonObject().put("dir", work.resolve("none").toString()));
    Process p = serve("--conf", conf.encode(), "--deploy", "com.example.Missing:2");
    List<String> output;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      output = readUntil(out, null);
    } finally {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    String all = String.join("\n", output);
    assertThat(p.exitValue()).as(all).isEqualTo(2);
    assertThat(all).contains("fanout failed to start: com.example.Missing: no such class").doesNotContain("serving on");
    assertThat(output).anySatisfy(l -> assertThat(l).contains("database: embedded PostgreSQL in " + data));
    // the embedded server was stopped, not left to a watchdog
    assertThat(data.resolve("pg").resolve("postmaster.pid")).doesNotExist();
  }

  @Test
  void usage_errors_exit_2_with_a_hint() {
    assertThat(run("--instances", "2")).startsWith("2:").contains("--deploy").contains("http.instances");
    assertThat(run("--deploy", "a.B:many")).startsWith("2:").contains("--deploy a.B:many");
    assertThat(run("--deploy", "x:y.Z:1")).startsWith("2:").contains("class name");
    assertThat(run("--conf", "{\"http\": ")).startsWith("2:").contains("inline JSON");
  }

  /** Runs {@code serve ARGS} in this JVM (each fails before Vert.x starts); "code: stderr". */
  private static String run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine().setErr(new PrintWriter(err, true));
    String[] full = new String[args.length + 1];
    full[0] = "serve";
    System.arraycopy(args, 0, full, 1, args.length);
    return cl.execute(full) + ": " + err;
  }
}
