package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Service;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The queue worker end to end: enqueue over the bus, handlers, retries, snooze, cancel, wake-ups. */
@ExtendWith(VertxExtension.class)
class QueueWorkerTest {
  private static final DeliveryOptions LONG = new DeliveryOptions().setSendTimeout(60_000);
  private static final JsonObject FAST_RETRY =
      new JsonObject().put("queue", new JsonObject().put("backoffBaseMs", 10).put("backoffMaxMs", 50));

  private static Future<JsonObject> bus(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, LONG).map(Message::body);
  }

  private static Future<JsonObject> enqueueAndWait(Vertx vertx, JsonObject body) {
    return bus(vertx, Addresses.JOBS_ENQUEUE, body)
        .compose(e -> bus(vertx, Addresses.JOBS_BATCH,
            new JsonObject().put("id", e.getString("batch")).put("waitMs", 30_000))
            .map(b -> b.put("ids", e.getJsonArray("ids"))));
  }

  @Test
  void echo_jobs_complete_with_their_payload(Vertx vertx, VertxTestContext ctx) {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < 300; i++) {
      jobs.add(new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("i", i)));
    }
    Service.start(vertx, new JsonObject())
        .compose(port -> enqueueAndWait(vertx, new JsonObject().put("jobs", jobs)))
        .compose(batch -> bus(vertx, Addresses.JOBS_GET,
            new JsonObject().put("id", batch.getJsonArray("ids").getLong(7)))
            .map(job -> new JsonObject[] {batch, job}))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0].getBoolean("done")).isTrue();
          assertThat(r[0].getJsonObject("counts").getLong("completed")).isEqualTo(300);
          assertThat(r[1].getString("state")).isEqualTo("completed");
          assertThat(r[1].getJsonObject("result").getInteger("i")).isEqualTo(7);
          assertThat(r[1].getInteger("attempt")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void written_outcomes_are_published_per_batch_on_the_events_address(Vertx vertx, VertxTestContext ctx) {
    JsonArray jobs = new JsonArray();
    for (int i = 0; i < 250; i++) {
      jobs.add(new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("i", i)));
    }
    Map<String, Long> perBatch = new ConcurrentHashMap<>();
    AtomicInteger completed = new AtomicInteger();
    Promise<Void> allReported = Promise.promise();
    vertx.eventBus().<JsonObject>consumer(Addresses.EVENTS, msg -> {
      if ("attempts".equals(msg.body().getString("type"))) {
        msg.body().getJsonObject("batches").forEach(e ->
            perBatch.merge(e.getKey(), ((Number) e.getValue()).longValue(), Long::sum));
        if (completed.addAndGet(msg.body().getInteger("completed")) >= 250) {
          allReported.tryComplete();
        }
      }
    });
    Service.start(vertx, new JsonObject())
        .compose(port -> enqueueAndWait(vertx, new JsonObject().put("jobs", jobs)))
        .compose(batch -> allReported.future().map(batch))
        .onComplete(ctx.succeeding(batch -> ctx.verify(() -> {
          assertThat(batch.getBoolean("done")).isTrue();
          assertThat(perBatch).containsOnlyKeys(batch.getString("id"));
          assertThat(perBatch.get(batch.getString("id"))).isEqualTo(250);
          assertThat(completed.get()).isEqualTo(250);
          ctx.completeNow();
        })));
  }

  @Test
  void a_failing_handler_is_retried_then_discarded_with_every_error(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger calls = new AtomicInteger();
    Service.start(vertx, FAST_RETRY)
        .compose(port -> JobHandlers.register(vertx, "flaky", JobHandlers.Options.defaults(),
            job -> calls.incrementAndGet() <= 2
                ? Future.failedFuture("boom " + calls.get())
                : Future.succeededFuture(new JsonObject().put("ok", 1))))
        .compose(c -> JobHandlers.register(vertx, "doomed", JobHandlers.Options.defaults(),
            job -> Future.failedFuture("never")))
        .compose(c -> enqueueAndWait(vertx, new JsonObject().put("jobs", new JsonArray()
            .add(new JsonObject().put("kind", "flaky"))
            .add(new JsonObject().put("kind", "doomed").put("maxAttempts", 3)))))
        .compose(batch -> bus(vertx, Addresses.JOBS_GET,
            new JsonObject().put("id", batch.getJsonArray("ids").getLong(0)))
            .compose(flaky -> bus(vertx, Addresses.JOBS_GET,
                new JsonObject().put("id", batch.getJsonArray("ids").getLong(1)))
                .map(doomed -> new JsonObject[] {flaky, doomed})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0].getString("state")).isEqualTo("completed");
          assertThat(r[0].getInteger("attempt")).isEqualTo(3);
          assertThat(r[0].getJsonArray("errors")).hasSize(2);
          assertThat(r[0].getJsonArray("errors").getJsonObject(0).getString("message")).isEqualTo("boom 1");
          assertThat(r[1].getString("state")).isEqualTo("discarded");
          assertThat(r[1].getJsonArray("errors")).hasSize(3);
          ctx.completeNow();
        })));
  }

  @Test
  void handlers_can_snooze_without_using_an_attempt_and_cancel(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger snoozes = new AtomicInteger();
    Service.start(vertx, new JsonObject())
        .compose(port -> JobHandlers.register(vertx, "sleepy", JobHandlers.Options.defaults(),
            job -> Future.succeededFuture(
                snoozes.incrementAndGet() <= 2
                    ? new JsonObject().put("snooze", 20)
                    : new JsonObject().put("woke", true))))
        .compose(c -> JobHandlers.register(vertx, "refuser", JobHandlers.Options.defaults(),
            job -> Future.succeededFuture(new JsonObject().put("cancel", "not today"))))
        .compose(c -> enqueueAndWait(vertx, new JsonObject().put("jobs", new JsonArray()
            .add(new JsonObject().put("kind", "sleepy")).add(new JsonObject().put("kind", "refuser")))))
        .compose(batch -> bus(vertx, Addresses.JOBS_GET,
            new JsonObject().put("id", batch.getJsonArray("ids").getLong(0)))
            .compose(sleepy -> bus(vertx, Addresses.JOBS_GET,
                new JsonObject().put("id", batch.getJsonArray("ids").getLong(1)))
                .map(refuser -> new JsonObject[] {sleepy, refuser})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0].getString("state")).isEqualTo("completed");
          assertThat(r[0].getInteger("attempt")).isEqualTo(1);
          assertThat(snoozes.get()).isEqualTo(3);
          assertThat(r[1].getString("state")).isEqualTo("cancelled");
          assertThat(r[1].getJsonObject("result").getString("cancel")).isEqualTo("not today");
          ctx.completeNow();
        })));
  }

  @Test
  void notify_wakes_the_worker_without_waiting_for_the_poll(Vertx vertx, VertxTestContext ctx) {
    // the poll is an hour: only NOTIFY can get this job done within the test's 30 s
    Service.start(vertx, new JsonObject().put("queue", new JsonObject().put("pollMs", 3_600_000)))
        .compose(port -> enqueueAndWait(vertx,
            new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("x", 1))))
        .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
          assertThat(b.getBoolean("done")).isTrue();
          ctx.completeNow();
        })));
  }

  @Test
  void polling_finds_jobs_that_came_without_a_notification(Vertx vertx, VertxTestContext ctx) {
    Pool[] raw = new Pool[1];
    vertx.executeBlocking(TestDb::url).compose(u -> TestDb.freshSchema(vertx)).compose(schema -> {
      raw[0] = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
      return Service.startIn(vertx, schema, new JsonObject().put("queue", new JsonObject().put("pollMs", 50)))
          .compose(port -> raw[0].query(
              "INSERT INTO fanout_job (kind, payload) VALUES ('echo', '{\"silent\": true}') RETURNING id").execute())
          .compose(rows -> {
            long id = rows.iterator().next().getLong(0);
            return waitCompleted(vertx, id, 200);
          });
    }).onComplete(ctx.succeeding(job -> ctx.verify(() -> {
      assertThat(job.getJsonObject("result").getBoolean("silent")).isTrue();
      ctx.completeNow();
    })));
  }

  private static Future<JsonObject> waitCompleted(Vertx vertx, long id, int tries) {
    return bus(vertx, Addresses.JOBS_GET, new JsonObject().put("id", id)).compose(job -> {
      if ("completed".equals(job.getString("state")) || tries == 0) {
        return Future.succeededFuture(job);
      }
      Promise<JsonObject> p = Promise.promise();
      vertx.setTimer(50, t -> waitCompleted(vertx, id, tries - 1).onComplete(p));
      return p.future();
    });
  }
}
