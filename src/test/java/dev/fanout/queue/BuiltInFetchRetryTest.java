package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Fetchers;
import dev.fanout.testing.TargetServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The built-in fetch job handler retries a job on what the fetcher retries (dev.fanout.retry): the
 * attempt fails on 408/425/429/500/502/503/504 and connect failures, and completes otherwise.
 */
@ExtendWith(VertxExtension.class)
class BuiltInFetchRetryTest {
  private static final List<Integer> RETRIED = List.of(408, 425, 429, 500, 502, 503, 504);
  private static final List<Integer> FINAL = List.of(200, 404, 501, 505, 507, 599);

  @Test
  void a_fetch_job_fails_its_attempt_on_the_statuses_the_fetcher_retries(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = Fetchers.config(Fetchers.fetch("retries", 0));
    TargetServer.start(vertx).compose(target -> Fetchers.deploy(vertx, Fetchers.fetch("retries", 0))
        .compose(f -> vertx.deployVerticle(new BuiltInHandlersVerticle(), new DeploymentOptions().setConfig(config)))
        .compose(h -> {
          List<Future<JsonObject>> runs = new ArrayList<>();
          for (int code : RETRIED) {
            runs.add(run(vertx, target.url("/status?code=" + code)).map(r -> r.put("code", code)));
          }
          for (int code : FINAL) {
            runs.add(run(vertx, target.url("/status?code=" + code)).map(r -> r.put("code", code)));
          }
          return Future.all(runs).map(all -> {
            ctx.verify(() -> {
              for (int i = 0; i < runs.size(); i++) {
                JsonObject r = runs.get(i).result();
                boolean retried = RETRIED.contains(r.getInteger("code"));
                assertThat(r.getBoolean("failed")).as("status %d", r.getInteger("code")).isEqualTo(retried);
                if (!retried) {
                  assertThat(r.getJsonObject("result").getInteger("status")).isEqualTo(r.getInteger("code"));
                }
              }
            });
            return all;
          });
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void a_fetch_job_fails_its_attempt_when_the_connection_is_refused(Vertx vertx, VertxTestContext ctx) {
    JsonObject config = Fetchers.config(Fetchers.fetch("retries", 0));
    TargetServer.start(vertx).compose(target -> {
      String url = target.url("/ok");
      return target.close().map(v -> url);
    }).compose(url -> Fetchers.deploy(vertx, Fetchers.fetch("retries", 0))
        .compose(f -> vertx.deployVerticle(new BuiltInHandlersVerticle(), new DeploymentOptions().setConfig(config)))
        .compose(h -> run(vertx, url)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.getBoolean("failed")).isTrue();
          assertThat(r.getString("message")).startsWith("connect:");
          ctx.completeNow();
        })));
  }

  /** Runs one fetch job at the handler: {@code {failed, message}} or {@code {failed: false, result}}. */
  private static Future<JsonObject> run(Vertx vertx, String url) {
    JsonObject job = new JsonObject().put("id", 1).put("kind", "fetch").put("attempt", 1)
        .put("payload", new JsonObject().put("url", url).put("retries", 0));
    return vertx.eventBus().<JsonObject>request(Addresses.JOB_HANDLER_PREFIX + "fetch", job)
        .map(reply -> new JsonObject().put("failed", false).put("result", reply.body()))
        .recover(e -> e instanceof ReplyException re
            ? Future.succeededFuture(new JsonObject().put("failed", true).put("message", re.getMessage()))
            : Future.failedFuture(e));
  }
}
