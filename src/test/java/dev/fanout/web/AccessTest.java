package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Service;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tokens, scopes, rate limits and CORS of the real service over HTTP. The client blocks on the
 * test's thread; the service runs on Vert.x's.
 */
@ExtendWith(VertxExtension.class)
class AccessTest {
  static final String READ = "reader-secret-0123456789";
  static final String WRITE = "writer-secret-0123456789";
  static final String ADMIN = "admins-secret-0123456789";
  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  private static JsonObject tokens() {
    return new JsonObject().put("tokens", new JsonArray()
        .add("dash:" + READ + ":read").add("ci:" + WRITE + ":read+write").add("ops:" + ADMIN + ":admin"));
  }

  private void start(Vertx vertx, JsonObject overrides) throws Exception {
    port = Service.start(vertx, overrides).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void a_request_without_a_valid_token_is_401_before_its_body_is_read(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("api", tokens()).put("http", new JsonObject().put("bodyLimitBytes", 1024)));
    String tooLarge = new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("x", "y".repeat(4096)))
        .encode();
    HttpResponse<String> none = call("POST", "/v1/jobs", null, tooLarge); // read, it would be a 413
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"fanout\"");
    assertThat(none.headers().firstValue("Content-Type")).contains(Problem.TYPE);
    JsonObject problem = new JsonObject(none.body());
    assertThat(problem.getString("field")).isEqualTo("Authorization");
    assertThat(problem.getString("detail")).contains("Authorization: Bearer");
    HttpResponse<String> wrong = call("GET", "/v1/queues", "not-a-token-of-ours-at-all", null);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(new JsonObject(wrong.body()).getString("detail")).isEqualTo("the token is not valid")
        .doesNotContain("not-a-token");
  }

  @Test
  void each_route_needs_its_scope(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("api", tokens()));
    String job = new JsonObject().put("kind", "echo").put("payload", new JsonObject()).encode();
    assertThat(call("GET", "/v1/queues", READ, null).statusCode()).isEqualTo(200);
    HttpResponse<String> readOnly = call("POST", "/v1/jobs", READ, job);
    assertThat(readOnly.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(readOnly.body()).getString("detail")).isEqualTo("token dash lacks the scope write");
    assertThat(new JsonObject(readOnly.body()).getString("field")).isEqualTo("scope");
    assertThat(call("POST", "/v1/jobs", WRITE, job).statusCode()).isEqualTo(201);
    assertThat(call("GET", "/v1/admin/verticles", WRITE, null).statusCode()).isEqualTo(403);
    assertThat(call("GET", "/v1/queues", ADMIN, null).statusCode()).isEqualTo(403); // admin alone is not read
    assertThat(call("GET", "/health/live", null, null).statusCode()).isEqualTo(200); // probes carry no token
    // the scope is the decoded path's, as the routes see it (a path that does not decode: InputFuzzTest)
    assertThat(call("GET", "/v1/%61dmin/verticles", WRITE, null).statusCode()).isEqualTo(403);
  }

  @Test
  void health_can_be_closed_too(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("api", tokens().put("openHealth", false)));
    assertThat(call("GET", "/health/live", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/health/live", READ, null).statusCode()).isEqualTo(200);
  }

  @Test
  void the_dashboard_and_the_description_are_open_and_metrics_by_config(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("api", tokens()));
    for (String open : new String[] {"/", "/ui/app.js", "/openapi.yaml"}) {
      assertThat(call("GET", open, null, null).statusCode()).as(open).isEqualTo(200);
    }
    assertThat(call("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/v1/events", null, null).statusCode()).isEqualTo(401);
    assertThat(call("GET", "/ui/../v1/queues", null, null).statusCode()).isEqualTo(401); // normalized first
  }

  @Test
  void metrics_can_be_opened(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("api", tokens().put("openMetrics", true)));
    assertThat(call("GET", "/metrics", null, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/v1/queues", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void a_client_over_its_rate_gets_429_with_retry_after(Vertx vertx) throws Exception {
    // one request per 100 s after a burst of 2: the third in a row is refused however slow the machine
    start(vertx, new JsonObject().put("api", tokens().put("ratePerSecond", 0.01).put("rateBurst", 2)));
    assertThat(call("GET", "/v1/queues", READ, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/v1/queues", READ, null).statusCode()).isEqualTo(200);
    HttpResponse<String> third = call("GET", "/v1/queues", READ, null);
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 100L);
    assertThat(new JsonObject(third.body()).getString("type")).endsWith("/too-many-requests");
    assertThat(call("GET", "/v1/queues", WRITE, null).statusCode()).isEqualTo(200); // another token, its own bucket
  }

  @Test
  void an_open_api_limits_by_client_address(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("api", new JsonObject().put("ratePerSecond", 0.01).put("rateBurst", 1)));
    assertThat(call("GET", "/v1/queues", null, null).statusCode()).isEqualTo(200);
    assertThat(call("GET", "/v1/queues", null, null).statusCode()).isEqualTo(429);
  }

  @Test
  void cors_is_off_by_default_and_an_allow_list_when_configured(Vertx vertx) throws Exception {
    start(vertx, new JsonObject().put("api", tokens().put("corsOrigins", new JsonArray().add("http://localhost:3000"))));
    HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/v1/jobs")).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "http://localhost:3000").header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isBetween(200, 204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:3000");
    HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/v1/queues")).header("Origin", "http://evil.example").header("Authorization", "Bearer " + READ).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void without_an_allow_list_no_cors_headers(Vertx vertx) throws Exception {
    start(vertx, new JsonObject());
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/queues"))
        .header("Origin", "http://localhost:3000").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }
}
