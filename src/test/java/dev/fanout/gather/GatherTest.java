package dev.fanout.gather;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Conditions;
import dev.fanout.testing.Service;
import dev.fanout.testing.TargetServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code fanout.gather}: settle and fail-fast over the bus, against a real target. */
@ExtendWith(VertxExtension.class)
class GatherTest {
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(60_000);

  private static Future<JsonObject> gather(Vertx vertx, JsonObject req) {
    return vertx.eventBus().<JsonObject>request(Addresses.GATHER, req, LONG).map(Message::body);
  }

  @Test
  void settle_keeps_input_order_with_mixed_outcomes(Vertx vertx, VertxTestContext ctx) {
    TargetServer.start(vertx).compose(t -> Service.start(vertx,
            new JsonObject().put("fetch", new JsonObject().put("retries", 0)))
        .compose(port -> gather(vertx, new JsonObject().put("urls", new JsonArray(List.of(
            t.url("/delay?ms=300"), t.url("/status?code=404"), t.url("/ok"),
            t.url("/status?code=500"), t.url("/delay?ms=100"))))
            .put("concurrency", 5))))
        .onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
          JsonArray results = reply.getJsonArray("results");
          assertThat(results).hasSize(5);
          assertThat(results.getJsonObject(0).getString("url")).endsWith("/delay?ms=300");
          assertThat(results.getJsonObject(0).getBoolean("ok")).isTrue();
          assertThat(results.getJsonObject(1).getInteger("status")).isEqualTo(404);
          assertThat(results.getJsonObject(2).getBoolean("ok")).isTrue();
          assertThat(results.getJsonObject(3).getInteger("status")).isEqualTo(500);
          assertThat(results.getJsonObject(4).getString("url")).endsWith("/delay?ms=100");
          JsonObject stats = reply.getJsonObject("stats");
          assertThat(stats.getInteger("count")).isEqualTo(5);
          assertThat(stats.getInteger("ok")).isEqualTo(3);
          assertThat(stats.getInteger("failed")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void fail_fast_cancels_queued_and_in_flight_fetches(Vertx vertx, VertxTestContext ctx) {
    JsonArray urls = new JsonArray();
    TargetServer.start(vertx).compose(t -> {
      urls.add(t.url("/status?code=404"));
      for (int i = 0; i < 19; i++) {
        urls.add(t.url("/delay?ms=30000&i=" + i));
      }
      return Service.start(vertx, new JsonObject().put("fetch", new JsonObject().put("perHost", 50)))
          .compose(port -> gather(vertx,
              new JsonObject().put("urls", urls).put("concurrency", 5).put("mode", "fail-fast")))
          .map(reply -> {
            ctx.verify(() -> {
              JsonArray results = reply.getJsonArray("results");
              assertThat(results).hasSize(20);
              assertThat(results.getJsonObject(0).getJsonObject("error").getString("kind")).isEqualTo("http-status");
              for (int i = 1; i < 20; i++) {
                assertThat(results.getJsonObject(i).getJsonObject("error").getString("kind"))
                    .as("result " + i).isEqualTo("cancelled");
              }
              // at most the first window ever reached the target; nothing started after the failure
              assertThat(t.requests()).isLessThanOrEqualTo(5).isLessThan(20);
            });
            return reply;
          })
          .compose(reply -> Conditions.until(vertx, () -> t.inFlight() == 0, 5_000));
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void concurrency_is_never_exceeded_at_the_target(Vertx vertx, VertxTestContext ctx) {
    JsonArray urls = new JsonArray();
    TargetServer.start(vertx).compose(t -> {
      for (int i = 0; i < 60; i++) {
        urls.add(t.url("/delay?ms=20&i=" + i));
      }
      return Service.start(vertx, new JsonObject().put("fetch", new JsonObject().put("perHost", 100)))
          .compose(port -> gather(vertx, new JsonObject().put("urls", urls).put("concurrency", 7)))
          .map(reply -> {
            ctx.verify(() -> {
              assertThat(reply.getJsonObject("stats").getInteger("ok")).isEqualTo(60);
              assertThat(t.maxInFlight()).isEqualTo(7);
            });
            return reply;
          });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void bad_input_fails_with_400_naming_the_field(Vertx vertx, VertxTestContext ctx) {
    Service.start(vertx, new JsonObject())
        .compose(port -> vertx.eventBus().request(Addresses.GATHER,
            new JsonObject().put("urls", new JsonArray().add("http://a.example/").add(42))))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(((ReplyException) e).failureCode()).isEqualTo(400);
          assertThat(e.getMessage()).startsWith("urls[1]:");
          ctx.completeNow();
        })));
  }
}
