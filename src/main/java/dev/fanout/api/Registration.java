package dev.fanout.api;

import io.vertx.core.Future;

/** A handler registered with {@link Fanout#registerHandler}, until {@link #unregister()}. */
public interface Registration {
  /** The kind it handles. */
  String kind();

  /**
   * Stops this node claiming the kind for this handler, gives back the jobs claimed and not
   * started, and completes once the attempts it is running have ended (each within its timeout).
   */
  Future<Void> unregister();
}
