package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.api.Fanout;
import dev.fanout.api.JobOptions;
import dev.fanout.api.JobReply;
import dev.fanout.api.Registration;
import dev.fanout.bus.Addresses;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Kinds nobody handles: {@code GET /v1/queues} marks them, enqueue's answer names them (HTTP and bus). */
@ExtendWith(VertxExtension.class)
class UnhandledKindsTest {
  WebClient web;
  int port;

  private Future<HttpResponse<Buffer>> get(String path) {
    return web.get(port, "127.0.0.1", path).send();
  }

  private static Map<String, JsonObject> byKind(HttpResponse<Buffer> queues) {
    Map<String, JsonObject> kinds = new HashMap<>();
    queues.bodyAsJsonObject().getJsonArray("queues").forEach(q -> kinds.put(((JsonObject) q).getString("kind"),
        (JsonObject) q));
    return kinds;
  }

  @Test
  void queues_mark_each_kind_handled_or_not_and_where_including_kinds_without_jobs(Vertx vertx,
      VertxTestContext ctx) {
    web = WebClient.create(vertx);
    JsonObject nobody = new JsonObject().put("kind", "nobody.serves.this");
    Service.start(vertx, new JsonObject())
        .compose(p -> {
          port = p;
          return web.post(port, "127.0.0.1", "/v1/jobs").sendBuffer(nobody.toBuffer());
        })
        .compose(created -> {
          ctx.verify(() -> {
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.bodyAsJsonObject().getJsonArray("unhandled"))
                .isEqualTo(new JsonArray().add("nobody.serves.this"));
          });
          return Fanout.registerHandler(vertx, "lonely", JobOptions.defaults().concurrency(7),
              job -> Future.succeededFuture(JobReply.complete(null)));
        })
        .compose(reg -> get("/v1/queues").map(q -> {
          ctx.verify(() -> {
            Map<String, JsonObject> kinds = byKind(q);
            JsonObject unserved = kinds.get("nobody.serves.this");
            assertThat(unserved.getBoolean("handled")).isFalse();
            assertThat(unserved.getJsonArray("handlers")).isEmpty();
            assertThat(unserved.getJsonObject("counts").getLong("available")).isEqualTo(1);
            JsonObject lonely = kinds.get("lonely"); // a handler and no jobs: listed all the same
            assertThat(lonely.getBoolean("handled")).isTrue();
            assertThat(lonely.getJsonObject("counts")).isEqualTo(new JsonObject());
            JsonObject where = lonely.getJsonArray("handlers").getJsonObject(0);
            assertThat(where.getInteger("concurrency")).isEqualTo(7);
            assertThat(where.getString("node")).isNotBlank();
            assertThat(kinds.get("echo").getBoolean("handled")).isTrue(); // built in
            assertThat(kinds.get("echo").getJsonArray("handlers").getJsonObject(0).getString("node"))
                .isEqualTo(where.getString("node"));
          });
          return reg;
        }))
        .compose(Registration::unregister)
        .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.JOBS_QUEUES, new JsonObject()))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonArray queues = reply.body().getJsonArray("queues");
          assertThat(queues.stream().map(q -> ((JsonObject) q).getString("kind"))).doesNotContain("lonely");
          ctx.completeNow();
        })));
  }

  @Test
  void enqueue_on_the_bus_names_the_kinds_of_the_request_nobody_handles(Vertx vertx, VertxTestContext ctx) {
    JsonObject jobs = new JsonObject().put("jobs", new JsonArray()
        .add(new JsonObject().put("kind", "echo"))
        .add(new JsonObject().put("kind", "zeta"))
        .add(new JsonObject().put("kind", "alpha"))
        .add(new JsonObject().put("kind", "zeta")));
    Service.start(vertx, new JsonObject())
        .compose(p -> vertx.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, jobs).map(Message::body))
        .compose(first -> {
          ctx.verify(() -> assertThat(first.getJsonArray("unhandled"))
              .isEqualTo(new JsonArray().add("alpha").add("zeta")));
          return Fanout.registerHandler(vertx, "zeta", JobOptions.defaults(),
              job -> Future.succeededFuture(JobReply.complete(null)));
        })
        .compose(reg -> vertx.eventBus().<JsonObject>request(Addresses.JOBS_ENQUEUE, jobs).map(Message::body))
        .onComplete(ctx.succeeding(second -> ctx.verify(() -> {
          assertThat(second.getJsonArray("unhandled")).isEqualTo(new JsonArray().add("alpha"));
          assertThat(second.getJsonArray("ids")).hasSize(4);
          ctx.completeNow();
        })));
  }
}
