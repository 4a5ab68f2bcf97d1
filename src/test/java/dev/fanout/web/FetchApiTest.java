package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code POST /v1/fetch} and health, over real HTTP, against a real target. */
@ExtendWith(VertxExtension.class)
class FetchApiTest {
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
              .put("gather", new JsonObject().put("maxRequests", 20))
              .put("http", new JsonObject().put("bodyLimitBytes", 4096)));
        })
        .onComplete(ctx.succeeding(p -> {
          port = p;
          ctx.completeNow();
        }));
  }

  private Future<HttpResponse<Buffer>> post(Object body) {
    return web.post(port, "127.0.0.1", "/v1/fetch").sendBuffer(Buffer.buffer(body.toString()));
  }

  @Test
  void gathers_urls_in_input_order(VertxTestContext ctx) {
    post(new JsonObject().put("urls", new JsonArray().add(target.url("/delay?ms=200"))
        .add(target.url("/status?code=404")).add(target.url("/ok"))))
        .onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
          assertThat(resp.statusCode()).isEqualTo(200);
          JsonObject body = resp.bodyAsJsonObject();
          JsonArray results = body.getJsonArray("results");
          assertThat(results).hasSize(3);
          assertThat(results.getJsonObject(0).getBoolean("ok")).isTrue();
          assertThat(results.getJsonObject(1).getInteger("status")).isEqualTo(404);
          assertThat(results.getJsonObject(2).getString("url")).endsWith("/ok");
          assertThat(body.getJsonObject("stats").fieldNames()).contains("count", "ok", "failed", "elapsedMs");
          ctx.completeNow();
        })));
  }

  @Test
  void specs_and_request_defaults_apply(VertxTestContext ctx) {
    post(new JsonObject().put("requests", new JsonArray()
            .add(new JsonObject().put("url", target.url("/echo")).put("method", "POST").put("body", "hi"))
            .add(new JsonObject().put("url", target.url("/ok?size=3")).put("capture", "base64")))
        .put("capture", "text").put("timeoutMs", 5000))
        .onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
          JsonArray results = resp.bodyAsJsonObject().getJsonArray("results");
          assertThat(new JsonObject(results.getJsonObject(0).getString("body")).getString("body")).isEqualTo("hi");
          assertThat(results.getJsonObject(1).getString("body")).isEqualTo("eHh4");
          ctx.completeNow();
        })));
  }

  @Test
  void ndjson_streams_the_first_result_before_the_slowest_fetch_ends(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> lines = new ArrayList<>();
    int[] slowInFlightAtFirstLine = {-1};
    JsonObject body = new JsonObject().put("urls",
        new JsonArray().add(target.url("/delay?ms=1500")).add(target.url("/ok")));
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/v1/fetch")
            .putHeader("Accept", "application/x-ndjson"))
        .compose(req -> req.send(body.toBuffer()).compose(resp -> { // handlers on send's own future
          ctx.verify(() -> assertThat(resp.getHeader("Content-Type")).isEqualTo("application/x-ndjson"));
          Promise<Void> ended = Promise.promise();
          RecordParser parser = RecordParser.newDelimited("\n", line -> {
            if (lines.isEmpty()) {
              slowInFlightAtFirstLine[0] = target.inFlight();
            }
            lines.add(line.toJsonObject());
          });
          resp.handler(parser);
          resp.endHandler(v -> ended.complete());
          return ended.future();
        }))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(lines).hasSize(3);
          assertThat(lines.get(0).getString("url")).endsWith("/ok");
          assertThat(slowInFlightAtFirstLine[0]).isEqualTo(1);
          assertThat(lines.get(1).getString("url")).endsWith("/delay?ms=1500");
          assertThat(lines.get(2).getJsonObject("stats").getInteger("count")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void fail_fast_over_http(VertxTestContext ctx) {
    JsonArray urls = new JsonArray().add(target.url("/status?code=404"));
    for (int i = 0; i < 9; i++) {
      urls.add(target.url("/hang?i=" + i));
    }
    post(new JsonObject().put("urls", urls).put("mode", "fail-fast").put("concurrency", 3))
        .onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
          JsonObject body = resp.bodyAsJsonObject();
          assertThat(body.getJsonObject("stats").getBoolean("cancelled")).isTrue();
          assertThat(body.getJsonArray("results").getJsonObject(9).getJsonObject("error").getString("kind"))
              .isEqualTo("cancelled");
          assertThat(target.requests()).isLessThanOrEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void a_client_that_disconnects_cancels_its_gather(Vertx vertx, VertxTestContext ctx) {
    JsonObject body = new JsonObject().put("urls", new JsonArray().add(target.url("/hang?a"))
        .add(target.url("/hang?b")).add(target.url("/hang?c")));
    HttpClientRequest[] request = new HttpClientRequest[1];
    http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/v1/fetch")
            .putHeader("Accept", "application/x-ndjson"))
        .compose(req -> {
          request[0] = req;
          req.send(body.toBuffer());
          return Conditions.until(vertx, () -> target.inFlight() == 3, 5_000);
        })
        .compose(v -> request[0].connection().close())
        .compose(v -> Conditions.until(vertx, () -> target.inFlight() == 0, 5_000))
        .onComplete(ctx.succeedingThenComplete());
  }

  private void expectProblem(VertxTestContext ctx, Object body, int status, String field) {
    post(body).onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
      assertThat(resp.statusCode()).as(body.toString()).isEqualTo(status);
      assertThat(resp.getHeader("Content-Type")).isEqualTo("application/problem+json");
      JsonObject p = resp.bodyAsJsonObject();
      assertThat(p.getInteger("status")).isEqualTo(status);
      assertThat(p.getString("title")).isNotBlank();
      assertThat(p.getString("type")).isNotBlank();
      if (field != null) {
        assertThat(p.getString("field")).as(body.toString()).isEqualTo(field);
      }
      ctx.completeNow();
    })));
  }

  @Test
  void malformed_json_is_400(VertxTestContext ctx) {
    expectProblem(ctx, "{\"urls\": [", 400, "body");
  }

  @Test
  void a_non_object_body_is_400(VertxTestContext ctx) {
    expectProblem(ctx, "[1, 2]", 400, "body");
  }

  @Test
  void wrong_types_are_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", "http://a.example/"), 400, "urls");
  }

  @Test
  void a_wrong_item_type_is_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", new JsonArray().add(7)), 400, "urls[0]");
  }

  @Test
  void an_empty_list_is_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", new JsonArray()), 400, "urls");
  }

  @Test
  void an_oversized_list_is_400(VertxTestContext ctx) {
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 21; i++) {
      urls.add("http://a.example/" + i);
    }
    expectProblem(ctx, new JsonObject().put("urls", urls), 400, "urls");
  }

  @Test
  void an_invalid_url_is_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", new JsonArray().add("http://a.example/").add("ftp://b.example/")),
        400, "urls[1]");
  }

  @Test
  void an_invalid_spec_field_is_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("requests", new JsonArray().add(
        new JsonObject().put("url", "http://a.example/").put("retries", -1))),
        400, "requests[0].retries");
  }

  @Test
  void an_unknown_mode_is_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", new JsonArray().add("http://a.example/")).put("mode", "fastest"),
        400, "mode");
  }

  @Test
  void an_unknown_field_is_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", new JsonArray().add("http://a.example/")).put("parallel", 3),
        400, "parallel");
  }

  @Test
  void an_out_of_range_concurrency_is_400(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", new JsonArray().add("http://a.example/")).put("concurrency", 0),
        400, "concurrency");
  }

  @Test
  void a_body_over_the_limit_is_413(VertxTestContext ctx) {
    expectProblem(ctx, new JsonObject().put("urls", new JsonArray().add("http://a.example/" + "x".repeat(5000))),
        413, "body");
  }

  @Test
  void health_is_up_and_unknown_paths_are_404_problems(VertxTestContext ctx) {
    web.get(port, "127.0.0.1", "/health/live").send()
        .compose(live -> web.get(port, "127.0.0.1", "/health/ready").send().map(ready -> new Object[] {live, ready}))
        .compose(pair -> web.get(port, "127.0.0.1", "/v1/nothing").send()
            .map(nf -> new Object[] {pair[0], pair[1], nf}))
        .compose(three -> web.put(port, "127.0.0.1", "/v1/fetch").send()
            .map(na -> new Object[] {three[0], three[1], three[2], na}))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          @SuppressWarnings("unchecked") HttpResponse<Buffer> live = (HttpResponse<Buffer>) rs[0];
          @SuppressWarnings("unchecked") HttpResponse<Buffer> ready = (HttpResponse<Buffer>) rs[1];
          @SuppressWarnings("unchecked") HttpResponse<Buffer> missing = (HttpResponse<Buffer>) rs[2];
          assertThat(live.statusCode()).isEqualTo(200);
          assertThat(live.bodyAsJsonObject().getString("status")).isEqualTo("UP");
          assertThat(ready.statusCode()).isEqualTo(200);
          assertThat(missing.statusCode()).isEqualTo(404);
          assertThat(missing.getHeader("Content-Type")).isEqualTo("application/problem+json");
          @SuppressWarnings("unchecked") HttpResponse<Buffer> wrongMethod = (HttpResponse<Buffer>) rs[3];
          assertThat(wrongMethod.statusCode()).isEqualTo(405);
          assertThat(wrongMethod.getHeader("Content-Type")).isEqualTo("application/problem+json");
          ctx.completeNow();
        })));
  }
}
