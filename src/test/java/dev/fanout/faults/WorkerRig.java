package dev.fanout.faults;

import dev.fanout.bus.NewJob;
import dev.fanout.config.FanoutConfig;
import dev.fanout.queue.JobStore;
import dev.fanout.queue.Migrations;
import dev.fanout.queue.QueueWorkerVerticle;
import dev.fanout.testing.TestDb;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * Test support: a queue worker alone on a fresh schema (no web, no fetchers), optionally reaching
 * PostgreSQL through a {@link DatabaseLink} the test can cut, and a direct pool on the same schema
 * for the test's own reads and writes (never through the link).
 */
final class WorkerRig {
  final Vertx vertx;
  String schema;
  Pool direct;
  JobStore store;
  DatabaseLink link;
  String deployment;

  private WorkerRig(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A worker with {@code queue} settings over the defaults; through a cuttable link when {@code linked}. */
  static Future<WorkerRig> start(Vertx vertx, JsonObject queue, boolean linked) {
    WorkerRig rig = new WorkerRig(vertx);
    return vertx.executeBlocking(TestDb::url)
        .compose(u -> TestDb.freshSchema(vertx))
        .compose(schema -> {
          rig.schema = schema;
          rig.direct = PgBuilder.pool().connectingTo(TestDb.options(schema)).using(vertx).build();
          rig.store = new JobStore(rig.direct);
          return Migrations.apply(rig.direct);
        })
        .compose(v -> {
          PgConnectOptions pg = TestDb.options(rig.schema);
          return linked
              ? DatabaseLink.start(vertx, pg.getHost(), pg.getPort()).map(l -> rig.link = l)
              : Future.succeededFuture();
        })
        .compose(v -> {
          PgConnectOptions pg = new PgConnectOptions(TestDb.options(rig.schema));
          if (rig.link != null) {
            pg.setHost("127.0.0.1").setPort(rig.link.port());
          }
          JsonObject cfg = FanoutConfig.defaults();
          cfg.getJsonObject("queue").mergeIn(queue);
          return vertx.deployVerticle(new QueueWorkerVerticle(pg, 4), new DeploymentOptions().setConfig(cfg));
        })
        .map(id -> {
          rig.deployment = id;
          return rig;
        });
  }

  /** Enqueues one job of {@code kind}; completes with its id. */
  Future<Long> enqueue(String kind, int maxAttempts) {
    return store.enqueue(List.of(new NewJob(kind, "default", new JsonObject(), 0, null, maxAttempts, null)))
        .map(e -> e.ids().get(0));
  }

  /** One job as the API shows it. */
  Future<JsonObject> job(long id) {
    return store.get(id);
  }

  /**
   * Completes once {@code sql} (one boolean column, on the direct pool) answers true; fails after
   * {@code timeoutMs}.
   */
  Future<Void> until(String sql, Tuple args, long timeoutMs) {
    Promise<Void> p = Promise.promise();
    poll(sql, args, System.currentTimeMillis() + timeoutMs, p);
    return p.future();
  }

  private void poll(String sql, Tuple args, long deadline, Promise<Void> p) {
    direct.preparedQuery(sql).execute(args).onComplete(ar -> {
      Row row = ar.succeeded() && ar.result().size() > 0 ? ar.result().iterator().next() : null;
      if (row != null && Boolean.TRUE.equals(row.getBoolean(0))) {
        p.complete();
      } else if (System.currentTimeMillis() > deadline) {
        p.fail(new AssertionError("not true in time: " + sql
            + (ar.failed() ? " (" + ar.cause().getMessage() + ")" : "")));
      } else {
        vertx.setTimer(10, t -> poll(sql, args, deadline, p));
      }
    });
  }
}
