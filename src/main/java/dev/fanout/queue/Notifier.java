package dev.fanout.queue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What wakes the queue worker: a {@code NOTIFY fanout_jobs} (every enqueue sends one at commit),
 * a change of the kinds registered on this node ({@link JobHandlers}), and a slow poll, the
 * fallback for notifications lost while the LISTEN connection was down (or never up). Each
 * (re)subscription wakes the worker too, so jobs enqueued while the connection was down are
 * claimed at once. The worker coalesces the wake-ups. Used on the worker's event loop only.
 */
final class Notifier {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  static final String CHANNEL = "fanout_jobs";

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final long pollMs;
  private final Runnable wake;
  private PgSubscriber subscriber;
  private MessageConsumer<Object> kindsChanged;
  private long pollTimer = -1;

  /** Wakes through {@code wake}; listens on a connection of its own to {@code options}. */
  Notifier(Vertx vertx, PgConnectOptions options, long pollMs, Runnable wake) {
    this.vertx = vertx;
    this.options = options;
    this.pollMs = pollMs;
    this.wake = wake;
  }

  /**
   * Completes once LISTEN is in effect, or once it has failed (then only the poll wakes the
   * worker; the subscriber keeps reconnecting); the poll runs from then on.
   */
  Future<Void> start() {
    subscriber = PgSubscriber.subscriber(vertx, new PgConnectOptions(options)).reconnectPolicy(retries -> 1000L);
    // Started only once LISTEN is in effect: connect() completes before PostgreSQL has run the
    // LISTEN, and a job enqueued in between would wait for the poll.
    Promise<Void> listening = Promise.promise();
    subscriber.channel(CHANNEL)
        .subscribeHandler(v -> {
          listening.tryComplete();
          wake.run();
        })
        .handler(kind -> wake.run());
    kindsChanged = vertx.eventBus().localConsumer(JobHandlers.CHANGED, msg -> wake.run());
    return subscriber.connect()
        .compose(v -> listening.future().timeout(pollMs + 5_000, TimeUnit.MILLISECONDS))
        .recover(e -> {
          LOG.warn("LISTEN failed ({}); polling every {} ms instead", e.getMessage(), pollMs);
          return Future.succeededFuture();
        })
        .onSuccess(v -> pollTimer = vertx.setPeriodic(pollMs, id -> wake.run()));
  }

  /** Stops the poll; the notifications still arrive until {@link #close}. */
  void stopPolling() {
    vertx.cancelTimer(pollTimer);
  }

  /** Stops listening. */
  Future<Void> close() {
    return kindsChanged.unregister().eventually(() -> subscriber.close());
  }
}
