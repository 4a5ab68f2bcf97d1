package dev.fanout.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.HashMap;
import java.util.Map;

/**
 * The queue worker's two connection pools on one database.
 *
 * <p>{@link #claims} ({@code size} connections) commits asynchronously ({@code synchronous_commit =
 * off}): it runs claims and lease renewals, and losing the last moments of them in a crash of
 * PostgreSQL only means a job is claimed again (a lost claim leaves it runnable, a lost renewal
 * shortens a lease). {@link #outcomes} (up to four connections) commits durably
 * ({@code synchronous_commit = on}): PostgreSQL makes a commit visible only once it is on disk, so
 * a completion that anyone has read is never taken back by a crash. Outcomes are written in
 * batches, so this costs one WAL flush per batch, and concurrent batches share flushes (group
 * commit).
 *
 * @param claims claims, renewals, rescue and pruning
 * @param outcomes completed, failed, snoozed, cancelled and released attempts
 */
public record WorkerPools(Pool claims, Pool outcomes) {

  /** Both pools on the database at {@code options}, with fanout's connection settings. */
  public static WorkerPools create(Vertx vertx, PgConnectOptions options, int size) {
    Map<String, String> props = new HashMap<>(options.getProperties());
    props.put("synchronous_commit", "off");
    // The claim must walk the runnable index in order and stop after its LIMIT. Right after a
    // large enqueue the statistics still say "few rows", and the planner then prefers a bitmap
    // scan that reads and sorts every runnable job of the kind on each claim; on these pools'
    // statements (all by primary key or a partial index) an index scan is always the right plan.
    props.put("enable_bitmapscan", "off");
    props.put("enable_seqscan", "off");
    // one statement per connection matters most here (Database.tuned): pipelining queued claims
    // behind outcome writes on one backend, on separate ones they run in parallel
    Pool claims = pool(vertx, options, "fanout-worker", size, props);
    props.put("synchronous_commit", "on");
    Pool outcomes = pool(vertx, options, "fanout-worker-outcomes", Math.min(4, size), props);
    return new WorkerPools(claims, outcomes);
  }

  private static Pool pool(Vertx vertx, PgConnectOptions options, String name, int size, Map<String, String> props) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setName(name))
        .connectingTo(Database.tuned(new PgConnectOptions(options).setProperties(new HashMap<>(props))))
        .using(vertx)
        .build();
  }

  /** Closes both pools. */
  public Future<Void> close() {
    return Future.join(claims.close(), outcomes.close()).mapEmpty();
  }
}
