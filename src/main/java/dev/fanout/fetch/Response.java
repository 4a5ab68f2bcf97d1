package dev.fanout.fetch;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * A complete response: status, headers, and the body's size, hash and (if captured) bytes with
 * the budget {@code lease} they hold (null when not captured). With a null {@code sha256}, what
 * had arrived when an exchange failed.
 */
record Response(int status, MultiMap headers, long bytes, String sha256, Buffer body, CaptureBudget.Lease lease) {
  /** Gives the captured body's budget back (idempotent): its bytes are in the reply, or dropped. */
  void release() {
    if (lease != null) {
      lease.release();
    }
  }
}
