package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.queue.JobsVerticle;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One failure, one status: what fails on the bus behind {@code /v1/jobs} gets the status the same
 * failure gets from {@code /v1/fetch} (a timeout 504, bad input 400 naming the whole field), a bug
 * is a 500 and a service that is not there a 503. {@code fanout.jobs.get} is answered here by a
 * stand-in consumer where a test needs a failure the jobs service cannot be made to produce.
 */
@ExtendWith(VertxExtension.class)
class FailureStatusTest {
  WebClient web;
  int port;

  /** Fetchers and one web verticle (1 s request deadline), and {@code jobs} on {@code fanout.jobs.get} unless null. */
  private Future<Integer> start(Vertx vertx, Handler<Message<JsonObject>> jobs) {
    web = WebClient.create(vertx);
    JsonObject cfg = Fetchers.config(new JsonObject()
        .put("fetch", new JsonObject().put("retries", 0))
        .put("http", new JsonObject().put("port", 0).put("instances", 1).put("requestTimeoutMs", 1000)));
    if (jobs != null) {
      vertx.eventBus().consumer(Addresses.JOBS_GET, jobs);
    }
    return Fetchers.deploy(vertx, cfg)
        .compose(id -> vertx.deployVerticle(WebVerticle.class, new DeploymentOptions().setConfig(cfg)))
        .map(id -> port = WebVerticle.boundPort(vertx));
  }

  private Future<JsonObject> problem(Future<HttpResponse<Buffer>> resp) {
    return resp.map(r -> {
      assertThat(r.getHeader("Content-Type")).isEqualTo("application/problem+json");
      return r.bodyAsJsonObject();
    });
  }

  private Future<JsonObject> get(String path) {
    return problem(web.get(port, "127.0.0.1", path).send());
  }

  private Future<JsonObject> post(String path, JsonObject body) {
    return problem(web.post(port, "127.0.0.1", path).sendBuffer(body.toBuffer()));
  }

  @Test
  void a_bus_timeout_behind_jobs_is_the_504_a_fetch_past_its_deadline_gets(Vertx vertx, VertxTestContext ctx) {
    Future<TargetServer> target = TargetServer.start(vertx);
    target.compose(t -> start(vertx, msg -> msg.fail(504, "the store did not answer in time")))
        .compose(p -> post("/v1/fetch",
            new JsonObject().put("urls", new JsonArray().add(target.result().url("/hang")))))
        .compose(fetch -> get("/v1/jobs/1").map(jobs -> new JsonObject[] {fetch, jobs}))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          for (JsonObject p : both) {
            assertThat(p.getInteger("status")).isEqualTo(504);
            assertThat(p.getString("type")).isEqualTo("https://fanout.dev/problems/timeout");
          }
          assertThat(both[1].getString("detail")).isEqualTo("the store did not answer in time");
          ctx.completeNow();
        })));
  }

  @Test
  void a_bug_behind_jobs_is_a_500_without_its_text(Vertx vertx, VertxTestContext ctx) {
    start(vertx, msg -> msg.fail(500, "NullPointerException: secret"))
        .compose(p -> get("/v1/jobs/1"))
        .onComplete(ctx.succeeding(p -> ctx.verify(() -> {
          assertThat(p.getInteger("status")).isEqualTo(500);
          assertThat(p.getString("type")).isEqualTo("https://fanout.dev/problems/internal");
          assertThat(p.encode()).doesNotContain("secret");
          ctx.completeNow();
        })));
  }

  @Test
  void no_jobs_service_on_the_bus_is_503(Vertx vertx, VertxTestContext ctx) {
    start(vertx, null)
        .compose(p -> get("/v1/jobs/1"))
        .onComplete(ctx.succeeding(p -> ctx.verify(() -> {
          assertThat(p.getInteger("status")).isEqualTo(503);
          assertThat(p.getString("type")).isEqualTo("https://fanout.dev/problems/unavailable");
          ctx.completeNow();
        })));
  }

  @Test
  void a_field_whose_name_holds_a_colon_is_named_whole_by_fetch_and_jobs(Vertx vertx, VertxTestContext ctx)
      throws IOException {
    JsonObject cfg = Fetchers.config(new JsonObject());
    JobsVerticle jobs = new JobsVerticle(PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1")
        .setPort(deadPort()).setUser("x").setPassword("x").setDatabase("x")).using(vertx).build());
    JsonObject badJob = new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("a: b", "x\u0000"));
    JsonObject badFetch = new JsonObject().put("requests", new JsonArray().add(new JsonObject()
        .put("url", "http://127.0.0.1:1/").put("headers", new JsonObject().put("a: b", "x"))));
    vertx.deployVerticle(jobs, new DeploymentOptions().setConfig(cfg))
        .compose(id -> start(vertx, null))
        .compose(p -> post("/v1/jobs", badJob))
        .compose(job -> post("/v1/fetch", badFetch).map(fetch -> new JsonObject[] {job, fetch}))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(both[0].getInteger("status")).isEqualTo(400);
          assertThat(both[0].getString("field")).isEqualTo("payload.a: b");
          assertThat(both[0].getString("detail")).startsWith("payload.a: b: must not contain NUL");
          assertThat(both[1].getInteger("status")).isEqualTo(400);
          assertThat(both[1].getString("field")).isEqualTo("requests[0].headers.a: b");
          ctx.completeNow();
        })));
  }

  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
