package dev.fanout.fetch;

import dev.fanout.net.UrlTarget;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The keep-alive connections of one fetcher, per host and checked address. The fetcher already
 * admits at most {@code fetch.perHost} requests per host, on its own event loop, so the pooling
 * Vert.x's client would add (an endpoint lookup, a lease and a recycle per request) is replaced
 * by a deque per host: an exchange takes the most recently used idle connection, or
 * connects to exactly the address the egress policy checked, and gives the connection back when
 * its response ended cleanly on a connection the server keeps open. Idle connections are closed
 * after {@code fetch.keepAliveTimeoutMs} (or the server's shorter Keep-Alive timeout), and at most
 * {@code maxIdle} are kept. Single-threaded: every method runs on the fetcher's event loop.
 */
final class Connections {
  /** A connection and its state; lent to one exchange at a time. */
  static final class Pooled {
    final Key key;
    final HttpClientConnection conn;
    boolean closed;
    /** Lent out of the idle deque (it carried an earlier request), not freshly connected. */
    boolean reused;
    boolean idle;
    long idleSince;
    long keepAliveNanos;

    Pooled(Key key, HttpClientConnection conn) {
      this.key = key;
      this.conn = conn;
    }
  }

  /** Connections are shared only by requests to the same host key, address and scheme. */
  record Key(String hostKey, InetAddress address, boolean https) {}

  private final HttpClientAgent client;
  private final long keepAliveNanos;
  private final int maxIdle;
  private final Map<Key, ArrayDeque<Pooled>> idle = new HashMap<>();
  private int idleCount;
  private boolean closing;

  Connections(HttpClientAgent client, long keepAliveMs, int maxIdle) {
    this.client = client;
    this.keepAliveNanos = keepAliveMs * 1_000_000;
    this.maxIdle = maxIdle;
  }

  /**
   * An open connection to {@code address} for {@code target}: an idle one, else a new one. The
   * TCP connect is bounded by {@code fetch.connectTimeoutMs} and the TLS handshake by the same
   * (both client options); the attempt limit bounds everything.
   */
  Future<Pooled> acquire(UrlTarget target, InetAddress address) {
    Key key = new Key(target.hostKey(), address, target.https());
    ArrayDeque<Pooled> q = idle.get(key);
    if (q != null) {
      long now = System.nanoTime();
      Pooled p;
      while ((p = q.pollLast()) != null) {
        idleCount--;
        p.idle = false;
        if (!p.closed && now - p.idleSince < p.keepAliveNanos) {
          if (q.isEmpty()) {
            idle.remove(key);
          }
          p.reused = true;
          return Future.succeededFuture(p);
        }
        p.conn.close();
      }
      idle.remove(key);
    }
    return connect(target, address);
  }

  /** A new connection to {@code address} for {@code target}. */
  Future<Pooled> connect(UrlTarget target, InetAddress address) {
    Key key = new Key(target.hostKey(), address, target.https());
    HttpConnectOptions opts = new HttpConnectOptions()
        .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, target.port())))
        .setHost(target.host())
        .setPort(target.port())
        .setSsl(target.https());
    return client.connect(opts).map(conn -> {
      Pooled p = new Pooled(key, conn);
      conn.closeHandler(v -> closed(p));
      conn.exceptionHandler(e -> { }); // a failure on an idle connection just closes it; requests report their own
      return p;
    });
  }

  /** The connection closed: an idle one leaves its deque now, so it does not hold a place. */
  private void closed(Pooled p) {
    p.closed = true;
    if (p.idle) {
      ArrayDeque<Pooled> q = idle.get(p.key);
      if (q != null && q.remove(p)) {
        idleCount--;
        if (q.isEmpty()) {
          idle.remove(p.key);
        }
      }
      p.idle = false;
    }
  }

  /**
   * Takes back a connection whose exchange ended: kept for reuse when {@code reusable} (the
   * response ended and neither side asked to close) and there is room, else closed.
   * {@code serverKeepAliveMs} is the server's Keep-Alive timeout, or -1 when it gave none.
   */
  void release(Pooled p, boolean reusable, long serverKeepAliveMs) {
    if (!reusable || p.closed || closing || idleCount >= maxIdle) {
      p.conn.close();
      return;
    }
    p.idleSince = System.nanoTime();
    // a server that says it keeps a connection N s closes it at about N s: stop using it a second before
    p.keepAliveNanos = serverKeepAliveMs < 0 ? keepAliveNanos
        : Math.min(keepAliveNanos, Math.max(0, serverKeepAliveMs - 1000) * 1_000_000);
    idle.computeIfAbsent(p.key, k -> new ArrayDeque<>()).addLast(p);
    p.idle = true;
    idleCount++;
  }

  /**
   * Takes back a connection whose {@code response} to a {@code method} request ended cleanly:
   * kept when it is {@link #reusable}, for at most the server's Keep-Alive timeout.
   */
  void releaseAfter(Pooled p, HttpClientResponse response, HttpMethod method) {
    release(p, reusable(response, method), keepAliveMs(response.getHeader("keep-alive")));
  }

  /** The timeout of a Keep-Alive header ({@code timeout=5, max=100}) in ms, or -1. */
  static long keepAliveMs(String header) {
    if (header == null) {
      return -1;
    }
    for (String param : header.split(",")) {
      String p = param.trim();
      if (p.regionMatches(true, 0, "timeout=", 0, 8)) {
        long seconds = parseLong(p.substring(8));
        return seconds < 0 ? -1 : seconds * 1000;
      }
    }
    return -1;
  }

  /**
   * Whether a connection may be kept after {@code response} (to a {@code method} request) ended:
   * not when the server asked to close (RFC 9112, 9.6), nor when the body ran until the server
   * closed (9.3 and 6.3: no Content-Length, not chunked, a status that has a body). An HTTP/1.0
   * server that closes after a response with Content-Length is caught by the exchange's
   * stale-connection retry instead: Vert.x does not tell the response's version.
   */
  static boolean reusable(HttpClientResponse response, HttpMethod method) {
    int status = response.statusCode();
    boolean bodyless = status < 200 || status == 204 || status == 304 || method == HttpMethod.HEAD;
    boolean closeDelimited = !bodyless && response.getHeader("content-length") == null
        && !"chunked".equalsIgnoreCase(response.getHeader("transfer-encoding"));
    return !closeDelimited && !"close".equalsIgnoreCase(response.getHeader("connection"));
  }

  /** Closes a connection whose exchange failed or was aborted. */
  void discard(Pooled p) {
    p.conn.close();
  }

  /** Closes idle connections that are closed already or past their keep-alive time. */
  void sweep() {
    long now = System.nanoTime();
    for (Iterator<ArrayDeque<Pooled>> it = idle.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Pooled> q = it.next();
      for (Iterator<Pooled> pi = q.iterator(); pi.hasNext(); ) {
        Pooled p = pi.next();
        if (p.closed || now - p.idleSince >= p.keepAliveNanos) {
          pi.remove();
          p.idle = false;
          idleCount--;
          p.conn.close();
        }
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Closes every idle connection and keeps none from now on (the fetcher is stopping). */
  void closeAll() {
    closing = true;
    List<Pooled> all = new ArrayList<>();
    idle.values().forEach(all::addAll);
    idle.clear();
    idleCount = 0;
    for (Pooled p : all) {
      p.idle = false;
      p.conn.close();
    }
  }

  /** A header's whole number, or -1 when it is not one. */
  static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
