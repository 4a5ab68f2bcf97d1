package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests that take longer than {@code http.idleTimeoutMs} (300 ms here) but less than
 * {@code http.requestTimeoutMs}: a connection with a request in progress is not idle, so each is
 * answered in full.
 */
@ExtendWith(VertxExtension.class)
class LongRequestTest {
  WebClient web;
  HttpClient http;
  TargetServer target;
  int port;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    web = WebClient.create(vertx);
    http = vertx.createHttpClient();
    TargetServer.start(vertx)
        .compose(t -> {
          target = t;
          return Service.start(vertx, new JsonObject()
              .put("fetch", new JsonObject().put("retries", 0).put("perHost", 50))
              .put("http", new JsonObject().put("idleTimeoutMs", 300).put("requestTimeoutMs", 20_000)));
        })
        .onComplete(ctx.succeeding(p -> {
          port = p;
          ctx.completeNow();
        }));
  }

  @Test
  void a_settle_gather_slower_than_the_idle_timeout_is_answered(VertxTestContext ctx) {
    JsonObject body = new JsonObject().put("urls", new JsonArray().add(target.url("/delay?ms=1200")));
    web.post(port, "127.0.0.1", "/v1/fetch").sendBuffer(body.toBuffer())
        .onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
          assertThat(resp.statusCode()).isEqualTo(200);
          JsonObject result = resp.bodyAsJsonObject().getJsonArray("results").getJsonObject(0);
          assertThat(result.getBoolean("ok")).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void an_ndjson_stream_with_gaps_longer_than_the_idle_timeout_is_not_cut(VertxTestContext ctx) {
    JsonObject body = new JsonObject().put("concurrency", 3).put("urls", new JsonArray()
        .add(target.url("/delay?ms=100")).add(target.url("/delay?ms=800")).add(target.url("/delay?ms=1500")));
    List<JsonObject> lines = new ArrayList<>();
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/v1/fetch")
            .putHeader("Accept", "application/x-ndjson"))
        .compose(req -> req.send(body.toBuffer()).compose(resp -> { // handlers on send's own future
          Promise<Void> ended = Promise.promise();
          resp.handler(RecordParser.newDelimited("\n", line -> lines.add(line.toJsonObject())));
          resp.exceptionHandler(ended::tryFail);
          resp.endHandler(v -> ended.tryComplete());
          return ended.future();
        }))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(lines).hasSize(4);
          assertThat(lines.get(2).getString("url")).endsWith("/delay?ms=1500");
          assertThat(lines.get(3).getJsonObject("stats").getInteger("ok")).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void a_batch_long_poll_longer_than_the_idle_timeout_is_answered(VertxTestContext ctx) {
    JsonObject job = new JsonObject().put("jobs",
        new JsonArray().add(new JsonObject().put("kind", "nobody-runs-this")));
    web.post(port, "127.0.0.1", "/v1/jobs").sendBuffer(Buffer.buffer(job.encode()))
        .compose(created -> web.get(port, "127.0.0.1",
            "/v1/batches/" + created.bodyAsJsonObject().getString("batch") + "?wait=1.2").send())
        .onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
          assertThat(resp.statusCode()).isEqualTo(200);
          assertThat(resp.bodyAsJsonObject().getBoolean("done")).isFalse();
          assertThat(resp.bodyAsJsonObject().getLong("total")).isEqualTo(1);
          ctx.completeNow();
        })));
  }
}
