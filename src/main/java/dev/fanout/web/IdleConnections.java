package dev.fanout.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code http.idleTimeoutMs} for one web verticle's connections: closes a connection that has had
 * no request in progress for that long (none sent yet, headers still dripping in, or keep-alive
 * after the last answer), and one whose client stopped reading (a response's write queue full,
 * with nothing written, for that long). A request in progress is never idle: it is bounded by
 * {@code http.requestTimeoutMs} instead ({@link RequestDeadline}).
 *
 * <p>Written by hand because Vert.x's own idle timeout (a Netty IdleStateHandler) closes a
 * connection that merely has no traffic, cutting a slow request or a long poll mid-answer. It runs
 * on the verticle's event loop, which owns all of its connections, so it needs no locks.
 */
public final class IdleConnections {
  private static final String COUNTS = "fanout.web.idle";
  private final Vertx vertx;
  private final long idleMs;
  private final Map<HttpConnection, Watch> watches = new HashMap<>();

  IdleConnections(Vertx vertx, long idleMs) {
    this.vertx = vertx;
    this.idleMs = idleMs;
  }

  /** How many connections this process closed because their client stopped reading a response. */
  public static long stalledReadersClosed(Vertx vertx) {
    Object n = vertx.sharedData().getLocalMap(COUNTS).get("stalledReaders");
    return n == null ? 0 : (Long) n;
  }

  /** The server's connection handler: a new connection is idle until its first request arrives. */
  void onConnection(HttpConnection conn) {
    Watch w = new Watch(conn);
    watches.put(conn, w);
    conn.closeHandler(v -> {
      w.stop();
      watches.remove(conn);
    });
    w.idleFromNow();
  }

  /** The router's first handler: the connection is busy until this request's response ends or closes. */
  void onRequest(RoutingContext ctx) {
    Watch w = watches.get(ctx.request().connection());
    if (w != null) {
      HttpServerResponse resp = ctx.response();
      w.started(resp);
      ctx.addHeadersEndHandler(v -> {
        if (bodyUnread(ctx.request())) {
          resp.putHeader(HttpHeaders.CONNECTION, "close"); // the client must not reuse it: see below
        }
      });
      ctx.addEndHandler(ar -> {
        w.finished(resp);
        if (bodyUnread(ctx.request())) {
          // answered before its body was read (a 4xx, a stream cut short): what is left of the body
          // is not read, and the connection is not reused for a next request behind it
          closeNow(w.conn);
        }
      });
    }
    ctx.next();
  }

  /**
   * Whether {@code req} has a body not read to its end. A request without one (a GET) is often
   * answered before its end is seen, and keeps its connection.
   */
  private static boolean bodyUnread(HttpServerRequest req) {
    if (req.isEnded()) {
      return false;
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    return req.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.strip().equals("0"));
  }

  /**
   * Closes the connection. In Vert.x 5.0.8 {@code HttpConnection.close()} is {@code shutdown(0)}:
   * the same path a close of the Netty channel takes (the connection's handler turns either into
   * a flush then close), so no implementation class is needed; IdleConnectionTest's stalled-reader
   * test fails if it ever stops closing a connection whose client does not read.
   */
  private static void closeNow(HttpConnection conn) {
    conn.close();
  }

  /** One connection: a timer that is either the idle deadline or, while busy, the stalled-reader check. */
  private final class Watch {
    private final HttpConnection conn;
    private HttpServerResponse current;
    private int inProgress;
    private long timer = -1;
    private long writtenAtLastCheck = -1;
    private boolean stopped;

    Watch(HttpConnection conn) {
      this.conn = conn;
    }

    void started(HttpServerResponse resp) {
      inProgress++;
      current = resp;
      cancelTimer();
      writtenAtLastCheck = -1;
      if (stopped) {
        return;
      }
      timer = vertx.setPeriodic(idleMs, id -> checkReader());
    }

    void finished(HttpServerResponse resp) {
      inProgress = Math.max(0, inProgress - 1);
      if (resp == current) {
        current = null;
      }
      if (inProgress == 0) {
        idleFromNow();
      }
    }

    void idleFromNow() {
      cancelTimer();
      if (stopped) {
        return;
      }
      timer = vertx.setTimer(idleMs, id -> {
        timer = -1;
        if (inProgress == 0) {
          closeNow(conn);
        }
      });
    }

    /**
     * A client that stopped reading: the response's write queue was full at the last check and
     * still is, and not a byte was written in between (a drain would have let the writer go on).
     */
    private void checkReader() {
      HttpServerResponse resp = current;
      if (resp == null || resp.ended() || resp.closed() || !resp.writeQueueFull()) {
        writtenAtLastCheck = -1;
        return;
      }
      long written = resp.bytesWritten();
      if (written == writtenAtLastCheck) {
        vertx.sharedData().<String, Long>getLocalMap(COUNTS).merge("stalledReaders", 1L, Long::sum);
        closeNow(conn);
      }
      writtenAtLastCheck = written;
    }

    void stop() {
      stopped = true;
      cancelTimer();
      current = null;
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
