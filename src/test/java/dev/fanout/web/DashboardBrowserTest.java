package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Chromium;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard end to end, in headless Debian Chromium driven over the DevTools protocol: fanout
 * with tokens on, the page told it needs one, a read-only token entered (an enqueue refused, said
 * on the page), a token that may write, a batch of fetch jobs enqueued from its form, and that
 * batch's progress reaching done on the page (from {@code GET /v1/events}). It leaves
 * target/dashboard.png. The browser is driven from the test's thread; the service runs on
 * Vert.x's.
 */
@ExtendWith(VertxExtension.class)
class DashboardBrowserTest {
  private static final String SECRET = "dashboard-e2e-secret-0123456789";
  private static final String READ_ONLY = "dashboard-e2e-reader-0123456789";
  private static final int OK = 12;
  private static final int FAILING = 2;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void a_batch_enqueued_from_the_page_progresses_to_done_on_it(Vertx vertx) throws Exception {
    TargetServer target = await(TargetServer.start(vertx));
    JsonObject config = Fetchers.fetch("retries", 0) // a 503 fails the job's attempt at once
        .put("api", new JsonObject().put("tokens",
            new JsonArray().add("e2e:" + SECRET + ":read+write").add("viewer:" + READ_ONLY + ":read")));
    String base = "http://127.0.0.1:" + await(Service.start(vertx, config));
    try (Chromium page = Chromium.start(vertx, 1100, 900)) {
      page.navigate(base + "/");
      Object denied = page.waitFor("!document.getElementById('access').hidden"
          + " && document.getElementById('access').textContent", 10_000);
      assertThat((String) denied).startsWith("401").contains("needs a token");

      page.type("#token", READ_ONLY);
      page.click("#token-use");
      page.waitFor("document.getElementById('stream').dataset.state === 'live'"
          + " && document.querySelector('#fetchers tbody tr[data-fetcher]')", 15_000);
      assertThat(page.eval("document.getElementById('access').hidden")).isEqualTo(true);
      page.type("#urls", String.join("\n", urls(target)));
      page.type("#max-attempts", "1");
      page.click("#enqueue");
      Object refused = page.waitFor("document.getElementById('enqueue-answer').classList.contains('bad')"
          + " && document.getElementById('enqueue-answer').textContent", 10_000);
      assertThat((String) refused).startsWith("403").contains("lacks the scope write").contains("field scope");

      page.click("#token-forget");
      page.type("#token", SECRET);
      page.click("#token-use");
      page.waitFor("document.getElementById('stream').dataset.state === 'live'", 15_000);
      page.click("#enqueue");
      String batch = (String) page.waitFor("document.getElementById('enqueue-answer').dataset.batch", 10_000);
      assertThat(page.text("#enqueue-answer")).contains(batch).contains((OK + FAILING) + " jobs enqueued");

      String row = "#batches tr[data-batch='" + batch + "']";
      page.waitFor("document.querySelector(\"" + row + "[data-done='true']\")", 20_000);
      assertThat(page.text(row + " .count")).isEqualTo((OK + FAILING) + " / " + (OK + FAILING));
      assertThat(page.text(row + " .states")).contains("completed " + OK).contains("discarded " + FAILING);
      page.waitFor("document.querySelectorAll(\"#failures tbody tr[data-state='discarded']\").length >= "
          + FAILING, 10_000);

      JsonObject stored = new JsonObject(get(base + "/v1/batches/" + batch).body());
      assertThat(stored.getBoolean("done")).isTrue();
      assertThat(stored.getInteger("total")).isEqualTo(OK + FAILING);

      page.resize(1100, ((Number) page.eval("document.documentElement.scrollHeight")).intValue());
      page.screenshot(Path.of("target", "dashboard.png"));
      assertThat(page.pageErrors()).isEmpty();
    }
  }

  @Test
  void the_page_and_its_files_are_served_without_a_token_and_revalidated(Vertx vertx) throws Exception {
    JsonObject config = new JsonObject()
        .put("api", new JsonObject().put("tokens", new JsonArray().add("e2e:" + SECRET + ":read")));
    String base = "http://127.0.0.1:" + await(Service.start(vertx, config));
    HttpResponse<String> page = get(base + "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
    assertThat(page.headers().firstValue("Cache-Control")).contains("no-cache");
    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
        p -> assertThat(p).contains("script-src 'self'").doesNotContain("unsafe-inline"));
    assertThat(page.body()).contains("/ui/app.js").doesNotContain("<script>");
    HttpResponse<String> module = get(base + "/ui/app.js");
    assertThat(module.statusCode()).isEqualTo(200);
    assertThat(module.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/javascript"));
    String modified = module.headers().firstValue("Last-Modified").orElseThrow();
    HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(base + "/ui/app.js"))
        .header("If-Modified-Since", modified).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(get(base + "/ui/nothing-here.js").statusCode()).isEqualTo(404);
    HttpResponse<String> api = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/queues")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(api.statusCode()).isEqualTo(401); // the API stays closed
  }

  private static List<String> urls(TargetServer target) {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < OK; i++) {
      urls.add(target.url("/delay?ms=200&i=" + i));
    }
    for (int i = 0; i < FAILING; i++) {
      urls.add(target.url("/status?code=503&i=" + i));
    }
    return urls;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + SECRET).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
