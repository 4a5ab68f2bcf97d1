package dev.fanout.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fanout.bus.NewJob;
import dev.fanout.queue.JobStore;
import dev.fanout.testing.TestDb;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pruning racing a change to the job it picked: it deletes only what is still finished and past retention. */
@ExtendWith(VertxExtension.class)
class PruneRaceTest {
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
        vertx.setTimer(5, id -> poll(vertx, check, deadline, p));
      }
    });
  }

  @Test
  void a_job_retried_while_pruning_waits_on_it_is_not_deleted(Vertx vertx, VertxTestContext ctx) {
    SqlConnection[] a = new SqlConnection[1];
    Transaction[] tx = new Transaction[1];
    long[] id = new long[1];
    store.enqueue(List.of(NewJob.fromJson(new JsonObject().put("kind", "pr"))))
        .compose(e -> store.claim("pr", 1, 60_000))
        .compose(c -> {
          id[0] = c.get(0).id();
          return store.complete(List.of(new JobStore.Outcome(id[0], c.get(0).attempt(), new JsonObject(), null, 0)));
        })
        // connection A retries the finished job and holds its row lock, uncommitted
        .compose(n -> pool.getConnection()).compose(conn -> {
          a[0] = conn;
          return conn.begin();
        })
        .compose(t -> {
          tx[0] = t;
          return a[0].preparedQuery(
              "UPDATE fanout_job SET state = 'available', run_at = now(), finalized_at = NULL WHERE id = $1")
              .execute(Tuple.of(id[0]));
        })
        .compose(rows -> a[0].query("SELECT pg_backend_pid()").execute().map(r -> r.iterator().next().getInteger(0)))
        .compose(pidA -> {
          // pruning picked the job as finished, and waits for A's lock on it
          Future<Integer> pruned = store.prune(0, 1000);
          return until(vertx, () -> pool.preparedQuery(
                  "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))")
                  .execute(Tuple.of(pidA)).map(r -> r.iterator().next().getLong(0) > 0), 20_000)
              .compose(v -> tx[0].commit())
              .compose(v -> pruned);
        })
        .eventually(() -> a[0] == null ? Future.succeededFuture() : a[0].close())
        .compose(pruned -> store.get(id[0]).map(job -> new Object[] {pruned, job}))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r[0]).isEqualTo(0);
          JsonObject job = (JsonObject) r[1];
          assertThat(job).isNotNull();
          assertThat(job.getString("state")).isEqualTo("available");
          ctx.completeNow();
        })));
  }
}
