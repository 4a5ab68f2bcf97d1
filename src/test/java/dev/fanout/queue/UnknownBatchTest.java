package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code fanout.jobs.batch} for a batch id no enqueue produced: not found, never done. */
@ExtendWith(VertxExtension.class)
class UnknownBatchTest {
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(60_000);

  private static Future<JsonObject> bus(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, LONG).map(Message::body);
  }

  /** The failure code of a bus request that must fail, or 0 when it succeeded. */
  private static Future<Integer> code(Future<JsonObject> request) {
    return request.transform(ar -> Future.succeededFuture(ar.succeeded() ? 0
        : ar.cause() instanceof ReplyException re ? re.failureCode() : -1));
  }

  @Test
  void an_unknown_batch_is_404_with_or_without_a_wait_and_a_known_one_is_done(Vertx vertx, VertxTestContext ctx) {
    String unknown = UUID.randomUUID().toString();
    Service.start(vertx, new JsonObject())
        .compose(port -> bus(vertx, Addresses.JOBS_ENQUEUE, new JsonObject().put("jobs", new JsonArray()
            .add(new JsonObject().put("kind", "echo")))))
        .compose(e -> code(bus(vertx, Addresses.JOBS_BATCH, new JsonObject().put("id", unknown)))
            .compose(now -> code(bus(vertx, Addresses.JOBS_BATCH,
                new JsonObject().put("id", unknown).put("waitMs", 200)))
                .compose(waited -> bus(vertx, Addresses.JOBS_BATCH,
                        new JsonObject().put("id", e.getString("batch")).put("waitMs", 30_000))
                    .map(known -> new JsonObject().put("now", now).put("waited", waited).put("known", known)))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.getInteger("now")).isEqualTo(404);
          assertThat(r.getInteger("waited")).isEqualTo(404);
          JsonObject known = r.getJsonObject("known");
          assertThat(known.getBoolean("done")).isTrue();
          assertThat(known.getLong("total")).isEqualTo(1);
          ctx.completeNow();
        })));
  }
}
