package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.Addresses;
import dev.fanout.bus.NewJob;
import dev.fanout.queue.JobStore;
import dev.fanout.testing.Service;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Outcomes PostgreSQL refuses as they are (a NUL in a result, a snooze past the timestamp range,
 * a number jsonb cannot hold): the storable ones are made valid, and one that still cannot be
 * stored fails alone instead of failing every outcome written with it.
 */
@ExtendWith(VertxExtension.class)
class OutcomeWriteTest {
  JobStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    TestDb.freshPool(vertx, 4).onComplete(ctx.succeeding(p -> {
      store = new JobStore(p);
      ctx.completeNow();
    }));
  }

  /** Enqueues and claims {@code n} jobs of {@code kind}, in id order. */
  private Future<List<JobStore.Claimed>> claimed(String kind, int n, int maxAttempts) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(NewJob.fromJson(new JsonObject().put("kind", kind).put("maxAttempts", maxAttempts)));
    }
    return store.enqueue(jobs).compose(e -> store.claim(kind, n, 60_000)).map(c -> {
      List<JobStore.Claimed> sorted = new ArrayList<>(c);
      sorted.sort(Comparator.comparingLong(JobStore.Claimed::id));
      return sorted;
    });
  }

  private static JobStore.Outcome result(JobStore.Claimed c, JsonObject result) {
    return new JobStore.Outcome(c.id(), c.attempt(), result, null, 0);
  }

  private Future<List<JsonObject>> read(List<JobStore.Claimed> claimed) {
    return Future.all(claimed.stream().map(c -> store.get(c.id())).toList()).map(f -> f.<JsonObject>list());
  }

  @Test
  void a_nul_in_a_result_is_stored_as_a_replacement_character_and_the_batch_completes(VertxTestContext ctx) {
    claimed("nul", 4, 1).compose(c -> store.complete(List.of(
                result(c.get(0), new JsonObject().put("body", "GIF89a\u0000\u0001")),
                result(c.get(1), new JsonObject().put("ok", true)),
                result(c.get(2), new JsonObject().put("k\u0000",
                    new JsonArray().add("\u0000").add(new JsonObject().put("x", "a\u0000b"))))))
            .compose(done -> store.cancelRunning(List.of(
                result(c.get(3), new JsonObject().put("cancel", "no\u0000pe"))))
                .compose(cancelled -> read(c).map(jobs -> new Object[] {done, cancelled, jobs}))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0]).isEqualTo(3);
          assertThat(r[1]).isEqualTo(1);
          @SuppressWarnings("unchecked") List<JsonObject> jobs = (List<JsonObject>) r[2];
          assertThat(jobs.subList(0, 3)).allSatisfy(j -> assertThat(j.getString("state")).isEqualTo("completed"));
          assertThat(jobs.get(0).getJsonObject("result").getString("body")).isEqualTo("GIF89a\uFFFD\u0001");
          assertThat(jobs.get(1).getJsonObject("result").getBoolean("ok")).isTrue();
          assertThat(jobs.get(2).getJsonObject("result")).isEqualTo(new JsonObject()
              .put("k\uFFFD", new JsonArray().add("\uFFFD").add(new JsonObject().put("x", "a\uFFFDb"))));
          assertThat(jobs.get(3).getString("state")).isEqualTo("cancelled");
          assertThat(jobs.get(3).getJsonObject("result").getString("cancel")).isEqualTo("no\uFFFDpe");
          ctx.completeNow();
        })));
  }

  @Test
  void a_snooze_past_the_maximum_is_clamped_and_the_batch_is_written(VertxTestContext ctx) {
    Instant before = Instant.now();
    claimed("snooze", 2, 5).compose(c -> store.reschedule(List.of(
                new JobStore.Outcome(c.get(0).id(), c.get(0).attempt(), null, null, (long) 1e16),
                new JobStore.Outcome(c.get(1).id(), c.get(1).attempt(), null, null, 1000)))
            .compose(n -> read(c).map(jobs -> new Object[] {n, jobs})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0]).isEqualTo(2);
          @SuppressWarnings("unchecked") List<JsonObject> jobs = (List<JsonObject>) r[1];
          assertThat(jobs).allSatisfy(j -> {
            assertThat(j.getString("state")).isEqualTo("scheduled");
            assertThat(j.getInteger("attempt")).isZero();
          });
          Instant far = Instant.parse(jobs.get(0).getString("runAt"));
          assertThat(far).isBetween(before.plus(Duration.ofDays(30)), before.plus(Duration.ofDays(31)));
          ctx.completeNow();
        })));
  }

  @Test
  void an_echo_job_snoozing_1e16_ms_is_put_off_by_queue_maxSnoozeMs(Vertx vertx, VertxTestContext ctx) {
    Instant before = Instant.now();
    Service.start(vertx, new JsonObject().put("queue", new JsonObject().put("maxSnoozeMs", 60_000)))
        .compose(port -> bus(vertx, Addresses.JOBS_ENQUEUE,
            new JsonObject().put("kind", "echo").put("payload", new JsonObject().put("snooze", 1e16))))
        .compose(e -> {
          JsonObject get = new JsonObject().put("id", e.getJsonArray("ids").getLong(0));
          JsonObject[] last = new JsonObject[1];
          return until(vertx, () -> bus(vertx, Addresses.JOBS_GET, get).map(job -> {
            last[0] = job;
            return "scheduled".equals(job.getString("state"));
          }), 20_000).map(v -> last[0]);
        })
        .onComplete(ctx.succeeding(job -> ctx.verify(() -> {
          assertThat(job.getInteger("attempt")).isZero();
          assertThat(Instant.parse(job.getString("runAt")))
              .isBetween(before.plusSeconds(59), Instant.now().plusSeconds(61));
          ctx.completeNow();
        })));
  }

  private static Future<JsonObject> bus(Vertx vertx, String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body).map(Message::body);
  }

  /** Polls {@code check} on a timer until it holds; fails after {@code timeoutMs}. */
  private static Future<Void> until(Vertx vertx, Supplier<Future<Boolean>> check, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    Promise<Void> p = Promise.promise();
    poll(vertx, check, deadline, p);
    return p.future();
  }

  private static void poll(Vertx vertx, Supplier<Future<Boolean>> check, long deadline, Promise<Void> p) {
    check.get().onFailure(p::fail).onSuccess(ok -> {
      if (ok) {
        p.complete();
      } else if (System.currentTimeMillis() > deadline) {
        p.fail(new AssertionError("condition not met in time"));
      } else {
        vertx.setTimer(10, id -> poll(vertx, check, deadline, p));
      }
    });
  }

  @Test
  void an_outcome_that_cannot_be_stored_fails_alone(VertxTestContext ctx) {
    // 1e1000000 is a number Java holds and JSON allows, and jsonb refuses (22003)
    JsonObject huge = new JsonObject().put("n", new BigDecimal("1e1000000"));
    claimed("bad", 6, 1).compose(c -> store.complete(List.of(
                result(c.get(0), new JsonObject().put("i", 0)),
                result(c.get(1), huge),
                result(c.get(2), new JsonObject().put("i", 2))))
            .compose(done -> store.fail(List.of(
                    new JobStore.Outcome(c.get(3).id(), c.get(3).attempt(), null,
                        new JsonObject().put("kind", "error").put("message", "x"), 0),
                    new JobStore.Outcome(c.get(4).id(), c.get(4).attempt(), null, huge.copy().put("kind", "error"), 0),
                    new JobStore.Outcome(c.get(5).id(), c.get(5).attempt(), null,
                        new JsonObject().put("kind", "error").put("message", "z"), 0)))
                .compose(failed -> read(c).map(jobs -> new Object[] {done, failed, jobs}))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0]).isEqualTo(3);
          assertThat(r[1]).isEqualTo(3);
          @SuppressWarnings("unchecked") List<JsonObject> jobs = (List<JsonObject>) r[2];
          assertThat(jobs.subList(0, 3)).allSatisfy(j -> assertThat(j.getString("state")).isEqualTo("completed"));
          assertThat(jobs.get(0).getJsonObject("result").getInteger("i")).isZero();
          assertThat(jobs.get(2).getJsonObject("result").getInteger("i")).isEqualTo(2);
          // the completion stands, its result replaced by why it could not be stored
          assertThat(jobs.get(1).getJsonObject("result").getString("invalidResult")).contains("22003");
          assertThat(jobs.subList(3, 6)).allSatisfy(j -> assertThat(j.getString("state")).isEqualTo("discarded"));
          assertThat(jobs.get(3).getJsonArray("errors").getJsonObject(0).getString("message")).isEqualTo("x");
          assertThat(jobs.get(5).getJsonArray("errors").getJsonObject(0).getString("message")).isEqualTo("z");
          JsonObject replaced = jobs.get(4).getJsonArray("errors").getJsonObject(0);
          assertThat(replaced.getString("kind")).isEqualTo("invalid-outcome");
          assertThat(replaced.getInteger("attempt")).isEqualTo(1);
          assertThat(replaced.getString("message")).contains("22003");
          ctx.completeNow();
        })));
  }
}
