package dev.fanout.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /metrics} of the real service (real PostgreSQL, fetches of real loopback servers):
 * what it counts, that no label names a host or URL, and who may read it. The test's Vert.x has
 * no Vert.x metrics (see {@link VertxMetersTest} for those): fanout's own meters are served all the same.
 */
@ExtendWith(VertxExtension.class)
class MetricsTest {
  static final String READ = "reader-secret-0123456789";
  static final String WRITE = "writer-secret-0123456789";
  private WebClient web;
  private int port;

  private void start(Vertx vertx, JsonObject overrides) throws Exception {
    web = WebClient.create(vertx);
    port = await(Service.start(vertx, overrides));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<?> get(String path, String token) throws Exception {
    var req = web.get(port, "127.0.0.1", path);
    if (token != null) {
      req.bearerTokenAuthentication(token);
    }
    return await(req.send());
  }

  private void post(String path, JsonObject body) throws Exception {
    HttpResponse<?> r = await(web.post(port, "127.0.0.1", path).sendJsonObject(body));
    assertThat(r.statusCode()).as(path + ": " + r.bodyAsString()).isIn(200, 201);
  }

  /** Scrapes (one at a time, from the polling timer) until {@code done} holds for the text; answers it. */
  private String scrapeUntil(Vertx vertx, Predicate<String> done) throws Exception {
    AtomicReference<String> last = new AtomicReference<>();
    AtomicBoolean out = new AtomicBoolean();
    await(Conditions.until(vertx, () -> {
      String text = last.get();
      if (text != null && done.test(text)) {
        return true;
      }
      if (out.compareAndSet(false, true)) {
        web.get(port, "127.0.0.1", "/metrics").send().onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() == 200) {
            last.set(ar.result().bodyAsString());
          }
          out.set(false);
        });
      }
      return false;
    }, 30_000));
    return last.get();
  }

  /** The value of the one sample of {@code metric} that has every label given (as {@code k="v"}), or -1. */
  static double value(String text, String metric, String... labels) {
    double found = -1;
    for (String line : text.split("\n")) {
      if (!line.startsWith(metric + "{") && !line.startsWith(metric + " ")) {
        continue;
      }
      String name = line.substring(0, line.lastIndexOf(' '));
      boolean all = true;
      for (String l : labels) {
        all &= name.contains(l);
      }
      if (all) {
        assertThat(found).as("one sample of " + metric + " with " + String.join(",", labels)).isEqualTo(-1);
        found = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return found;
  }

  @Test
  void a_scrape_counts_fetches_by_outcome_jobs_by_kind_and_state_and_names_no_host(Vertx vertx) throws Exception {
    TargetServer target = await(TargetServer.start(vertx));
    start(vertx, new JsonObject().put("metrics", new JsonObject().put("queueRefreshMs", 0)));
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 3; i++) {
      urls.add(target.url("/ok"));
    }
    urls.add(target.url("/status?code=404")).add(target.url("/status?code=410"))
        .add(target.url("/seq?codes=429,200&ra=1")); // a Retry-After pauses its host, then the retry is ok
    post("/v1/fetch", new JsonObject().put("urls", urls));
    JsonArray jobs = new JsonArray().add(new JsonObject().put("kind", "echo").put("payload", new JsonObject()))
        .add(new JsonObject().put("kind", "echo").put("payload", new JsonObject()))
        .add(new JsonObject().put("kind", "parked.metrics").put("payload", new JsonObject()))
        .add(new JsonObject().put("kind", "parked.metrics").put("payload", new JsonObject()));
    post("/v1/jobs", new JsonObject().put("jobs", jobs));

    String text = scrapeUntil(vertx, t -> value(t, "fanout_jobs", "kind=\"echo\"", "state=\"completed\"") == 2);
    assertThat(value(text, "fanout_fetches_total", "outcome=\"ok\"")).isEqualTo(4);
    assertThat(value(text, "fanout_fetches_total", "outcome=\"http-status\"")).isEqualTo(2);
    assertThat(value(text, "fanout_fetches_total", "outcome=\"timeout\"")).isZero();
    assertThat(value(text, "fanout_fetch_attempts_total")).isEqualTo(7);
    assertThat(value(text, "fanout_fetch_duration_seconds_count", "result=\"ok\"")).isEqualTo(4);
    assertThat(value(text, "fanout_fetch_attempt_duration_seconds_count")).isEqualTo(7);
    assertThat(value(text, "fanout_host_pauses_total")).isEqualTo(1);
    assertThat(text).containsPattern("(?m)^fanout_fetcher_in_flight\\{fetcher=\"[^\"]+\"} 0\\.0$")
        .containsPattern("(?m)^fanout_fetcher_queued\\{fetcher=\"[^\"]+\"} 0\\.0$")
        .containsPattern("(?m)^fanout_host_pauses_active\\{fetcher=\"[^\"]+\"} ")
        .contains("fanout_fetch_capture_used_bytes ");
    assertThat(value(text, "fanout_jobs", "kind=\"parked.metrics\"", "state=\"available\"")).isEqualTo(2);
    assertThat(value(text, "fanout_jobs", "kind=\"parked.metrics\"", "state=\"running\"")).isZero();
    assertThat(value(text, "fanout_queue_depth", "kind=\"parked.metrics\"")).isEqualTo(2);
    assertThat(value(text, "fanout_queue_depth", "kind=\"echo\"")).isZero();
    assertThat(value(text, "fanout_queue_oldest_available_seconds", "kind=\"parked.metrics\"")).isNotNegative();
    assertThat(value(text, "fanout_job_claim_duration_seconds_count")).isPositive();
    assertThat(value(text, "fanout_job_start_delay_seconds_count")).isGreaterThanOrEqualTo(2);
    // no label carries where fanout fetched
    assertThat(text).doesNotContain("127.0.0.1:" + target.port()).doesNotContain(":" + target.port() + "\"")
        .doesNotContain("/status").doesNotContain("code=404").doesNotContain("/seq");
    await(target.close());
  }

  @Test
  void kinds_beyond_metrics_maxKinds_are_counted_as_other(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("metrics", new JsonObject().put("queueRefreshMs", 0).put("maxKinds", 2)));
    JsonArray jobs = new JsonArray();
    for (String kind : new String[] {"a.kind", "b.kind", "c.kind", "d.kind"}) {
      jobs.add(new JsonObject().put("kind", kind).put("payload", new JsonObject()));
    }
    post("/v1/jobs", new JsonObject().put("jobs", jobs));
    String text = scrapeUntil(vertx, t -> value(t, "fanout_queue_depth", "kind=\"other\"") >= 0);
    // the listing is sorted by kind: a.kind and b.kind take the two labels, the rest share other
    assertThat(value(text, "fanout_queue_depth", "kind=\"a.kind\"")).isEqualTo(1);
    assertThat(value(text, "fanout_queue_depth", "kind=\"other\"")).isEqualTo(2);
    assertThat(text).doesNotContain("kind=\"c.kind\"").doesNotContain("kind=\"d.kind\"")
        .doesNotContain("kind=\"echo\"");
    assertThat(text.lines().filter(l -> l.startsWith("fanout_queue_depth{")).count()).isEqualTo(3);
  }

  @Test
  void metrics_disabled_is_a_404(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("metrics", new JsonObject().put("enabled", false)));
    assertThat(get("/metrics", null).statusCode()).isEqualTo(404);
  }

  @Test
  void with_tokens_metrics_needs_read_unless_open(Vertx vertx) throws Exception {
    JsonObject tokens = new JsonObject().put("tokens", new JsonArray().add("dash:" + READ + ":read")
        .add("ci:" + WRITE + ":write"));
    start(vertx, new JsonObject().put("api", tokens));
    assertThat(get("/metrics", null).statusCode()).isEqualTo(401);
    assertThat(get("/metrics", WRITE).statusCode()).isEqualTo(403);
    HttpResponse<?> read = get("/metrics", READ);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.getHeader("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    assertThat(read.bodyAsString()).contains("# TYPE fanout_fetches_total counter");
    HttpResponse<?> open = await(web.get(port, "127.0.0.1", "/metrics").bearerTokenAuthentication(READ)
        .putHeader("Accept", "application/openmetrics-text; version=1.0.0").send());
    assertThat(open.getHeader("Content-Type")).startsWith("application/openmetrics-text");
    assertThat(open.bodyAsString()).contains("# TYPE fanout_fetches counter").endsWith("# EOF\n");
  }

  @Test
  void api_openMetrics_lets_a_scraper_without_a_token_in(Vertx vertx) throws Exception {
    JsonObject api = new JsonObject().put("tokens", new JsonArray().add("dash:" + READ + ":read"))
        .put("openMetrics", true);
    start(vertx, new JsonObject().put("api", api));
    assertThat(get("/metrics", null).statusCode()).isEqualTo(200);
    assertThat(get("/v1/queues", null).statusCode()).isEqualTo(401); // only /metrics is open
  }
}
