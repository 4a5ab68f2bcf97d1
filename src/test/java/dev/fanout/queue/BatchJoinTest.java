package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.BusFailure;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An enqueue with {@code batch} joins that batch: the batch's count and listing include its jobs. */
@ExtendWith(VertxExtension.class)
class BatchJoinTest {
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(60_000);

  private static Future<JsonObject> bus(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, LONG).map(Message::body);
  }

  private static JsonObject job(String kind) {
    return new JsonObject().put("kind", kind);
  }

  @Test
  void later_enqueues_join_the_batch_around_another_batchs_jobs(Vertx vertx, VertxTestContext ctx) {
    String kind = "nobody-" + UUID.randomUUID(); // never runs: the counts stay put
    Service.start(vertx, new JsonObject())
        .compose(port -> bus(vertx, Addresses.JOBS_ENQUEUE, job(kind)))
        .compose(first -> {
          String batch = first.getString("batch");
          return bus(vertx, Addresses.JOBS_ENQUEUE, job(kind)) // another batch in between
              .compose(other -> bus(vertx, Addresses.JOBS_ENQUEUE, new JsonObject().put("batch", batch)
                  .put("jobs", new JsonArray().add(job(kind)).add(job(kind).put("idempotencyKey", batch)))))
              .compose(joined -> bus(vertx, Addresses.JOBS_ENQUEUE, job(kind).put("batch", batch)
                  .put("idempotencyKey", batch))) // that key exists: nothing new
              .compose(again -> bus(vertx, Addresses.JOBS_BATCH, new JsonObject().put("id", batch))
                  .compose(count -> bus(vertx, Addresses.JOBS_LIST, new JsonObject().put("batch", batch))
                      .map(list -> List.of(again, count, list))));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject again = r.get(0);
          assertThat(again.getJsonArray("ids")).hasSize(1);
          assertThat(r.get(1).getLong("total")).isEqualTo(3);
          assertThat(r.get(1).getBoolean("done")).isFalse();
          assertThat(r.get(2).getJsonArray("jobs")).hasSize(3);
          ctx.completeNow();
        })));
  }

  @Test
  void a_batch_that_is_not_a_uuid_is_400_naming_it(Vertx vertx, VertxTestContext ctx) {
    Service.start(vertx, new JsonObject())
        .compose(port -> bus(vertx, Addresses.JOBS_ENQUEUE, job("echo").put("batch", "crawl-1")))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(BusFailure.class);
          assertThat(((BusFailure) e).failureCode()).isEqualTo(400);
          assertThat(((BusFailure) e).field()).isEqualTo("batch");
          ctx.completeNow();
        })));
  }
}
