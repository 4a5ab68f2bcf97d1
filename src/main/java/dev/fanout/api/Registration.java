package dev.fanout.api;

import io.vertx.core.Future;

/**
 * A handler registered with {@link Fanout#registerHandler}, until {@link #unregister()} or until
 * the verticle that registered it is undeployed (which drains it the same way, before the
 * verticle's own {@code stop()}).
 */
public interface Registration {
  /** The kind it handles. */
  String kind();

  /**
   * Stops this node claiming the kind for this handler, gives back the jobs claimed and not
   * started, and completes once the attempts it is running have ended (each within its timeout)
   * and their replies have gone to the worker. A job that still reaches the handler meanwhile is
   * answered with a snooze (it runs again, no attempt used). Calling it again, or after the
   * verticle went, completes with the same drain.
   */
  Future<Void> unregister();
}
