package dev.fanout.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.testing.Service;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link JobsClient} against the real service (the built-in {@code echo} kind runs the jobs). */
@ExtendWith(VertxExtension.class)
class JobsClientTest {

  @Test
  void enqueue_get_and_await_a_batch_until_done(Vertx vertx, VertxTestContext ctx) {
    JobsClient jobs = Fanout.jobsClient(vertx);
    JsonObject two = new JsonObject().put("jobs", new JsonArray()
        .add(new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("n", 1)))
        .add(new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("n", 2))));
    Service.start(vertx, new JsonObject())
        .compose(port -> jobs.enqueue(two))
        .compose(e -> jobs.awaitBatch(e.getString("batch"), Duration.ofSeconds(30))
            .compose(b -> jobs.get(e.getJsonArray("ids").getLong(1)).map(j -> List.of(e, b, j))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.get(0).getJsonArray("ids")).hasSize(2);
          JsonObject batch = r.get(1);
          assertThat(batch.getBoolean("done")).isTrue();
          assertThat(batch.getLong("total")).isEqualTo(2);
          JsonObject job = r.get(2);
          assertThat(job.getString("state")).isEqualTo("completed");
          assertThat(job.getJsonObject("payload").getInteger("n")).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void await_answers_as_the_batch_stands_when_the_wait_passes(Vertx vertx, VertxTestContext ctx) {
    JobsClient jobs = Fanout.jobsClient(vertx);
    // a kind nobody handles stays available: the batch never finishes
    Service.start(vertx, new JsonObject())
        .compose(port -> jobs.enqueue("nobody-" + UUID.randomUUID(), new JsonObject()))
        .compose(id -> jobs.get(id))
        .compose(job -> jobs.awaitBatch(job.getString("batch"), Duration.ofMillis(300)))
        .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
          assertThat(b.getBoolean("done")).isFalse();
          assertThat(b.getLong("total")).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void a_wait_longer_than_one_poll_is_several_polls(Vertx vertx, VertxTestContext ctx) {
    // the service answers a poll when its batch is done or its waitMs passes: this stand-in on the
    // bus answers "not done" twice, then "done", and records what each poll asked for
    List<Long> asked = new ArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.JOBS_BATCH, m -> {
      asked.add(m.body().getLong("waitMs"));
      m.reply(new JsonObject().put("id", m.body().getString("id")).put("done", asked.size() == 3));
    }).completion()
        .compose(v -> Fanout.jobsClient(vertx).awaitBatch("b", Duration.ofMinutes(10)))
        .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
          assertThat(b.getBoolean("done")).isTrue();
          assertThat(asked).containsExactly(BusJobsClient.POLL_MS, BusJobsClient.POLL_MS, BusJobsClient.POLL_MS);
          ctx.completeNow();
        })));
  }

  @Test
  void unknown_ids_and_bad_input_fail_with_the_bus_codes(Vertx vertx, VertxTestContext ctx) {
    JobsClient jobs = Fanout.jobsClient(vertx);
    Service.start(vertx, new JsonObject())
        .compose(port -> code(jobs.get(Long.MAX_VALUE)).compose(get ->
            code(jobs.awaitBatch(UUID.randomUUID().toString(), Duration.ZERO)).compose(batch ->
                code(jobs.enqueue(new JsonObject().put("kind", "echo").put("priority", "high")))
                    .map(bad -> List.of(get, batch, bad)))))
        .onComplete(ctx.succeeding(codes -> ctx.verify(() -> {
          assertThat(codes).containsExactly(404, 404, 400);
          ctx.completeNow();
        })));
  }

  private static Future<Integer> code(Future<?> f) {
    return f.transform(ar -> Future.succeededFuture(ar.succeeded() ? 0
        : ar.cause() instanceof ReplyException re ? re.failureCode() : -1));
  }
}
