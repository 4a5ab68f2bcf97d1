package dev.fanout.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.NewJob;
import dev.fanout.testing.TestDb;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An outcome write PostgreSQL picks as a deadlock or serialization victim is written again: a
 * trigger fails the completion twice (SQLSTATE 40P01, then 40001; a sequence counts the tries,
 * as it is not rolled back with them), and the third try completes the job.
 */
@ExtendWith(VertxExtension.class)
class OutcomeWriteRetryTest {
  private static final String VICTIM = """
      CREATE SEQUENCE tries;
      CREATE FUNCTION victim() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE n bigint := nextval('tries');
      BEGIN
        IF n = 1 THEN RAISE EXCEPTION 'deadlock (injected)' USING ERRCODE = '40P01'; END IF;
        IF n = 2 THEN RAISE EXCEPTION 'serialization (injected)' USING ERRCODE = '40001'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER victim BEFORE UPDATE ON fanout_job FOR EACH ROW WHEN (NEW.state = 'completed')
        EXECUTE FUNCTION victim()""";

  Pool pool;
  JobStore store;

  @BeforeEach
  void setUp(Vertx vertx, VertxTestContext ctx) {
    TestDb.freshPool(vertx, 2).onComplete(ctx.succeeding(p -> {
      pool = p;
      store = new JobStore(p);
      ctx.completeNow();
    }));
  }

  @Test
  void a_completion_chosen_as_deadlock_then_serialization_victim_is_written_on_the_third_try(Vertx vertx,
      VertxTestContext ctx) {
    store.enqueue(List.of(NewJob.fromJson(new JsonObject().put("kind", "v"))))
        .compose(e -> store.claim("v", 1, 60_000))
        .compose(claimed -> pool.query(VICTIM).execute()
            .compose(v -> store.complete(List.of(new JobStore.Outcome(claimed.get(0).id(), claimed.get(0).attempt(),
                new JsonObject().put("ok", true), null, 0))))
            .compose(n -> {
              ctx.verify(() -> assertThat(n).isEqualTo(1));
              return store.get(claimed.get(0).id());
            }))
        .compose(job -> pool.query("SELECT last_value FROM tries").execute().map(rows -> {
          ctx.verify(() -> {
            assertThat(job.getString("state")).isEqualTo("completed");
            assertThat(job.getJsonObject("result").getBoolean("ok")).isTrue();
            assertThat(rows.iterator().next().getLong("last_value")).isEqualTo(3);
          });
          return job;
        }))
        .eventually(() -> pool.close())
        .onComplete(ctx.succeeding(job -> ctx.completeNow()));
  }
}
