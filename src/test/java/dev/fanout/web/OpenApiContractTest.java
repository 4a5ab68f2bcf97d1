package dev.fanout.web;

import static dev.fanout.web.Exchanges.ok;
import static dev.fanout.web.Exchanges.problem;
import static dev.fanout.web.Exchanges.routeProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import dev.fanout.web.ContractProxy.Exchange;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real service (real PostgreSQL, a loopback target to fetch) driven through every operation
 * of {@code openapi.yaml}, success and the main failures, each request and each real response
 * (status, headers, body) validated against the description by vertx-openapi
 * ({@link ContractProxy}). A field the service answers and the description lacks, a required one
 * it leaves out, a type or status that differs: the exchange has a response error.
 */
@ExtendWith(VertxExtension.class)
class OpenApiContractTest {
  private static final String NOBODY = "nobody-handles";
  private OpenAPIContract contract;
  private ContractProxy api;
  private TargetServer target;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    int port = await(Service.start(vertx, new JsonObject()
        .put("admin", new JsonObject().put("enabled", true))
        .put("queue", new JsonObject().put("maxEnqueue", 5))
        .put("http", new JsonObject().put("bodyLimitBytes", 64 * 1024))));
    contract = await(OpenApi.contract(vertx));
    api = await(ContractProxy.start(vertx, contract, port));
    target = await(TargetServer.start(vertx));
  }

  @Test
  void operations_of_fetch_health_cluster_and_the_description(Vertx vertx) throws Exception {
    ok(api.call("GET", "/health/live", null, null), 200);
    ok(api.call("GET", "/health/ready", null, null), 200);
    ok(api.call("GET", "/v1/cluster", null, null), 200);
    Exchange doc = api.call("GET", "/openapi.yaml", null, null);
    ok(doc, 200);
    assertThat(OpenApi.base(doc.contentType())).isEqualTo(OpenApiDoc.MEDIA_TYPE);
    assertThat(doc.body()).isEqualTo(await(vertx.fileSystem().readFile(OpenApiDoc.PATH)));

    JsonObject two = new JsonObject().put("urls", new JsonArray().add(target.url("/ok"))
        .add(target.url("/status?code=404")));
    JsonObject settled = ok(api.call("POST", "/v1/fetch", null, two), 200);
    assertThat(settled.getJsonObject("stats").getJsonObject("failedByKind").getInteger("http-status")).isEqualTo(1);
    JsonObject spec = new JsonObject().put("url", target.url("/echo")).put("method", "POST").put("body", "hi")
        .put("headers", new JsonObject().put("X-Test", "1")).put("capture", "text").put("timeoutMs", 10_000);
    JsonObject full = new JsonObject().put("requests", new JsonArray().add(spec)).put("mode", "fail-fast")
        .put("concurrency", 2).put("retries", 0);
    assertThat(ok(api.call("POST", "/v1/fetch", null, full), 200).getJsonArray("results").getJsonObject(0)
        .getString("body")).contains("\"method\":\"POST\"");
    ndjson(api.call("POST", "/v1/fetch", null, two, "Accept", FetchApi.NDJSON), 3);
    String list = target.url("/ok") + "\n" + spec.encode() + "\n";
    // vertx-openapi 5.0 cannot read a request body of a custom media type: only the answer is held to the contract
    Exchange streamed = api.call("POST", "/v1/fetch?concurrency=2&ordered=true&capture=text", null, list,
        "Content-Type", FetchApi.NDJSON);
    assertThat(streamed.status()).isEqualTo(200);
    assertThat(streamed.responseError()).isNull();
    assertThat(streamed.body().toString().split("\n")).hasSize(3);
    problem(api.call("POST", "/v1/fetch?ordered=maybe", null, list, "Content-Type", FetchApi.NDJSON),
        400, "ordered", null);
    ok(api.call("GET", "/v1/egress", null, null), 200);

    problem(api.call("POST", "/v1/fetch", null, new JsonObject().put("urls", new JsonArray().add("ftp://x/"))),
        400, "urls[0]", null); // a URL's scheme: only the handler knows
    problem(api.call("POST", "/v1/fetch", null, two.copy().put("bogus", 1)), 400, "bogus", true);
    problem(api.call("POST", "/v1/fetch", null, new JsonObject().put("requests", new JsonArray()
        .add(new JsonObject().put("url", target.url("/ok")).put("retries", 101)))), 400, "requests[0].retries", true);
    problem(api.call("POST", "/v1/fetch", null, "{\"urls\": "), 400, "body", true);
    problem(api.call("POST", "/v1/fetch", null, two.copy().put("mode", "eventually")), 400, "mode", true);
    problem(api.call("POST", "/v1/fetch", null, "{\"urls\": [\"" + "x".repeat(70_000) + "\"]}"), 413, "body", null);
    routeProblem(contract, api.call("GET", "/v1/nothing-here", null, null), 404, "path");
    routeProblem(contract, api.call("DELETE", "/v1/queues", null, null), 405, "method");
  }

  /** An NDJSON gather: each line a described {@code FetchResult}, the last the stats. */
  private void ndjson(Exchange e, int lines) {
    ok(e, 200);
    assertThat(OpenApi.base(e.contentType())).isEqualTo(FetchApi.NDJSON);
    JsonObject lineSchema = contract.operation("gather").getResponse(200).getContent().get("text/plain")
        .getOpenAPIModel().getJsonObject(OpenApi.SCHEMA);
    String[] all = e.body().toString().split("\n");
    assertThat(all).hasSize(lines);
    for (String line : all) {
      OutputUnit out = Exchanges.check(contract, lineSchema, new JsonObject(line));
      assertThat(out.getValid()).as("%s: %s", line, out.getErrors()).isTrue();
    }
    assertThat(new JsonObject(all[lines - 1]).containsKey("stats")).isTrue();
  }

  @Test
  void operations_of_jobs_batches_and_queues() throws Exception {
    JsonObject echo = new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("a", 1));
    JsonObject two = new JsonObject().put("jobs", new JsonArray().add(echo).add(echo.copy().put("priority", 3)
        .put("maxAttempts", 2).put("idempotencyKey", "k-1").put("queue", "q1")));
    JsonObject enqueued = ok(api.call("POST", "/v1/jobs", null, two), 201);
    String batch = enqueued.getString("batch");
    long id = enqueued.getJsonArray("ids").getLong(0);
    assertThat(ok(api.call("GET", "/v1/batches/" + batch + "?wait=20", null, null), 200).getBoolean("done")).isTrue();
    JsonObject job = ok(api.call("GET", "/v1/jobs/" + id, null, null), 200);
    assertThat(job.getString("state")).isEqualTo("completed");
    JsonObject page = ok(api.call("GET", "/v1/jobs?state=completed&kind=echo&limit=1&batch=" + batch, null, null), 200);
    ok(api.call("GET", "/v1/jobs?limit=1&cursor=" + page.getString("cursor"), null, null), 200);
    problem(api.call("POST", "/v1/jobs/" + id + "/cancel", null, null), 409, "id", false);
    problem(api.call("POST", "/v1/jobs/" + id + "/retry", null, null), 409, "id", false);

    JsonObject waiting = ok(api.call("POST", "/v1/jobs", null, new JsonObject().put("kind", NOBODY)
        .put("runAt", "2026-01-01T00:00:00Z").put("batch", batch)), 201);
    assertThat(waiting.getJsonArray("unhandled")).containsExactly(NOBODY);
    long other = waiting.getJsonArray("ids").getLong(0);
    assertThat(ok(api.call("POST", "/v1/jobs/" + other + "/cancel", null, null), 200).getString("state"))
        .isEqualTo("cancelled");
    assertThat(ok(api.call("POST", "/v1/jobs/" + other + "/retry", null, null), 200).getString("state"))
        .isEqualTo("available");
    JsonObject queues = ok(api.call("GET", "/v1/queues", null, null), 200);
    assertThat(queues.getJsonArray("queues").stream().map(q -> ((JsonObject) q).getString("kind")))
        .contains("echo", NOBODY);
    ok(api.call("GET", "/v1/batches/" + batch, null, null), 200);

    problem(api.call("POST", "/v1/jobs", null, new JsonObject().put("kind", "not a kind")), 400, "kind", true);
    problem(api.call("POST", "/v1/jobs", null, echo.copy().put("maxAttempts", 0)), 400, "maxAttempts", true);
    problem(api.call("POST", "/v1/jobs", null, new JsonObject().put("jobs", new JsonArray())), 400, "jobs", true);
    problem(api.call("POST", "/v1/jobs", null, new JsonObject().put("jobs", new JsonArray().add(echo)
        .add(new JsonObject().put("kind", "echo").put("color", "red")))), 400, "jobs[1].color", true);
    problem(api.call("POST", "/v1/jobs", null, "[1]"), 400, "body", true);
    problem(api.call("GET", "/v1/jobs/abc", null, null), 400, "id", true);
    problem(api.call("GET", "/v1/jobs/987654321", null, null), 404, "id", false);
    problem(api.call("POST", "/v1/jobs/987654321/cancel", null, null), 404, "id", false);
    problem(api.call("GET", "/v1/jobs?limit=0", null, null), 400, "limit", true);
    problem(api.call("GET", "/v1/jobs?state=finished", null, null), 400, "state", true);
    problem(api.call("GET", "/v1/batches/" + batch + "?wait=121", null, null), 400, "wait", true);
  }

  @Test
  void operations_of_admin() throws Exception {
    JsonObject all = ok(api.call("GET", "/v1/admin/verticles", null, null), 200);
    String web = all.getJsonArray("verticles").stream().map(JsonObject.class::cast)
        .filter(d -> d.getString("name").equals("web")).findFirst().orElseThrow().getString("id");
    Exchange deployed = api.call("POST", "/v1/admin/verticles", null,
        new JsonObject().put("class", "fetcher").put("instances", 1));
    String id = ok(deployed, 201).getString("id");
    assertThat(deployed.headers().get("Location")).isEqualTo("/v1/admin/verticles/" + id);
    assertThat(ok(api.call("DELETE", "/v1/admin/verticles/" + id, null, null), 200).getBoolean("undeployed")).isTrue();
    problem(api.call("DELETE", "/v1/admin/verticles/" + web, null, null), 409, "id", false);
    problem(api.call("DELETE", "/v1/admin/verticles/" + id, null, null), 404, "id", false);
    problem(api.call("POST", "/v1/admin/verticles", null, new JsonObject().put("class", "com.example.Nope")),
        403, "class", false);
    problem(api.call("POST", "/v1/admin/verticles", null, new JsonObject().put("class", "fetcher").put("copies", 1)),
        400, "copies", true);
    problem(api.call("POST", "/v1/admin/verticles", null, new JsonObject().put("class", "fetcher")
        .put("instances", 0)), 400, "instances", true);
  }

}
