package dev.fanout.queue;

import dev.fanout.bus.Addresses;
import dev.fanout.config.FanoutConfig;
import dev.fanout.config.QueueConfig;
import dev.fanout.store.WorkerPools;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs durable jobs; wires four parts, as River splits its client: the {@link Producer} claims
 * runnable jobs of the kinds registered on this node and dispatches them to their handlers, the
 * {@link Completer} writes their outcomes in batches, {@link Maintenance} renews leases, rescues
 * expired ones and prunes, and the {@link Notifier} wakes the producer on NOTIFY (a slow poll is
 * the fallback). Stopping drains: no new claims, running jobs get {@code queue.drainMs}, and the
 * leases of those still running are released.
 */
public final class QueueWorkerVerticle extends VerticleBase {
  /** Local request: {@code {}} → the number of jobs this node's worker holds (claimed, not finished). */
  public static final String RUNNING = "fanout.queue.running";
  private static final Logger LOG = LoggerFactory.getLogger(QueueWorkerVerticle.class);
  private static final long CLAIM_WAIT_MS = 5_000;

  private final PgConnectOptions options;
  private final int poolSize;
  private QueueConfig cfg;
  private WorkerPools pools;
  private Producer producer;
  private Completer completer;
  private Maintenance maintenance;
  private Notifier notifier;

  /**
   * A worker on the database at {@code options}, with pools of its own ({@link WorkerPools}):
   * {@code poolSize} connections for claims and lease renewals, and up to four for outcomes.
   */
  public QueueWorkerVerticle(PgConnectOptions options, int poolSize) {
    this.options = options;
    this.poolSize = poolSize;
  }

  @Override
  public Future<?> start() {
    cfg = FanoutConfig.fromJson(config()).queue();
    pools = WorkerPools.create(vertx, options, poolSize);
    JobStore store = new JobStore(pools.claims(), cfg.maxSnoozeMs());
    completer = new Completer(vertx, new JobStore(pools.outcomes(), cfg.maxSnoozeMs()), cfg);
    producer = new Producer(vertx, context, store, completer, cfg);
    maintenance = new Maintenance(vertx, store, cfg, producer::running, producer::wake);
    notifier = new Notifier(vertx, options, cfg.pollMs(), producer::wake);
    vertx.eventBus().localConsumer(RUNNING, msg -> msg.reply(producer.running().size())); // on this context
    return notifier.start().onSuccess(v -> {
      maintenance.start();
      producer.wake();
    });
  }

  @Override
  public Future<?> stop() {
    notifier.stopPolling();
    maintenance.stop();
    // for operators and tests: from here on this node claims nothing and waits for its running jobs
    vertx.eventBus().publish(Addresses.EVENTS, new JsonObject().put("type", "draining")
        .put("running", producer.running().size()).put("graceMs", cfg.drainMs()));
    return producer.drain(cfg.drainMs(), CLAIM_WAIT_MS)
        .compose(release -> {
          if (!release.isEmpty()) {
            LOG.info("releasing {} claimed job(s) not finished after {} ms", release.size(), cfg.drainMs());
            // their outcomes are no longer recorded: a handler's drain stops waiting for them
            vertx.eventBus().publish(JobHandlers.ABANDONED, new JsonArray(release.stream().map(c -> c.id()).toList()));
          }
          return Future.join(completer.flush(), completer.release(release));
        })
        .eventually(() -> notifier.close())
        .eventually(() -> pools.close());
  }
}
