package dev.fanout.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Requests HTTP/1.1 cannot decode get a problem document too, not Vert.x's bare status. */
@ExtendWith(VertxExtension.class)
class InvalidRequestTest {
  HttpClient http;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private JsonObject problem(RequestOptions o, int status) throws Exception {
    // the body is asked for on send's own future (see StreamedFetchTest.post)
    return await(http.request(o).compose(req -> req.send().compose(r -> r.body().map(b -> {
      assertThat(r.statusCode()).isEqualTo(status);
      assertThat(r.getHeader("Content-Type")).isEqualTo(Problem.TYPE);
      return b.toJsonObject();
    }))));
  }

  @Test
  void a_request_line_too_long_and_headers_too_large_are_problems_naming_them(Vertx vertx) throws Exception {
    int port = await(Service.start(vertx, new JsonObject()));
    http = vertx.createHttpClient();
    RequestOptions longUri = new RequestOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/v1/jobs?batch=" + "x".repeat(10_000));
    JsonObject uri = problem(longUri, 414);
    assertThat(uri.getString("field")).isEqualTo("uri");
    assertThat(uri.getInteger("status")).isEqualTo(414);
    RequestOptions bigHeaders = new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/health/live")
        .putHeader("X-Big", "y".repeat(40_000));
    JsonObject headers = problem(bigHeaders, 431);
    assertThat(headers.getString("field")).isEqualTo("headers");
  }
}
