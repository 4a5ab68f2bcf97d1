package dev.fanout.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.PluginJar;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code /v1/admin/verticles} over real HTTP, on the real service and a real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class AdminApiTest {
  private static final String VERTICLES = "/v1/admin/verticles";
  @TempDir Path work;
  WebClient web;
  int port;

  private Future<Integer> start(Vertx vertx, boolean enabled) throws Exception {
    PluginJar.build(work.resolve("build"), work.resolve("plugins/admin.jar"), Map.of(
        "plug.Echo", PluginJar.echoHandler("plug.Echo"),
        "plug.Ping", PluginJar.ping("plug.Ping"),
        "other.Ping", PluginJar.ping("other.Ping")));
    web = WebClient.create(vertx);
    JsonObject cfg = new JsonObject()
        .put("plugins", new JsonObject().put("dir", work.resolve("plugins").toString()))
        .put("admin", new JsonObject().put("enabled", enabled).put("deployAllow", new JsonArray().add("plug.")));
    return Service.start(vertx, cfg).map(p -> port = p);
  }

  private Future<HttpResponse<Buffer>> post(Object body) {
    return web.post(port, "127.0.0.1", VERTICLES).sendBuffer(Buffer.buffer(body.toString()));
  }

  private Future<HttpResponse<Buffer>> list() {
    return web.get(port, "127.0.0.1", VERTICLES).send();
  }

  private Future<HttpResponse<Buffer>> delete(String id) {
    return web.delete(port, "127.0.0.1", VERTICLES + "/" + id).send();
  }

  private static JsonObject ping(String cls, String address) {
    return new JsonObject().put("class", cls).put("instances", 2)
        .put("config", new JsonObject().put("address", address));
  }

  private static void problem(HttpResponse<Buffer> r, int status, String field) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).isEqualTo("application/problem+json");
    assertThat(r.bodyAsJsonObject().getString("field")).isEqualTo(field);
  }

  @Test
  void deploy_list_and_undeploy_a_handler_whose_jobs_then_complete(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    JsonObject echo = new JsonObject().put("class", "plug.Echo").put("config", new JsonObject().put("kind", "adm"));
    JsonObject jobs = new JsonObject().put("jobs", new JsonArray().add(new JsonObject().put("kind", "adm")));
    start(vertx, true)
        .compose(p -> post(echo))
        .compose(created -> {
          JsonObject d = created.bodyAsJsonObject();
          ctx.verify(() -> {
            assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
            assertThat(d.getString("class")).isEqualTo("plug.Echo");
            assertThat(d.getInteger("instances")).isEqualTo(1);
            assertThat(d.getString("owner")).isEqualTo("user");
            assertThat(created.getHeader("Location")).isEqualTo(VERTICLES + "/" + d.getString("id"));
          });
          return web.post(port, "127.0.0.1", "/v1/jobs").sendJsonObject(jobs)
              .compose(e -> web.get(port, "127.0.0.1", "/v1/batches/" + e.bodyAsJsonObject().getString("batch")
                  + "?wait=20").send())
              .compose(batch -> {
                ctx.verify(() -> assertThat(batch.bodyAsJsonObject().getBoolean("done")).isTrue());
                return list();
              })
              .compose(listed -> {
                ctx.verify(() -> {
                  List<JsonObject> all = listed.bodyAsJsonObject().getJsonArray("verticles").stream()
                      .map(JsonObject.class::cast).toList();
                  assertThat(all).extracting(v -> v.getString("name"))
                      .contains("web", "fetchers", "gather", "jobs", "handlers", "worker", "admin", "plug.Echo");
                  assertThat(all).allSatisfy(v -> assertThat(v.fieldNames())
                      .contains("id", "class", "instances", "owner", "deployedAt"));
                  assertThat(all).filteredOn(v -> v.getString("owner").equals("user")).singleElement()
                      .satisfies(v -> assertThat(v.getString("threadingModel")).isEqualTo("EVENT_LOOP"));
                });
                return delete(d.getString("id"));
              })
              .compose(deleted -> {
                ctx.verify(() -> {
                  assertThat(deleted.statusCode()).isEqualTo(200);
                  assertThat(deleted.bodyAsJsonObject().getBoolean("undeployed")).isTrue();
                  assertThat(vertx.deploymentIDs()).doesNotContain(d.getString("id"));
                });
                return delete(d.getString("id"));
              });
        })
        .compose(again -> {
          ctx.verify(() -> problem(again, 404, "id"));
          return list();
        })
        .onComplete(ctx.succeeding(listed -> ctx.verify(() -> {
          assertThat(listed.bodyAsJsonObject().getJsonArray("verticles").stream().map(JsonObject.class::cast))
              .noneMatch(v -> v.getString("owner").equals("user"));
          ctx.completeNow();
        })));
  }

  @Test
  void a_class_outside_deployAllow_is_403_and_a_missing_one_400_naming_class(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    start(vertx, true)
        .compose(p -> post(ping("other.Ping", "admin.other")))
        .compose(forbidden -> {
          ctx.verify(() -> {
            problem(forbidden, 403, "class");
            assertThat(forbidden.bodyAsJsonObject().getString("detail")).contains("other.Ping", "admin.deployAllow");
          });
          return post(new JsonObject().put("class", "plug.Missing"));
        })
        .compose(missing -> {
          ctx.verify(() -> {
            problem(missing, 400, "class");
            assertThat(missing.bodyAsJsonObject().getString("detail")).contains("plug.Missing", "no such class");
          });
          return post(new JsonObject().put("class", "plug.Ping").put("instances", 0));
        })
        .compose(zero -> {
          ctx.verify(() -> problem(zero, 400, "instances"));
          return post(new JsonObject().put("class", "plug.Ping").put("threadingModel", "fast"));
        })
        .compose(model -> {
          ctx.verify(() -> problem(model, 400, "threadingModel"));
          return post(new JsonObject().put("class", "plug:Ping"));
        })
        .compose(badName -> {
          ctx.verify(() -> problem(badName, 400, "class"));
          return post("[1]");
        })
        .onComplete(ctx.succeeding(notObject -> ctx.verify(() -> {
          problem(notObject, 400, "body");
          assertThat(Deployments.all(vertx)).noneMatch(d -> d.getString("owner").equals("user"));
          ctx.completeNow();
        })));
  }

  @Test
  void a_verticle_that_fails_to_start_is_400_and_leaves_no_instance(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    JsonObject failing = ping("plug.Ping", "admin.failing");
    failing.getJsonObject("config").put("failAfter", 1);
    start(vertx, true)
        .compose(p -> post(failing))
        .compose(r -> {
          ctx.verify(() -> {
            problem(r, 400, "class");
            assertThat(r.bodyAsJsonObject().getString("detail")).contains("plug.Ping", "refuses to start");
          });
          return vertx.eventBus().request("admin.failing", "ping");
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).hasMessageContaining("No handlers");
          assertThat(Deployments.all(vertx)).noneMatch(d -> d.getString("owner").equals("user"));
          ctx.completeNow();
        })));
  }

  @Test
  void fanout_s_own_parts_are_listed_but_409_to_undeploy(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx, true)
        .compose(p -> list())
        .compose(listed -> {
          JsonObject webPart = listed.bodyAsJsonObject().getJsonArray("verticles").stream().map(JsonObject.class::cast)
              .filter(v -> v.getString("name").equals("web")).findFirst().orElseThrow();
          ctx.verify(() -> {
            assertThat(webPart.getString("owner")).isEqualTo("fanout");
            assertThat(webPart.getInteger("instances")).isEqualTo(2);
            assertThat(webPart.getString("class")).isEqualTo("dev.fanout.web.WebVerticle");
          });
          return delete(webPart.getString("id")).map(r -> {
            ctx.verify(() -> {
              problem(r, 409, "id");
              assertThat(vertx.deploymentIDs()).contains(webPart.getString("id"));
            });
            return r;
          });
        })
        .compose(r -> delete("no-such-id"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          problem(r, 404, "id");
          ctx.completeNow();
        })));
  }

  @Test
  void the_same_on_the_bus(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx, true)
        .compose(p -> vertx.eventBus().<JsonObject>request(Addresses.ADMIN_DEPLOY, ping("plug.Ping", "admin.bus")))
        .compose(deployed -> vertx.eventBus().request("admin.bus", "ping")
            .compose(pong -> {
              ctx.verify(() -> assertThat(pong.body()).isEqualTo("pong"));
              return vertx.eventBus().<JsonObject>request(Addresses.ADMIN_LIST, new JsonObject());
            })
            .compose(listed -> {
              ctx.verify(() -> assertThat(listed.body().getJsonArray("verticles").stream()
                  .map(JsonObject.class::cast)).anyMatch(v -> v.getString("class").equals("plug.Ping")
                      && v.getInteger("instances") == 2));
              return vertx.eventBus().request(Addresses.ADMIN_UNDEPLOY,
                  new JsonObject().put("id", deployed.body().getString("id")));
            }))
        .compose(undeployed -> codeOf(vertx, Addresses.ADMIN_DEPLOY, ping("other.Ping", "x")))
        .compose(forbidden -> {
          ctx.verify(() -> assertThat(forbidden).isEqualTo(403));
          return codeOf(vertx, Addresses.ADMIN_DEPLOY, new JsonObject().put("instances", 1));
        })
        .compose(bad -> {
          ctx.verify(() -> assertThat(bad).isEqualTo(400));
          return codeOf(vertx, Addresses.ADMIN_UNDEPLOY, new JsonObject().put("id", "nope"));
        })
        .onComplete(ctx.succeeding(unknown -> ctx.verify(() -> {
          assertThat(unknown).isEqualTo(404);
          ctx.completeNow();
        })));
  }

  private static Future<Integer> codeOf(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().request(address, body).transform(ar -> Future.succeededFuture(ar.succeeded() ? 200
        : ((ReplyException) ar.cause()).failureCode()));
  }

  @Test
  void disabled_admin_has_no_routes_and_no_addresses(Vertx vertx, VertxTestContext ctx) throws Exception {
    start(vertx, false)
        .compose(p -> list())
        .compose(r -> {
          ctx.verify(() -> problem(r, 404, "path"));
          return post(new JsonObject().put("class", "plug.Echo"));
        })
        .compose(r -> {
          ctx.verify(() -> assertThat(r.statusCode()).isIn(404, 405));
          return vertx.eventBus().request(Addresses.ADMIN_LIST, new JsonObject());
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).hasMessageContaining("No handlers");
          ctx.completeNow();
        })));
  }
}
