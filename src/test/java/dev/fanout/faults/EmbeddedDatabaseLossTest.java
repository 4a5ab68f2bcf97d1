package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.FanoutVerticle;
import dev.fanout.testing.Fetchers;
import dev.fanout.web.WebVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded server killed under a running fanout: readiness says so (503, check "database")
 * within 2 s, the server is started again on the same port, readiness returns, and enqueues and
 * the queue worker work again. No enqueue is acknowledged (201) that was not stored.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedDatabaseLossTest {
  @TempDir Path dataDir;
  WebClient web;
  int port;

  @Test
  void a_killed_embedded_server_is_reported_restarted_and_used_again(Vertx vertx, VertxTestContext ctx) {
    web = WebClient.create(vertx);
    JsonObject cfg = Fetchers.config(new JsonObject()
        .put("dataDir", dataDir.toString())
        .put("http", new JsonObject().put("port", 0).put("instances", 1))
        .put("pg", new JsonObject().put("url", "").put("poolSize", 2).put("embeddedSharedBuffersMb", 32)));
    List<Long> acknowledged = new ArrayList<>();
    long[] killed = new long[1];
    vertx.deployVerticle(new FanoutVerticle(), new DeploymentOptions().setConfig(cfg))
        .compose(id -> {
          port = WebVerticle.boundPort(vertx);
          return get("/health/ready");
        })
        .compose(ready -> {
          ctx.verify(() -> assertThat(ready.statusCode()).isEqualTo(200));
          return enqueue(acknowledged);
        })
        .compose(v -> vertx.executeBlocking(() -> {
          killed[0] = ChildFanout.postmasterPid(dataDir);
          ProcessHandle.of(killed[0]).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
          return null;
        }))
        // readiness names the database within 2 s of the loss (one enqueue per poll meanwhile:
        // each is a 201 for a stored job or a 503, never a 201 for a lost one)
        .compose(v -> poll(vertx, 2_000, () -> enqueue(acknowledged).transform(ar -> get("/health/ready")),
            r -> r.statusCode() == 503 && r.bodyAsString().contains("\"database\"")))
        .compose(down -> poll(vertx, 60_000, () -> enqueue(acknowledged).transform(ar -> get("/health/ready")),
            r -> r.statusCode() == 200))
        .compose(up -> post("/v1/jobs", new JsonObject().put("kind", "echo")
            .put("payload", new JsonObject().put("after", "restart"))))
        .compose(created -> {
          ctx.verify(() -> assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201));
          // the queue worker (its own pool and LISTEN connection) runs it: both reconnected
          return get("/v1/batches/" + created.bodyAsJsonObject().getString("batch") + "?wait=30");
        })
        .compose(batch -> {
          ctx.verify(() -> assertThat(batch.bodyAsJsonObject().getBoolean("done")).as(batch.bodyAsString()).isTrue());
          return Future.all(acknowledged.stream().map(id -> get("/v1/jobs/" + id)).toList());
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            HttpResponse<Buffer> r = all.resultAt(i);
            assertThat(r.statusCode()).as("acknowledged job %d", acknowledged.get(i)).isEqualTo(200);
          }
          assertThat(ChildFanout.alive(killed[0])).isFalse();
          assertThat(ChildFanout.postmasterPid(dataDir)).isNotEqualTo(killed[0]);
          ctx.completeNow();
        })));
  }

  /** One enqueue: a 201 adds its id to {@code acknowledged}; anything but 201 or 503 fails. */
  private Future<Void> enqueue(List<Long> acknowledged) {
    return post("/v1/jobs", new JsonObject().put("kind", "parked")).compose(r -> {
      if (r.statusCode() == 201) {
        acknowledged.add(r.bodyAsJsonObject().getJsonArray("ids").getLong(0));
      } else if (r.statusCode() != 503) {
        return Future.failedFuture(new AssertionError("enqueue answered " + r.statusCode() + " " + r.bodyAsString()));
      }
      return Future.succeededFuture();
    });
  }

  private Future<HttpResponse<Buffer>> get(String path) {
    return web.get(port, "127.0.0.1", path).send();
  }

  private Future<HttpResponse<Buffer>> post(String path, JsonObject body) {
    return web.post(port, "127.0.0.1", path).sendJsonObject(body);
  }

  /** Repeats {@code attempt} until its result satisfies {@code done}; fails after {@code timeoutMs}. */
  static <T> Future<T> poll(Vertx vertx, long timeoutMs, Supplier<Future<T>> attempt, Function<T, Boolean> done) {
    Promise<T> p = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    next(vertx, deadline, attempt, done, p, null);
    return p.future();
  }

  private static <T> void next(Vertx vertx, long deadline, Supplier<Future<T>> attempt, Function<T, Boolean> done,
      Promise<T> p, T last) {
    if (System.currentTimeMillis() > deadline) {
      p.fail(new AssertionError("condition not met in time; last: " + describe(last)));
      return;
    }
    attempt.get().onComplete(ar -> {
      if (ar.succeeded() && done.apply(ar.result())) {
        p.complete(ar.result());
      } else if (ar.failed() && ar.cause() instanceof AssertionError) {
        p.fail(ar.cause());
      } else {
        vertx.setTimer(50, id -> next(vertx, deadline, attempt, done, p, ar.succeeded() ? ar.result() : last));
      }
    });
  }

  private static String describe(Object last) {
    return last instanceof HttpResponse<?> r ? r.statusCode() + " " + r.bodyAsString() : String.valueOf(last);
  }
}
