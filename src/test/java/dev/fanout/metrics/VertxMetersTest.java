package dev.fanout.metrics;

import static dev.fanout.metrics.MetricsTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.config.MetricsConfig;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service on a Vert.x built as {@code serve} builds it ({@link VertxMeters}): /metrics has
 * Vert.x's HTTP server, HTTP client, pool and event-bus meters beside fanout's, and none of their
 * labels names a host, a path or a per-id address.
 */
class VertxMetersTest {
  private Vertx vertx;
  private WebClient web;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void vertx_meters_are_served_with_bounded_labels_only() throws Exception {
    VertxMeters meters = new VertxMeters(new MetricsConfig(true, 0, 100));
    vertx = meters.attach(meters.builder(new VertxOptions()).build());
    web = WebClient.create(vertx);
    TargetServer target = await(TargetServer.start(vertx));
    int port = await(Service.start(vertx, new JsonObject()));
    JsonArray urls = new JsonArray().add(target.url("/ok?a=1")).add(target.url("/status?code=500"));
    assertThat(await(web.post(port, "127.0.0.1", "/v1/fetch").sendJsonObject(new JsonObject().put("urls", urls)))
        .statusCode()).isEqualTo(200);
    String text = await(web.get(port, "127.0.0.1", "/metrics").send()).bodyAsString();
    Files.writeString(Path.of("target", "metrics-sample.txt"), text); // an example scrape, for the docs
    assertThat(text).contains("vertx_http_server_requests_total{").containsPattern("route=\"[^\"]*/v1/fetch\"")
        .contains("vertx_http_client_").contains("client_name=\"fetch\"")
        .contains("vertx_eventbus_").contains("vertx_pool_")
        .contains("fanout_fetches_total{outcome=\"ok\"} 1.0");
    assertThat(text).doesNotContain("remote=").doesNotContain("path=").doesNotContain("local=")
        .doesNotContain("127.0.0.1:" + target.port()).doesNotContain("/ok").doesNotContain("/status");
    Matcher m = Pattern.compile("address=\"([^\"]*)\"").matcher(text);
    var addresses = m.results().map(r -> r.group(1)).collect(Collectors.toSet());
    assertThat(addresses).isNotEmpty().allMatch(a -> a.equals("other") || a.startsWith("fanout."))
        .noneMatch(a -> a.matches(".*\\.[0-9a-f-]{8,}$") || a.matches(".*\\.shard\\.\\d+$"));
    assertThat(text).doesNotContainPattern("pool_name=\"fanout-job-[^*]").doesNotContainPattern("pool_name=\"[^\"]*:");
    await(target.close());
  }
}
