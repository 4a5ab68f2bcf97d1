package dev.fanout.web;

import static dev.fanout.web.Exchanges.ok;
import static dev.fanout.web.Exchanges.problem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Fetchers;
import dev.fanout.testing.Service;
import dev.fanout.web.ContractProxy.Exchange;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The described problems of access and limits, from the real service, validated against
 * {@code openapi.yaml} as {@link OpenApiContractTest} does: 401 (with {@code WWW-Authenticate}),
 * 403 naming the scope, 413, 429 with {@code Retry-After}, 503 and 504.
 */
@ExtendWith(VertxExtension.class)
class OpenApiProblemsTest {
  private static final String READ = "reader-secret-0123456789";
  private static final String WRITE = "writer-secret-0123456789";
  private static final String ADMIN = "admins-secret-0123456789";

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static ContractProxy api(Vertx vertx, int port) throws Exception {
    OpenAPIContract contract = await(OpenApi.contract(vertx));
    return await(ContractProxy.start(vertx, contract, port));
  }

  @Test
  void tokens_scopes_body_limit_and_request_timeout(Vertx vertx) throws Exception {
    JsonObject tokens = new JsonObject().put("tokens", new JsonArray()
        .add("dash:" + READ + ":read").add("ci:" + WRITE + ":read+write").add("ops:" + ADMIN + ":admin"));
    ContractProxy api = api(vertx, await(Service.start(vertx, new JsonObject().put("api", tokens)
        .put("admin", new JsonObject().put("enabled", true))
        .put("http", new JsonObject().put("bodyLimitBytes", 1024).put("requestTimeoutMs", 500)))));

    Exchange none = api.call("GET", "/v1/queues", null, null);
    problem(none, 401, "Authorization", null);
    assertThat(none.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"fanout\"");
    problem(api.call("GET", "/v1/jobs/1", "not-a-token-of-ours", null), 401, "Authorization", null);
    JsonObject job = new JsonObject().put("kind", "nobody-handles");
    problem(api.call("POST", "/v1/jobs", READ, job), 403, "scope", null);
    problem(api.call("GET", "/v1/queues", ADMIN, null), 403, "scope", null);
    problem(api.call("GET", "/v1/admin/verticles", WRITE, null), 403, "scope", null);
    ok(api.call("GET", "/v1/admin/verticles", ADMIN, null), 200);
    ok(api.call("GET", "/health/live", null, null), 200);
    ok(api.call("GET", "/openapi.yaml", null, null), 200);

    problem(api.call("POST", "/v1/jobs", WRITE, job.copy().put("payload", new JsonObject()
        .put("x", "y".repeat(2048)))), 413, "body", null);
    String batch = ok(api.call("POST", "/v1/jobs", WRITE, job), 201).getString("batch");
    // a long poll on a batch nobody runs, past http.requestTimeoutMs (500 ms)
    problem(api.call("GET", "/v1/batches/" + batch + "?wait=30", READ, null), 504, null, false);
  }

  @Test
  void over_the_rate_limit_is_429_with_retry_after(Vertx vertx) throws Exception {
    ContractProxy api = api(vertx, await(Service.start(vertx, new JsonObject()
        .put("api", new JsonObject().put("ratePerSecond", 0.01).put("rateBurst", 1)))));
    ok(api.call("GET", "/v1/queues", null, null), 200);
    Exchange limited = api.call("GET", "/v1/queues", null, null);
    problem(limited, 429, null, false);
    assertThat(Long.parseLong(limited.headers().get("Retry-After"))).isPositive();
  }

  @Test
  void nothing_to_answer_is_503(Vertx vertx) throws Exception {
    // the web verticle alone: no jobs service on the bus, and not marked ready
    JsonObject cfg = Fetchers.config(new JsonObject().put("http", new JsonObject().put("port", 0)));
    await(vertx.deployVerticle(new WebVerticle(), new DeploymentOptions().setConfig(cfg)));
    ContractProxy api = api(vertx, WebVerticle.boundPort(vertx));
    JsonObject ready = ok(api.call("GET", "/health/ready", null, null), 503);
    assertThat(ready.getString("status")).isEqualTo("DOWN");
    problem(api.call("GET", "/v1/queues", null, null), 503, null, false);
    problem(api.call("POST", "/v1/jobs", null, new JsonObject().put("kind", "echo")), 503, null, false);
  }
}
