package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A settled response is held whole in memory, so one whose captured bodies could exceed
 * gather.maxSettleBytes is refused before anything is fetched, pointing to NDJSON or a smaller maxBytes.
 */
@ExtendWith(VertxExtension.class)
class SettleResponseSizeTest {
  WebClient web;
  TargetServer target;
  int port;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    web = WebClient.create(vertx);
    TargetServer.start(vertx)
        .compose(t -> {
          target = t;
          return Service.start(vertx,
              new JsonObject().put("gather", new JsonObject().put("maxSettleBytes", 1_000_000)));
        })
        .onComplete(ctx.succeeding(p -> {
          port = p;
          ctx.completeNow();
        }));
  }

  private JsonObject request(Integer maxBytes) {
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 20; i++) {
      urls.add(target.url("/ok?size=1000&i=" + i));
    }
    JsonObject body = new JsonObject().put("urls", urls).put("capture", "text");
    return maxBytes == null ? body : body.put("maxBytes", maxBytes);
  }

  private Future<HttpResponse<Buffer>> post(JsonObject body, String accept) {
    var req = web.post(port, "127.0.0.1", "/v1/fetch");
    if (accept != null) {
      req.putHeader("Accept", accept);
    }
    return req.sendBuffer(body.toBuffer());
  }

  @Test
  void settle_that_could_exceed_max_settle_bytes_is_refused_before_fetching(VertxTestContext ctx) {
    // 20 captures at the default cap of 10 MiB each could reach 200 MiB
    post(request(null), null).onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
      assertThat(resp.statusCode()).isEqualTo(400);
      assertThat(resp.getHeader("Content-Type")).isEqualTo("application/problem+json");
      JsonObject problem = resp.bodyAsJsonObject();
      assertThat(problem.getString("field")).isEqualTo("capture");
      assertThat(problem.getString("detail")).contains("application/x-ndjson", "maxBytes", "gather.maxSettleBytes");
      assertThat(target.requests()).isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void the_same_request_streamed_or_with_a_smaller_max_bytes_is_served(VertxTestContext ctx) {
    post(request(null), "application/x-ndjson")
        .compose(streamed -> {
          ctx.verify(() -> {
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.bodyAsString().split("\n")).hasSize(21);
          });
          return post(request(10_000), null);
        })
        .onComplete(ctx.succeeding(settled -> ctx.verify(() -> {
          assertThat(settled.statusCode()).isEqualTo(200);
          JsonArray results = settled.bodyAsJsonObject().getJsonArray("results");
          assertThat(results).hasSize(20);
          assertThat(results.getJsonObject(0).getString("body")).hasSize(1000);
          ctx.completeNow();
        })));
  }

  @Test
  void a_streamed_capture_keeps_at_most_max_settle_bytes_in_flight(VertxTestContext ctx) {
    // 20 asked at once, each may bring 400 kB: within 1 MB only two may be in flight
    JsonArray urls = new JsonArray();
    for (int i = 0; i < 20; i++) {
      urls.add(target.url("/delay?ms=50&size=1000&i=" + i));
    }
    JsonObject body = new JsonObject().put("urls", urls).put("capture", "text").put("maxBytes", 400_000)
        .put("concurrency", 20);
    post(body, "application/x-ndjson").onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.bodyAsString().split("\n")).hasSize(21);
      assertThat(target.maxInFlight()).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  @Test
  void gather_on_the_bus_refuses_it_with_400(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().request(Addresses.GATHER, request(null))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(((ReplyException) e).failureCode()).isEqualTo(400);
          assertThat(e.getMessage()).contains("application/x-ndjson");
          ctx.completeNow();
        })));
  }

  @Test
  void a_max_bytes_near_the_long_range_in_base64_is_refused_not_wrapped(Vertx vertx, VertxTestContext ctx) {
    // cap / 3 * 4 used to overflow into a negative sum, which passed the size check
    JsonObject huge = new JsonObject().put("urls", new JsonArray().add(target.url("/ok?size=1000")))
        .put("capture", "base64").put("maxBytes", Long.MAX_VALUE);
    vertx.eventBus().request(Addresses.GATHER, huge)
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(((ReplyException) e).failureCode()).isEqualTo(400);
          assertThat(e.getMessage()).startsWith("capture:").contains("application/x-ndjson");
          assertThat(target.requests()).isZero();
          ctx.completeNow();
        })));
  }
}
