package dev.fanout.fetch;

import dev.fanout.bus.ErrorKind;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** A failed attempt, already classified into an {@link ErrorKind}. */
final class FetchFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final ErrorKind kind;
  private final Response partial;

  FetchFailure(ErrorKind kind, String message) {
    this(kind, message, null);
  }

  /** A failure after the response head arrived: {@code partial} has its status, headers and bytes so far. */
  FetchFailure(ErrorKind kind, String message, Response partial) {
    super(message, null, false, false);
    this.kind = kind;
    this.partial = partial;
  }

  ErrorKind kind() {
    return kind;
  }

  /** The response head and byte count when the failure came mid-body, else null. */
  Response partial() {
    return partial;
  }

  /** Classifies a failure of Vert.x's HTTP client or of the network. */
  static FetchFailure of(Throwable t) {
    if (t instanceof FetchFailure f) {
      return f;
    }
    Throwable c = t;
    for (int depth = 0; c != null && depth < 5; depth++, c = c.getCause()) {
      FetchFailure f = direct(c);
      if (f != null) {
        return f;
      }
    }
    return new FetchFailure(ErrorKind.RESET, describe(t));
  }

  private static FetchFailure direct(Throwable t) {
    if (t instanceof ConnectTimeoutException) {
      return new FetchFailure(ErrorKind.TIMEOUT, "connect timed out");
    }
    if (t instanceof TimeoutException) {
      return new FetchFailure(ErrorKind.TIMEOUT, "no data received within the idle timeout");
    }
    if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
      return new FetchFailure(ErrorKind.CONNECT, describe(t));
    }
    if (t instanceof UnknownHostException) {
      return new FetchFailure(ErrorKind.DNS, describe(t));
    }
    if (t instanceof SslHandshakeTimeoutException) {
      return new FetchFailure(ErrorKind.TIMEOUT, "TLS handshake timed out");
    }
    if (t instanceof SSLException) {
      return new FetchFailure(ErrorKind.TLS, describe(t));
    }
    if (t instanceof TooLongFrameException) {
      return new FetchFailure(ErrorKind.TOO_LARGE, "response head too large: " + t.getMessage());
    }
    if (t instanceof HttpClosedException || t instanceof StreamResetException || t instanceof IOException) {
      return new FetchFailure(ErrorKind.RESET, describe(t));
    }
    return null;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
