package dev.fanout.examples.links;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example as a user runs it (docs/extending.md): the plugin jar the build made,
 * {@code target/plugins/fanout-links.jar}, in the plugins directory of {@code java -jar
 * target/fanout.jar serve --deploy dev.fanout.examples.links.LinksVerticle}; a crawl enqueued over
 * HTTP finishes with every page of a local site fetched once. Runs after {@code package} (the
 * {@code integration-test} phase), so it tests the jars themselves: neither fanout.jar nor this
 * process's class path gives the plugin its classes or jsoup.
 */
class LinksPluginIT {
  private static final Path JAR = Path.of("target", "fanout.jar");
  private static final Path PLUGINS = Path.of("target", "plugins");
  private final HttpClient http = HttpClient.newHttpClient();
  private Vertx vertx;
  private Process fanout;

  @AfterEach
  void stop() throws Exception {
    if (fanout != null) {
      fanout.destroy();
      if (!fanout.waitFor(60, TimeUnit.SECONDS)) {
        fanout.destroyForcibly();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void the_plugin_jar_crawls_a_site_in_a_fanout_started_from_its_jar() throws Exception {
    assertThat(JAR).exists();
    assertThat(PLUGINS.resolve("fanout-links.jar")).exists();
    vertx = Vertx.vertx();
    String schema = vertx.executeBlocking(TestDb::url).compose(u -> TestDb.freshSchema(vertx)).await();
    Map<String, List<String>> graph = new LinkedHashMap<>();
    graph.put("/", List.of("/a", "/b"));
    graph.put("/a", List.of("/b", "/"));
    graph.put("/b", List.of("/a", "/c"));
    graph.put("/c", List.of("/"));
    Site site = Site.start(vertx, graph).await();

    int port = freePort();
    JsonObject conf = new JsonObject()
        .put("http", new JsonObject().put("port", port))
        .put("pg", new JsonObject().put("url", TestDb.url(schema)))
        .put("egress", new JsonObject().put("allow", new JsonArray().add("127.0.0.0/8")))
        .put("plugins", new JsonObject().put("dir", PLUGINS.toAbsolutePath().toString()));
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-jar", JAR.toString(), "serve", "--conf", conf.encode(),
        "--deploy", "dev.fanout.examples.links.LinksVerticle");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("FANOUT_"));
    fanout = pb.start();
    List<String> output = new ArrayList<>();
    BufferedReader out = new BufferedReader(new InputStreamReader(fanout.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.contains("serving on")) {
      output.add(line);
    }
    assertThat(line).as(String.join("\n", output)).isNotNull();
    assertThat(output).anySatisfy(l -> assertThat(l).contains("fanout-links.jar"));
    Thread drain = new Thread(() -> out.lines().forEach(l -> { })); // keep the pipe from filling
    drain.setDaemon(true);
    drain.start();

    String base = "http://127.0.0.1:" + port;
    JsonObject start = new JsonObject().put("kind", "links")
        .put("payload", new JsonObject().put("url", site.url("/")).put("maxDepth", 5).put("budget", 100));
    JsonObject created = new JsonObject(send("POST", base + "/v1/jobs", start.encode()));
    assertThat(created.getJsonArray("unhandled")).isEmpty(); // the plugin's kind is served
    JsonObject batch = new JsonObject(send("GET", base + "/v1/batches/" + created.getString("batch") + "?wait=60",
        null));
    assertThat(batch.getBoolean("done")).as(batch.encode()).isTrue();
    assertThat(batch.getLong("total")).isEqualTo(5); // the crawl's start and its four pages
    assertThat(batch.getJsonObject("counts").getLong("completed")).isEqualTo(5);
    assertThat(site.hits()).isEqualTo(Map.of("/", 1, "/a", 1, "/b", 1, "/c", 1));
  }

  private String send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return r.body();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
