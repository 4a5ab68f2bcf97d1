package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.queue.JobsVerticle;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.Service;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The jobs HTTP API over real HTTP and a real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class JobsApiTest {
  WebClient web;
  int port;

  private Future<Integer> start(Vertx vertx) {
    web = WebClient.create(vertx);
    return Service.start(vertx, new JsonObject().put("queue", new JsonObject().put("maxEnqueue", 5)))
        .map(p -> port = p);
  }

  private Future<HttpResponse<Buffer>> post(String path, Object body) {
    return web.post(port, "127.0.0.1", path).sendBuffer(Buffer.buffer(body == null ? "" : body.toString()));
  }

  private Future<HttpResponse<Buffer>> get(String path) {
    return web.get(port, "127.0.0.1", path).send();
  }

  @Test
  void enqueue_wait_read_list_cancel_retry(Vertx vertx, VertxTestContext ctx) {
    JsonObject batchOf2 = new JsonObject().put("jobs", new JsonArray()
        .add(new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("a", 1)))
        .add(new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("a", 2))));
    start(vertx)
        .compose(p -> post("/v1/jobs", batchOf2))
        .compose(created -> {
          ctx.verify(() -> assertThat(created.statusCode()).isEqualTo(201));
          JsonObject e = created.bodyAsJsonObject();
          return get("/v1/batches/" + e.getString("batch") + "?wait=20").compose(batch -> {
            ctx.verify(() -> {
              assertThat(batch.statusCode()).isEqualTo(200);
              JsonObject b = batch.bodyAsJsonObject();
              assertThat(b.getBoolean("done")).isTrue();
              assertThat(b.getLong("total")).isEqualTo(2);
              assertThat(b.getJsonObject("counts").getLong("completed")).isEqualTo(2);
            });
            long id = e.getJsonArray("ids").getLong(0);
            return get("/v1/jobs/" + id);
          }).compose(job -> {
            ctx.verify(() -> {
              JsonObject j = job.bodyAsJsonObject();
              assertThat(j.fieldNames()).contains("id", "kind", "state", "attempt",
                  "maxAttempts", "payload", "result", "errors", "batch");
              assertThat(j.getJsonObject("result").getInteger("a")).isEqualTo(1);
            });
            return get("/v1/jobs?state=completed&kind=echo&limit=1");
          }).compose(page -> {
            ctx.verify(() -> {
              assertThat(page.bodyAsJsonObject().getJsonArray("jobs")).hasSize(1);
              assertThat(page.bodyAsJsonObject().getString("cursor")).isNotNull();
            });
            return get("/v1/jobs?state=completed&limit=1&cursor=" + page.bodyAsJsonObject().getString("cursor"));
          }).compose(next -> {
            ctx.verify(() -> assertThat(next.bodyAsJsonObject().getJsonArray("jobs")).hasSize(1));
            return post("/v1/jobs/" + e.getJsonArray("ids").getLong(0) + "/cancel", null);
          });
        })
        .compose(cancelFinal -> {
          ctx.verify(() -> {
            assertThat(cancelFinal.statusCode()).isEqualTo(409);
            assertThat(cancelFinal.getHeader("Content-Type")).isEqualTo("application/problem+json");
          });
          return post("/v1/jobs", new JsonObject().put("kind", "nobody-runs-this")
              .put("runAt", "2999-01-01T00:00:00Z"));
        })
        .compose(created -> {
          long id = created.bodyAsJsonObject().getJsonArray("ids").getLong(0);
          return post("/v1/jobs/" + id + "/cancel", null).compose(c -> post("/v1/jobs/" + id + "/retry", null)
              .map(r -> new HttpResponse<?>[] {c, r}));
        })
        .compose(pair -> get("/v1/queues").map(q -> new Object[] {pair, q}))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          HttpResponse<?>[] pair = (HttpResponse<?>[]) r[0];
          assertThat(pair[0].statusCode()).isEqualTo(200);
          assertThat(((Buffer) pair[0].body()).toJsonObject().getString("state")).isEqualTo("cancelled");
          assertThat(pair[1].statusCode()).isEqualTo(200);
          assertThat(((Buffer) pair[1].body()).toJsonObject().getString("state")).isEqualTo("available");
          @SuppressWarnings("unchecked") HttpResponse<Buffer> queues = (HttpResponse<Buffer>) r[1];
          assertThat(queues.bodyAsJsonObject().getJsonArray("queues")).isNotEmpty();
          ctx.completeNow();
        })));
  }

  private void expect(VertxTestContext ctx, Future<HttpResponse<Buffer>> f, int status, String field) {
    f.onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
      assertThat(resp.statusCode()).isEqualTo(status);
      assertThat(resp.getHeader("Content-Type")).isEqualTo("application/problem+json");
      if (field != null) {
        assertThat(resp.bodyAsJsonObject().getString("field")).isEqualTo(field);
      }
      ctx.completeNow();
    })));
  }

  @Test
  void bad_job_input_is_400_naming_the_field(Vertx vertx, VertxTestContext ctx) {
    expect(ctx, start(vertx).compose(p -> post("/v1/jobs", new JsonObject().put("kind", "echo").put("maxAttempts", 0))),
        400, "maxAttempts");
  }

  @Test
  void a_bad_job_inside_a_batch_is_named(Vertx vertx, VertxTestContext ctx) {
    expect(ctx, start(vertx).compose(p -> post("/v1/jobs", new JsonObject().put("jobs", new JsonArray()
        .add(new JsonObject().put("kind", "echo")).add(new JsonObject().put("payload", new JsonObject()))))),
        400, "jobs[1].kind");
  }

  @Test
  void too_many_jobs_is_400(Vertx vertx, VertxTestContext ctx) {
    JsonArray six = new JsonArray();
    for (int i = 0; i < 6; i++) {
      six.add(new JsonObject().put("kind", "echo"));
    }
    expect(ctx, start(vertx).compose(p -> post("/v1/jobs", new JsonObject().put("jobs", six))), 400, "jobs");
  }

  @Test
  void malformed_json_is_400(Vertx vertx, VertxTestContext ctx) {
    expect(ctx, start(vertx).compose(p -> post("/v1/jobs", "{\"kind\":")), 400, "body");
  }

  @Test
  void a_bad_run_at_is_400(Vertx vertx, VertxTestContext ctx) {
    expect(ctx, start(vertx).compose(p ->
        post("/v1/jobs", new JsonObject().put("kind", "echo").put("runAt", "tomorrow"))), 400, "runAt");
  }

  @Test
  void unknown_ids_are_404_and_non_ids_400(Vertx vertx, VertxTestContext ctx) {
    start(vertx).compose(p -> get("/v1/jobs/999999").compose(a -> get("/v1/jobs/abc").compose(b ->
            get("/v1/batches/00000000-0000-0000-0000-000000000000")
                .map(c -> new int[] {a.statusCode(), b.statusCode(), c.statusCode()}))))
        .onComplete(ctx.succeeding(codes -> ctx.verify(() -> {
          assertThat(codes).containsExactly(404, 400, 404);
          ctx.completeNow();
        })));
  }

  @Test
  void a_database_that_is_down_is_503_never_201(Vertx vertx, VertxTestContext ctx) throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    web = WebClient.create(vertx);
    JsonObject cfg = Fetchers.config(new JsonObject().put("http", new JsonObject().put("port", 0).put("instances", 1)));
    vertx.deployVerticle(new JobsVerticle(PgBuilder.pool().connectingTo(
            new PgConnectOptions().setHost("127.0.0.1").setPort(dead)
                .setUser("x").setPassword("x").setDatabase("x")).using(vertx).build()),
        new DeploymentOptions().setConfig(cfg))
        .compose(id -> vertx.deployVerticle(WebVerticle.class, new DeploymentOptions().setConfig(cfg)))
        .compose(id -> {
          port = WebVerticle.boundPort(vertx);
          return post("/v1/jobs", new JsonObject().put("kind", "echo"));
        })
        .onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
          assertThat(resp.statusCode()).isEqualTo(503);
          assertThat(resp.getHeader("Content-Type")).isEqualTo("application/problem+json");
          ctx.completeNow();
        })));
  }
}
