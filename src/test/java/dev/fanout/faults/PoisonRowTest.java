package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.JobState;
import dev.fanout.bus.NewJob;
import dev.fanout.queue.JobStore;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rows the API cannot read (written past the API, straight into the table): each is failed or
 * marked on its own, and never fails the claim or the read it came in with.
 */
@ExtendWith(VertxExtension.class)
class PoisonRowTest {
  /** What a {@code runAt} of -5000-01-01T00:00:00Z was stored as: PostgreSQL's earliest instant. */
  private static final String EARLIEST = "'4714-11-24 00:00:00+00 BC'";
  /** A document nested deeper than the JSON parser reads (PostgreSQL stores it). */
  private static final String DEEP = "'{\"d\": " + "[".repeat(1100) + "]".repeat(1100) + "}'";
  /** A number longer than the JSON parser reads. */
  private static final String LONG_NUMBER = "'{\"n\": 1e1001}'";

  Pool pool;
  JobStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    TestDb.freshPool(vertx, 4).onComplete(ctx.succeeding(p -> {
      pool = p;
      store = new JobStore(p);
      ctx.completeNow();
    }));
  }

  private Future<Long> insert(String kind, String column, String value) {
    return pool.query("INSERT INTO fanout_job (kind, " + column + ") VALUES ('" + kind + "', " + value
        + ") RETURNING id")
        .execute().map(rows -> rows.iterator().next().getLong(0));
  }

  private Future<List<Long>> valid(String kind, int n) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(NewJob.fromJson(new JsonObject().put("kind", kind).put("payload", new JsonObject().put("i", i))));
    }
    return store.enqueue(jobs).map(JobStore.Enqueued::ids);
  }

  @Test
  void a_claimed_row_that_cannot_be_read_is_discarded_alone_and_the_others_run(VertxTestContext ctx) {
    List<Long> bad = new ArrayList<>();
    insert("p", "run_at", EARLIEST).onSuccess(bad::add)
        .compose(id -> insert("p", "payload", DEEP)).onSuccess(bad::add)
        .compose(id -> insert("p", "payload", LONG_NUMBER)).onSuccess(bad::add)
        .compose(id -> valid("p", 3))
        .compose(good -> store.claim("p", 10, 60_000)
            .compose(claimed -> Future.all(bad.stream().map(store::get).toList())
                .compose(badRows -> store.claim("p", 10, 60_000)
                    .map(again -> new Object[] {good, claimed, badRows.list(), again}))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          @SuppressWarnings("unchecked") List<Long> good = (List<Long>) r[0];
          @SuppressWarnings("unchecked") List<JobStore.Claimed> claimed = (List<JobStore.Claimed>) r[1];
          @SuppressWarnings("unchecked") List<JsonObject> badRows = (List<JsonObject>) r[2];
          assertThat(claimed).extracting(JobStore.Claimed::id).containsExactlyInAnyOrderElementsOf(good);
          assertThat(claimed).allSatisfy(c -> assertThat(c.job().containsKey("invalid")).isFalse());
          assertThat(badRows).hasSize(3).allSatisfy(job -> {
            assertThat(job.getString("state")).isEqualTo("discarded");
            assertThat(job.getString("finalizedAt")).isNotNull();
            JsonObject error = job.getJsonArray("errors").getJsonObject(job.getJsonArray("errors").size() - 1);
            assertThat(error.getString("kind")).isEqualTo("invalid-row");
            assertThat(error.getInteger("attempt")).isEqualTo(1);
          });
          assertThat(badRows.get(0).getJsonArray("errors").getJsonObject(0).getString("message")).contains("runAt");
          assertThat(badRows.get(1).getJsonArray("errors").getJsonObject(0).getString("message"))
              .contains("payload", "nesting depth");
          assertThat(badRows.get(2).getJsonArray("errors").getJsonObject(0).getString("message"))
              .contains("payload", "Number value length");
          assertThat((List<?>) r[3]).isEmpty();            // discarded: no later claim takes them again
          ctx.completeNow();
        })));
  }

  @Test
  void get_list_cancel_and_queues_show_an_unreadable_row_with_a_marker(VertxTestContext ctx) {
    List<Long> bad = new ArrayList<>();
    valid("g", 1)
        .compose(ids -> insert("g", "run_at", EARLIEST)).onSuccess(bad::add)
        .compose(id -> insert("g", "run_at", "'-infinity'")).onSuccess(bad::add)
        .compose(id -> insert("g", "run_at", "'infinity'")).onSuccess(bad::add)
        .compose(id -> insert("g", "payload", LONG_NUMBER)).onSuccess(bad::add)
        .compose(id -> valid("g", 1))
        .compose(ids -> store.list(JobState.AVAILABLE, null, null, 0, 100)
            .compose(available -> store.list(JobState.SCHEDULED, null, null, 0, 100)
                .compose(scheduled -> store.get(bad.get(0))
                    .compose(got -> store.cancel(bad.get(3))
                        .compose(cancelled -> store.queues()
                            .map(queues -> new Object[] {available, scheduled, got, cancelled, queues}))))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonArray available = (JsonArray) r[0];
          JsonArray scheduled = (JsonArray) r[1];
          JsonObject got = (JsonObject) r[2];
          JsonObject cancelled = (JsonObject) r[3];
          JsonArray queues = (JsonArray) r[4];
          assertThat(available.size() + scheduled.size()).isEqualTo(6);
          List<JsonObject> all = new ArrayList<>();
          available.forEach(j -> all.add((JsonObject) j));
          scheduled.forEach(j -> all.add((JsonObject) j));
          assertThat(all.stream().filter(j -> j.containsKey("invalid")).map(j -> j.getLong("id")))
              .containsExactlyInAnyOrderElementsOf(bad);
          assertThat(got.getLong("id")).isEqualTo(bad.get(0));
          assertThat(got.getString("kind")).isEqualTo("g");
          assertThat(got.getValue("runAt")).isNull();
          assertThat(got.getJsonObject("invalid").getString("runAt")).isNotBlank();
          assertThat(got.getString("createdAt")).isNotNull();
          assertThat(cancelled.getString("state")).isEqualTo("cancelled");
          assertThat(cancelled.getValue("payload")).isNull();
          assertThat(cancelled.getJsonObject("invalid").getString("payload")).contains("Number value length");
          assertThat(queues).singleElement().satisfies(
              q -> assertThat(((JsonObject) q).getString("kind")).isEqualTo("g"));
          ctx.completeNow();
        })));
  }
}
