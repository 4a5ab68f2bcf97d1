package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fanout serve} in a 128 MiB heap, asked for 1,000 captured 1 MiB bodies at concurrency
 * 1,000: the settled form is refused up front, the streamed form runs within the capture budget,
 * nothing runs out of memory, and the same host is fetched normally afterwards.
 */
class HeapExhaustionProcessTest {
  private static final int URLS = 1000;
  private static final int BODY = 1 << 20;
  @TempDir Path dataDir;

  @Test
  void a_thousand_captured_megabyte_bodies_do_not_exhaust_a_128_mib_heap() throws Exception {
    Vertx vertx = Vertx.vertx();
    Process p = null;
    List<String> output = new CopyOnWriteArrayList<>();
    try {
      TargetServer target = TargetServer.start(vertx).await();
      int port = freePort();
      p = serve(port, output);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      JsonArray urls = new JsonArray();
      for (int i = 0; i < URLS; i++) {
        urls.add(target.url("/ok?size=" + BODY + "&i=" + i));
      }
      JsonObject big = new JsonObject().put("urls", urls).put("capture", "text").put("concurrency", URLS);

      HttpResponse<String> settled = http.send(post(port, big, null), HttpResponse.BodyHandlers.ofString());
      assertThat(settled.statusCode()).as(settled.body()).isEqualTo(400);
      assertThat(settled.body()).contains("application/x-ndjson");

      HttpResponse<InputStream> streamed = http.send(post(port, big, "application/x-ndjson"),
          HttpResponse.BodyHandlers.ofInputStream());
      int ok = 0;
      int lines = 0;
      try (BufferedReader in = new BufferedReader(new InputStreamReader(streamed.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines++;
          if (line.contains("\"ok\":true") && line.contains("\"bytes\":" + BODY)) {
            ok++;
          }
        }
      } catch (IOException e) {
        throw new AssertionError("the stream broke after " + lines + " lines; the service "
            + (p.isAlive() ? "runs" : "exited with " + p.waitFor()) + ":\n" + tail(output), e);
      }
      assertThat(streamed.statusCode()).isEqualTo(200);
      assertThat(lines).isEqualTo(URLS + 1); // the results, then the stats
      assertThat(ok).isEqualTo(URLS);

      JsonObject small = new JsonObject().put("urls", new JsonArray().add(target.url("/ok?after=1")));
      HttpResponse<String> after = http.send(post(port, small, null), HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(after.body()).getJsonArray("results").getJsonObject(0).getBoolean("ok")).isTrue();
      assertThat(p.isAlive()).isTrue();
      assertThat(output).noneMatch(l -> l.contains("OutOfMemoryError"));
    } finally {
      if (p != null) {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
      vertx.close().await();
    }
  }

  /** Starts {@code fanout serve} as run.sh does it, with a 128 MiB heap; returns once it serves. */
  private Process serve(int port, List<String> output) throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-cp", cp, "dev.fanout.Main", "serve").redirectErrorStream(true);
    pb.environment().remove("FANOUT_CONF");
    pb.environment().remove("FANOUT_PG_URL");
    pb.environment().put("FANOUT_HTTP_PORT", String.valueOf(port));
    pb.environment().put("FANOUT_DATA_DIR", dataDir.toString());
    pb.environment().put("FANOUT_EGRESS_ALLOW", "127.0.0.1/32");
    pb.environment().put("FANOUT_PG_EMBEDDED_SHARED_BUFFERS_MB", "16");
    Process p = pb.start();
    CountDownLatch serving = new CountDownLatch(1);
    Thread drain = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          output.add(line);
          if (line.contains("serving on")) {
            serving.countDown();
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    assertThat(serving.await(120, TimeUnit.SECONDS)).as(String.join("\n", output)).isTrue();
    return p;
  }

  private static String tail(List<String> output) {
    return String.join("\n", output.subList(Math.max(0, output.size() - 30), output.size()));
  }

  private static HttpRequest post(int port, JsonObject body, String accept) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/fetch"))
        .timeout(Duration.ofSeconds(180))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return b.build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
