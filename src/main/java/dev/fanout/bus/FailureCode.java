package dev.fanout.bus;

/**
 * Why a bus request failed: the {@code failureCode} of its {@link io.vertx.core.eventbus.ReplyException}.
 * The numbers are the HTTP statuses the web layer answers with, so a bus client that is not a JVM
 * (a bridge) reads the same codes an HTTP client does.
 */
public enum FailureCode {
  /** Bad input: the request can never succeed as sent; the failure names its field. */
  INVALID(400),
  /** The request is understood but not permitted (a class outside {@code admin.deployAllow}). */
  FORBIDDEN(403),
  /** The job or batch asked for is not there. */
  NOT_FOUND(404),
  /** The job is not in a state that allows the operation. */
  CONFLICT(409),
  /** A fault inside fanout (a bug): the request may succeed once it is fixed, not by retrying. */
  INTERNAL(500),
  /** Nothing could answer now (no handler on the bus, the database unreachable): retry later. */
  UNAVAILABLE(503),
  /** No answer in time. */
  TIMEOUT(504);

  private final int code;

  FailureCode(int code) {
    this.code = code;
  }

  /** The number on the bus, and the HTTP status. */
  public int code() {
    return code;
  }

  /**
   * The code for a number another bus client failed with: an exact match, else any other 4xx is
   * {@link #INVALID} (the request's fault) and anything else {@link #INTERNAL}.
   */
  public static FailureCode of(int code) {
    for (FailureCode c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    return code >= 400 && code < 500 ? INVALID : INTERNAL;
  }
}
