package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code http.requestTimeoutMs} (500 ms here): a request still unanswered then gets a 504 problem,
 * and its gather is cancelled when the response ends, even on a keep-alive connection that stays
 * open; a stream that has started runs on while its results flow.
 */
@ExtendWith(VertxExtension.class)
class RequestTimeoutTest {
  HttpClient http;
  TargetServer target;
  int port;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    http = vertx.createHttpClient();
    TargetServer.start(vertx)
        .compose(t -> {
          target = t;
          return Service.start(vertx, new JsonObject()
              .put("fetch", new JsonObject().put("retries", 0).put("perHost", 50))
              .put("http", new JsonObject().put("idleTimeoutMs", 20_000).put("requestTimeoutMs", 500)));
        })
        .onComplete(ctx.succeeding(p -> {
          port = p;
          ctx.completeNow();
        }));
  }

  /** A POST of {@code body} on a keep-alive connection; completes with the response and its body. */
  private Future<Object[]> post(JsonObject body, boolean ndjson, HttpConnection[] conn) {
    RequestOptions opts = new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(port).setURI("/v1/fetch");
    if (ndjson) {
      opts.putHeader("Accept", "application/x-ndjson");
    }
    return http.request(opts).compose(req -> {
      conn[0] = req.connection();
      return req.send(body.toBuffer()).compose(resp -> resp.body().map(b -> new Object[] {resp, b}));
    });
  }

  private void expect504AndCancel(Vertx vertx, VertxTestContext ctx, boolean ndjson) {
    JsonObject body = new JsonObject().put("concurrency", 2)
        .put("urls", new JsonArray().add(target.url("/hang?a")).add(target.url("/hang?b")).add(target.url("/hang?c")));
    HttpConnection[] conn = new HttpConnection[1];
    boolean[] closed = {false};
    post(body, ndjson, conn)
        .compose(r -> {
          conn[0].closeHandler(v -> closed[0] = true);
          HttpClientResponse resp = (HttpClientResponse) r[0];
          JsonObject problem = ((Buffer) r[1]).toJsonObject();
          ctx.verify(() -> {
            assertThat(resp.statusCode()).isEqualTo(504);
            assertThat(resp.getHeader("Content-Type")).isEqualTo("application/problem+json");
            assertThat(problem.getInteger("status")).isEqualTo(504);
            assertThat(problem.getString("detail")).contains("http.requestTimeoutMs");
          });
          // the gather is cancelled by the response's end: the target's requests are closed
          return Conditions.until(vertx, () -> target.inFlight() == 0, 5_000);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(closed[0]).as("the keep-alive connection is still open").isFalse();
          assertThat(target.requests()).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void a_request_past_the_timeout_gets_a_504_problem_and_its_gather_is_cancelled(Vertx vertx, VertxTestContext ctx) {
    expect504AndCancel(vertx, ctx, false);
  }

  @Test
  void an_ndjson_request_past_the_timeout_gets_a_504_problem_and_its_gather_is_cancelled(
      Vertx vertx, VertxTestContext ctx) {
    expect504AndCancel(vertx, ctx, true);
  }

  @Test
  void a_started_stream_is_not_cut_by_the_request_timeout_while_results_flow(VertxTestContext ctx) {
    JsonArray urls = new JsonArray();
    for (int ms = 100; ms <= 1300; ms += 300) {
      urls.add(target.url("/delay?ms=" + ms));
    }
    JsonObject body = new JsonObject().put("concurrency", 5).put("urls", urls);
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
          assertThat(lines).hasSize(6);
          assertThat(lines.get(5).getJsonObject("stats").getInteger("ok")).isEqualTo(5);
          ctx.completeNow();
        })));
  }
}
