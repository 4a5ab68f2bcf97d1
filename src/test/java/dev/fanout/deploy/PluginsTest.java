package dev.fanout.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fanout.FanoutVerticle;
import dev.fanout.config.ConfigException;
import dev.fanout.testing.PluginJar;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The plugins directory and the {@code deploy} list, on the real service and a real PostgreSQL. */
@ExtendWith(VertxExtension.class)
class PluginsTest {
  @TempDir Path work;
  WebClient web;
  int port;

  private Path plugins() throws Exception {
    PluginJar.build(work.resolve("build"), work.resolve("plugins/handlers.jar"), Map.of(
        "plug.Echo", PluginJar.echoHandler("plug.Echo"),
        "plug.Ping", PluginJar.ping("plug.Ping"),
        "plug.StopProbe", PluginJar.stopProbe("plug.StopProbe")));
    return work.resolve("plugins");
  }

  private static JsonObject config(Path plugins, JsonArray deploy) {
    return new JsonObject().put("plugins", new JsonObject().put("dir", plugins.toString())).put("deploy", deploy);
  }

  private Future<HttpResponse<Buffer>> post(String path, JsonObject body) {
    return web.post(port, "127.0.0.1", path).sendBuffer(body.toBuffer());
  }

  private Future<HttpResponse<Buffer>> get(String path) {
    return web.get(port, "127.0.0.1", path).send();
  }

  @Test
  void a_verticle_from_a_jar_built_now_handles_jobs_enqueued_over_http(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    web = WebClient.create(vertx);
    assertThatThrownBy(() -> Class.forName("plug.Echo")).isInstanceOf(ClassNotFoundException.class);
    JsonArray deploy = new JsonArray().add(new JsonObject().put("class", "plug.Echo")
        .put("config", new JsonObject().put("kind", "plugin-echo")));
    JsonObject jobs = new JsonObject().put("jobs", new JsonArray()
        .add(new JsonObject().put("kind", "plugin-echo").put("payload", new JsonObject().put("n", 7))));
    Service.start(vertx, config(plugins(), deploy))
        .compose(p -> {
          port = p;
          return post("/v1/jobs", jobs);
        })
        .compose(created -> {
          ctx.verify(() -> assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201));
          JsonObject e = created.bodyAsJsonObject();
          return get("/v1/batches/" + e.getString("batch") + "?wait=20")
              .compose(batch -> {
                ctx.verify(() -> assertThat(batch.bodyAsJsonObject().getBoolean("done")).isTrue());
                return get("/v1/jobs/" + e.getJsonArray("ids").getLong(0));
              });
        })
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          JsonObject j = job.bodyAsJsonObject();
          assertThat(j.getString("state")).isEqualTo("completed");
          assertThat(j.getJsonObject("result").getJsonObject("echo").getInteger("n")).isEqualTo(7);
          assertThat(j.getJsonObject("result").getString("by")).isEqualTo("plug.Echo");
          assertThat(Deployments.all(vertx)).anySatisfy(d -> {
            assertThat(d.getString("class")).isEqualTo("plug.Echo");
            assertThat(d.getString("owner")).isEqualTo("user");
          });
          ctx.completeNow();
        })));
  }

  @Test
  void a_missing_class_stops_start_up_naming_it_and_leaves_nothing_deployed(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    JsonArray deploy = new JsonArray().add(new JsonObject().put("class", "plug.Ping")
        .put("config", new JsonObject().put("address", "plugins.missing"))).add("plug.Missing:2");
    Service.start(vertx, config(plugins(), deploy)).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOf(DeployFailure.class).hasMessageContaining("plug.Missing");
      assertThat(((DeployFailure) e).reason()).isEqualTo(DeployFailure.Reason.NOT_FOUND);
      assertThat(vertx.deploymentIDs()).isEmpty();
      assertThat(Deployments.all(vertx)).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void a_verticle_whose_second_instance_fails_leaves_no_instance_running(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    JsonArray deploy = new JsonArray().add(new JsonObject().put("class", "plug.Ping").put("instances", 2)
        .put("config", new JsonObject().put("address", "plugins.ping").put("failAfter", 1)));
    Service.start(vertx, config(plugins(), deploy))
        .recover(e -> {
          ctx.verify(() -> assertThat(e).isInstanceOf(DeployFailure.class)
              .hasMessageContaining("plug.Ping").hasMessageContaining("refuses to start"));
          return vertx.eventBus().request("plugins.ping", "ping").map(0);
        })
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          // the first instance, which had started, is gone with its consumer
          assertThat(((ReplyException) e).failureType()).isEqualTo(ReplyFailure.NO_HANDLERS);
          assertThat(vertx.deploymentIDs()).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  void a_jar_that_cannot_be_read_stops_start_up_naming_it(Vertx vertx, VertxTestContext ctx) throws Exception {
    Path dir = Files.createDirectories(work.resolve("broken"));
    Files.writeString(dir.resolve("not-a-zip.jar"), "this is not a jar");
    Service.start(vertx, config(dir, new JsonArray())).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOf(ConfigException.class)
          .hasMessageContaining("plugins.dir").hasMessageContaining("not-a-zip.jar");
      assertThat(vertx.deploymentIDs()).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void a_missing_directory_means_no_plugins(Vertx vertx, VertxTestContext ctx) {
    Service.start(vertx, config(work.resolve("none"), new JsonArray()))
        .onComplete(ctx.succeeding(p -> ctx.verify(() -> {
          assertThat(Deployments.all(vertx)).extracting(d -> d.getString("name"))
              .containsExactly("fetchers", "gather", "jobs", "handlers", "cluster", "worker", "web");
          ctx.completeNow();
        })));
  }

  @Test
  void the_graceful_stop_undeploys_user_verticles_right_after_the_web(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Map<String, String> ids = new HashMap<>();
    vertx.eventBus().<JsonArray>consumer("plug.stopped", m -> ctx.verify(() -> {
      assertThat(m.body().getList()).doesNotContain(ids.get("web"))
          .contains(ids.get("worker"), ids.get("handlers"), ids.get("jobs"), ids.get("fetchers"));
      ctx.completeNow();
    }));
    Service.start(vertx, config(plugins(), new JsonArray().add("plug.StopProbe")))
        .compose(p -> {
          Deployments.all(vertx).forEach(d -> ids.put(d.getString("name"), d.getString("id")));
          return FanoutVerticle.drain(vertx);
        })
        .onFailure(ctx::failNow);
  }
}
