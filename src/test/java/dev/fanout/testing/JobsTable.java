package dev.fanout.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * Test support: waiting on the jobs table itself, through a pool of the test's own (not the
 * service's), for tests whose nodes come and go.
 */
public final class JobsTable {
  private JobsTable() {}

  /**
   * Completes once {@code sql} (one boolean) reads true, polled every 20 ms; fails after
   * {@code timeoutMs} with the jobs as they are then, to tell why.
   */
  public static Future<Void> until(Vertx vertx, Pool direct, String sql, long timeoutMs) {
    Promise<Void> p = Promise.promise();
    poll(vertx, direct, sql, System.currentTimeMillis() + timeoutMs, p);
    return p.future();
  }

  private static void poll(Vertx vertx, Pool direct, String sql, long deadline, Promise<Void> p) {
    direct.query(sql).execute().onComplete(ar -> {
      if (ar.succeeded() && Boolean.TRUE.equals(ar.result().iterator().next().getBoolean(0))) {
        p.complete();
      } else if (System.currentTimeMillis() > deadline) {
        direct.query("SELECT id, state, attempt, claimed_by, errors FROM fanout_job ORDER BY id").execute()
            .onComplete(rows -> {
              StringBuilder jobs = new StringBuilder();
              if (rows.succeeded()) {
                rows.result().forEach(row -> jobs.append('\n').append(row.deepToString()));
              }
              p.fail(new AssertionError("not true in time: " + sql + jobs));
            });
      } else {
        vertx.setTimer(20, t -> poll(vertx, direct, sql, deadline, p));
      }
    });
  }
}
