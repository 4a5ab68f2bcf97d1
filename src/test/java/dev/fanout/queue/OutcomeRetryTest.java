package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.NewJob;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Outcome writes chosen as a deadlock or serialization victim are written again, up to three
 * statements in all. The victim is made real by a trigger that fails the jobs table's updates
 * with the SQLSTATE PostgreSQL uses; a sequence counts the statements, since it survives the
 * rollback of the failed ones.
 */
@ExtendWith(VertxExtension.class)
class OutcomeRetryTest {
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

  /**
   * Enqueues and claims three jobs, then makes the next {@code victims} updates of the table fail
   * with {@code state}.
   */
  private Future<List<JobStore.Outcome>> claimedThenVictims(int victims, String state) {
    List<NewJob> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(NewJob.fromJson(new JsonObject().put("kind", "victim")));
    }
    String fn = "CREATE FUNCTION victim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + "IF nextval('victims') <= " + victims + " THEN "
        + "RAISE EXCEPTION 'chosen as the victim' USING ERRCODE = '" + state + "'; END IF; RETURN NULL; END $$";
    return store.enqueue(jobs)
        .compose(e -> store.claim("victim", 3, 60_000))
        .compose(claimed -> pool.query("CREATE SEQUENCE victims").execute()
            .compose(v -> pool.query(fn).execute())
            .compose(v -> pool.query("CREATE TRIGGER victim BEFORE UPDATE ON fanout_job "
                + "FOR EACH STATEMENT EXECUTE FUNCTION victim()").execute())
            .map(v -> claimed.stream()
                .map(c -> new JobStore.Outcome(c.id(), c.attempt(), new JsonObject().put("ok", true), null, 0))
                .toList()));
  }

  /** The statements tried (the sequence's last value) and the states of the jobs. */
  private Future<JsonObject> after() {
    return pool.query("SELECT (SELECT last_value FROM victims) AS tries, "
            + "(SELECT count(*) FROM fanout_job WHERE state = 'completed') AS completed, "
            + "(SELECT count(*) FROM fanout_job WHERE state = 'running') AS running").execute()
        .map(rows -> {
          Row r = rows.iterator().next();
          return new JsonObject().put("tries", r.getLong("tries")).put("completed", r.getLong("completed"))
              .put("running", r.getLong("running"));
        });
  }

  @Test
  void a_deadlock_victim_is_written_again(VertxTestContext ctx) {
    claimedThenVictims(2, "40P01").compose(outcomes -> store.complete(outcomes))
        .compose(n -> after().map(a -> a.put("changed", n)))
        .onComplete(ctx.succeeding(a -> ctx.verify(() -> {
          assertThat(a.getInteger("changed")).isEqualTo(3);
          assertThat(a.getLong("tries")).isEqualTo(3);
          assertThat(a.getLong("completed")).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void a_serialization_victim_is_written_again(VertxTestContext ctx) {
    claimedThenVictims(1, "40001").compose(outcomes -> store.complete(outcomes))
        .compose(n -> after().map(a -> a.put("changed", n)))
        .onComplete(ctx.succeeding(a -> ctx.verify(() -> {
          assertThat(a.getInteger("changed")).isEqualTo(3);
          assertThat(a.getLong("tries")).isEqualTo(2);
          assertThat(a.getLong("completed")).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void a_write_that_is_the_victim_three_times_fails_and_leaves_the_jobs_running(VertxTestContext ctx) {
    claimedThenVictims(3, "40P01").compose(outcomes -> store.complete(outcomes))
        .transform(ar -> after().map(a -> a.put("failed", ar.failed() && ar.cause() instanceof PgException pe
            && "40P01".equals(pe.getSqlState()))))
        .onComplete(ctx.succeeding(a -> ctx.verify(() -> {
          assertThat(a.getBoolean("failed")).isTrue();
          assertThat(a.getLong("tries")).isEqualTo(3);
          assertThat(a.getLong("running")).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  @Test
  void other_failures_are_not_written_again(VertxTestContext ctx) {
    claimedThenVictims(1, "P0001").compose(outcomes -> store.complete(outcomes))
        .transform(ar -> after().map(a -> a.put("failed", ar.failed())))
        .onComplete(ctx.succeeding(a -> ctx.verify(() -> {
          assertThat(a.getBoolean("failed")).isTrue();
          assertThat(a.getLong("tries")).isEqualTo(1);
          assertThat(a.getLong("running")).isEqualTo(3);
          ctx.completeNow();
        })));
  }
}
