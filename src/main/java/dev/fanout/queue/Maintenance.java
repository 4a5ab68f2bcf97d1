package dev.fanout.queue;

import dev.fanout.cluster.Membership;
import dev.fanout.config.QueueConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue worker's periodic upkeep: it renews the leases of the attempts this node holds
 * ({@code queue.renewEveryMs}), rescues jobs of any kind whose lease expired (a node that died;
 * {@code queue.rescueEveryMs}), and prunes finished jobs past {@code queue.retentionMs}
 * ({@code queue.pruneEveryMs}). A failed round is logged and the next one tries again. In a
 * cluster it also takes back the running jobs of a node as soon as {@link Membership#onLeft}
 * reports it gone (every survivor does: the statement is idempotent), not when their leases
 * expire. Used on the worker's event loop only.
 */
final class Maintenance {
  private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
  private static final int PRUNE_LIMIT = 10_000;

  private final Vertx vertx;
  private final JobStore store;
  private final QueueConfig cfg;
  private final Supplier<Collection<JobStore.Claimed>> held;
  private final Runnable rescued;
  private final List<Long> timers = new ArrayList<>();
  private Runnable stopWatching = () -> { };

  /**
   * Upkeep through {@code store} of the attempts {@code held} gives (read at each renewal);
   * {@code rescued} runs when a rescue made jobs runnable.
   */
  Maintenance(Vertx vertx, JobStore store, QueueConfig cfg, Supplier<Collection<JobStore.Claimed>> held,
      Runnable rescued) {
    this.vertx = vertx;
    this.store = store;
    this.cfg = cfg;
    this.held = held;
    this.rescued = rescued;
  }

  /** Starts the three rounds, rescues at once, and watches for nodes that leave. */
  void start() {
    stopWatching = Membership.onLeft(vertx, this::nodeLeft);
    timers.add(vertx.setPeriodic(cfg.renewEveryMs(), id -> renew()));
    timers.add(vertx.setPeriodic(cfg.rescueEveryMs(), id -> rescue()));
    timers.add(vertx.setPeriodic(cfg.pruneEveryMs(), id -> prune()));
    rescue();
  }

  /** Stops the rounds (one already running finishes). */
  void stop() {
    stopWatching.run();
    timers.forEach(vertx::cancelTimer);
    timers.clear();
  }

  private void renew() {
    Collection<JobStore.Claimed> running = held.get();
    if (!running.isEmpty()) {
      store.renew(new ArrayList<>(running), cfg.leaseMs())
          .onFailure(e -> LOG.warn("lease renewal failed: {}", e.getMessage()));
    }
  }

  private void rescue() {
    store.rescue()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("rescued {} job(s) whose lease expired", n);
            rescued.run();
          }
        })
        .onFailure(e -> LOG.warn("rescue failed: {}", e.getMessage()));
  }

  private void nodeLeft(String node) {
    store.rescueNode(node)
        .onSuccess(n -> {
          if (n > 0) {
            LOG.info("rescued {} job(s) of node {}, which left the cluster", n, node);
            rescued.run();
          }
        })
        .onFailure(e -> LOG.warn("rescuing the jobs of node {} failed ({}); their leases will expire", node,
            e.getMessage()));
  }

  private Future<Integer> prune() {
    return store.prune(cfg.retentionMs(), PRUNE_LIMIT).onFailure(e -> LOG.warn("prune failed: {}", e.getMessage()));
  }
}
