package dev.fanout.fetch;

import dev.fanout.bus.Capture;
import dev.fanout.bus.ErrorKind;
import dev.fanout.net.UrlTarget;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP request and its streamed response: connects to exactly the address the egress policy
 * checked (the URL's host goes only into the Host header and TLS SNI), streams the body through
 * SHA-256 with a byte cap, and can be aborted at any point. Runs on the fetcher's event loop.
 *
 * <p>The idle timeout (no bytes for N ms) is watched here, on the fetcher's {@link Timeouts}
 * tick, rather than by Vert.x's per-request idle timer: nearly every exchange ends long before it,
 * and a Vert.x timer costs a map entry, a scheduled task and a cancellation per request. The watch
 * fires after N ms; if bytes came meanwhile, it re-arms for exactly the quiet time left.
 */
final class Exchange {
  /**
   * A complete response: status, headers, and the body's size, hash and (if captured) bytes with
   * the budget {@code lease} they hold (null when not captured).
   */
  record Response(int status, MultiMap headers, long bytes, String sha256, Buffer body, CaptureBudget.Lease lease) {
    /** Gives the captured body's budget back (idempotent): its bytes are in the reply, or dropped. */
    void release() {
      if (lease != null) {
        lease.release();
      }
    }
  }

  private static final CharSequence USER_AGENT = io.vertx.core.http.HttpHeaders.createOptimized("User-Agent");
  private static final CharSequence HOST = io.vertx.core.http.HttpHeaders.createOptimized("Host");
  private static final MessageDigest SHA256 = sha256();
  private final Promise<Response> promise = Promise.promise();
  private final CaptureBudget budget;
  private final Context context;
  /** While waiting for budget to stream a captured body, else null. */
  private CaptureBudget.Waiter waiter;
  private CaptureBudget.Lease lease;
  private HttpClientRequest request;
  private FetchFailure abortedWith;
  private HttpClientResponse response;
  private long received;
  private Timeouts timeouts;
  private Timeouts.Entry idleWatch;
  private long idleMs;
  private long activeNanos;
  private Connections connections;
  private Connections.Pooled connLease;
  private int tries;
  private UrlTarget target;
  private InetAddress address;
  private HttpMethod method;
  private String body;
  private long maxBytes;
  private Capture capture;
  private RequestOptions opts;
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(
      HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.TRACE);

  /** An exchange whose captured body (if any) is admitted against {@code budget}, on {@code context}. */
  Exchange(CaptureBudget budget, Context context) {
    this.budget = budget;
    this.context = context;
  }

  /** The outcome: the response, or a {@link FetchFailure}. */
  Future<Response> future() {
    return promise.future();
  }

  /**
   * Sends the request; the outcome arrives on {@link #future()}. {@code idleTimeoutMs} of 0 means
   * no idle watch (the caller's own limit comes first).
   */
  Exchange start(Connections connections, Timeouts timeouts, UrlTarget target, InetAddress address,
      HttpMethod method, Map<String, String> headers, String userAgent, String body, long idleTimeoutMs,
      long maxBytes, Capture capture) {
    this.connections = connections;
    this.target = target;
    this.address = address;
    this.method = method;
    this.body = body;
    this.maxBytes = maxBytes;
    this.capture = capture;
    opts = new RequestOptions()
        .setMethod(method)
        .setURI(target.pathAndQuery())
        .setFollowRedirects(false);
    FetchFaults.at(FetchFaults.Point.START, target.normalised());
    boolean agent = false;
    for (Map.Entry<String, String> h : headers.entrySet()) { // Host and Connection are not allowed in a spec
      opts.putHeader(h.getKey(), h.getValue());
      agent |= h.getKey().equalsIgnoreCase("user-agent");
    }
    if (!agent) {
      opts.putHeader(USER_AGENT, userAgent);
    }
    if (target.host().indexOf(':') >= 0) {
      // Vert.x writes the connection's authority without brackets; an IPv6 literal needs them
      opts.putHeader(HOST, target.hostHeader());
    }
    if (idleTimeoutMs > 0) {
      this.timeouts = timeouts;
      this.idleMs = idleTimeoutMs;
      idleWatch = timeouts.schedule(idleTimeoutMs, this::checkIdle);
    }
    send(connections.acquire(target, address));
    return this;
  }

  /** Sends on the connection {@code connection} brings; callbacks of an earlier try are ignored. */
  private void send(Future<Connections.Pooled> connection) {
    int attempt = ++tries;
    connection
        .compose(conn -> {
          if (abortedWith != null) {
            connections.release(conn, true, -1); // unused: as good as it came
            return Future.failedFuture(abortedWith);
          }
          connLease = conn;
          return conn.conn.request(opts);
        })
        .compose(req -> {
          if (attempt != tries) {
            req.reset(0);
            return Future.failedFuture("superseded");
          }
          request = req;
          activeNanos = System.nanoTime();
          // a reset of ours is reported here, not logged as unhandled
          req.exceptionHandler(e -> {
            if (attempt == tries) {
              fail(e);
            }
          });
          if (abortedWith != null) {
            req.reset(0, abortedWith);
            return Future.failedFuture(abortedWith);
          }
          return body == null ? req.send() : req.send(body);
        })
        .onSuccess(resp -> {
          if (attempt == tries) {
            guarded(() -> read(resp));
          }
        })
        .onFailure(e -> {
          if (attempt == tries) {
            fail(e);
          }
        });
  }

  /**
   * Whether a failure should be tried again at once on a new connection: the connection was a
   * kept-alive one that turned out closed (the server closed it while it was idle, or is closing
   * it after a response, as HTTP/1.0 servers do), no response has arrived, and either nothing was
   * sent or the method is idempotent. Browsers and HTTP libraries do the same; it costs no
   * attempt, and happens once per exchange.
   */
  private boolean staleConnection(FetchFailure f) {
    return connLease != null && connLease.reused && tries == 1 && response == null && abortedWith == null
        && f.kind() == ErrorKind.RESET && (request == null || IDEMPOTENT.contains(method));
  }

  /** Gives the connection back: to the pool when the response ended cleanly, else closed. */
  private void giveBack(boolean ended) {
    Connections.Pooled conn = connLease;
    if (conn == null) {
      return;
    }
    connLease = null;
    if (!ended) {
      connections.discard(conn);
      return;
    }
    // The server asked to close (RFC 9112, 9.6), or the body ran until the server closed (9.3 and
    // 6.3: no Content-Length, not chunked, a status that has a body). An HTTP/1.0 server that
    // closes after a response with Content-Length is caught by the stale-connection retry instead:
    // Vert.x does not tell the response's version.
    String connection = response.getHeader("connection");
    int status = response.statusCode();
    boolean bodyless = status < 200 || status == 204 || status == 304 || method == HttpMethod.HEAD;
    boolean closeDelimited = !bodyless && response.getHeader("content-length") == null
        && !"chunked".equalsIgnoreCase(response.getHeader("transfer-encoding"));
    boolean close = closeDelimited || "close".equalsIgnoreCase(connection);
    connections.release(conn, !close, keepAliveMs(response.getHeader("keep-alive")));
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

  /** The idle watch went off: ends the exchange if no bytes came for idleMs, else waits the rest. */
  private void checkIdle() {
    idleWatch = null;
    if (promise.future().isComplete()) {
      return;
    }
    if (request == null || waiter != null) {
      // still connecting (the connect timeout governs that), or waiting for capture budget
      idleWatch = timeouts.schedule(idleMs, this::checkIdle);
      return;
    }
    long quietMs = (System.nanoTime() - activeNanos) / 1_000_000;
    if (quietMs >= idleMs) {
      abort(new FetchFailure(ErrorKind.TIMEOUT, "no data received within the idle timeout of " + idleMs + " ms",
          partial()));
    } else {
      idleWatch = timeouts.scheduleExact(idleMs - quietMs, this::checkIdle);
    }
  }

  private void stopWatching() {
    if (idleWatch != null) {
      idleWatch.cancel();
      idleWatch = null;
    }
  }

  /** Ends the exchange with {@code kind}: resets the stream (closing its connection) if it is open. */
  void abort(ErrorKind kind, String message) {
    abort(new FetchFailure(kind, message, partial()));
  }

  private void abort(FetchFailure failure) {
    if (promise.future().isComplete() || abortedWith != null) {
      return;
    }
    abortedWith = failure;
    stopWatching();
    dropCapture();
    if (request != null) {
      request.reset(0, abortedWith);
    }
    giveBack(false);
    promise.tryFail(abortedWith);
  }

  private void fail(Throwable t) {
    FetchFailure f = abortedWith != null ? abortedWith : FetchFailure.of(t);
    if (f.partial() == null && response != null && abortedWith == null) {
      f = new FetchFailure(f.kind(), f.getMessage(), partial());
    }
    if (request == null && f.kind() == ErrorKind.TIMEOUT && abortedWith == null) {
      // No request yet: the time ran out while connecting.
      f = new FetchFailure(ErrorKind.TIMEOUT, "connect timed out");
    }
    if (staleConnection(f)) {
      giveBack(false);
      request = null;
      send(connections.connect(target, address));
      return;
    }
    stopWatching();
    dropCapture();
    giveBack(false);
    promise.tryFail(f);
  }

  /** Leaves the budget's queue, or gives back the lease: the exchange failed. */
  private void dropCapture() {
    if (waiter != null) {
      waiter.cancel();
      waiter = null;
    }
    if (lease != null) {
      lease.release();
      lease = null;
    }
  }

  /**
   * Runs a step of reading the response; a throw there (a bug, a library's exception) fails the
   * exchange instead of escaping to Vert.x, which would log it and deliver the next chunk as if
   * nothing happened: a truncated body reported whole.
   */
  private void guarded(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      abort(new FetchFailure(ErrorKind.INTERNAL, "reading the response failed: " + e, partial()));
    }
  }

  /** What has arrived so far (status, headers, bytes), or null before the response head. */
  private Response partial() {
    return response == null ? null : new Response(response.statusCode(), response.headers(), received, null, null, null);
  }

  private void read(HttpClientResponse resp) {
    response = resp;
    activeNanos = System.nanoTime();
    resp.exceptionHandler(this::fail); // before any abort below, so a reset is never reported unhandled
    String length = resp.getHeader("content-length");
    long declared = length == null ? -1 : parseLong(length);
    if (declared > maxBytes) {
      abort(ErrorKind.TOO_LARGE, "Content-Length " + length + " exceeds the cap of " + maxBytes + " bytes");
      return;
    }
    int status = resp.statusCode();
    if (capture == Capture.NONE || method == HttpMethod.HEAD || status == 204 || status == 304) {
      stream(resp, capture == Capture.NONE ? null : Buffer.buffer(0), 0); // nothing to hold
      return;
    }
    // a compressed body is decompressed as it comes: its Content-Length does not tell its size
    String encoding = resp.getHeader("content-encoding");
    long size = encoding == null || encoding.equalsIgnoreCase("identity") ? declared : -1;
    if (size > budget.capacity()) {
      abort(ErrorKind.TOO_LARGE, "Content-Length " + length + " exceeds fetch.captureBudgetBytes ("
          + budget.capacity() + "), the most captured bytes held at once");
      return;
    }
    // The body streams only once its bytes are admitted: its whole size when known, else the cap
    // (given back down to what came when the body ends). Reading pauses meanwhile.
    resp.pause();
    waiter = budget.acquire(size >= 0 ? size : maxBytes, context, granted -> {
      waiter = null;
      if (promise.future().isComplete()) {
        granted.release();
        return;
      }
      lease = granted;
      activeNanos = System.nanoTime();
      guarded(() -> stream(resp, Buffer.buffer((int) Math.min(Math.max(size, 0), 1 << 20)), size));
      resp.resume();
    });
  }

  /** Streams the body through the hash, into {@code captured} when not null (within its lease). */
  private void stream(HttpClientResponse resp, Buffer captured, long size) {
    MessageDigest sha = copy(SHA256);
    long captureCap = lease == null ? Long.MAX_VALUE : lease.bytes();
    resp.handler(chunk -> guarded(() -> {
      if (promise.future().isComplete()) {
        return;
      }
      FetchFaults.at(FetchFaults.Point.BODY, target.normalised());
      received += chunk.length();
      activeNanos = System.nanoTime();
      if (received > maxBytes) {
        abort(ErrorKind.TOO_LARGE, "body exceeds the cap of " + maxBytes + " bytes");
        return;
      }
      if (captured != null && received > captureCap) {
        abort(ErrorKind.TOO_LARGE, size >= 0 ? "body exceeds its Content-Length of " + size + " bytes"
            : "captured body exceeds fetch.captureBudgetBytes (" + budget.capacity() + ")");
        return;
      }
      sha.update(chunk.getBytes());
      if (captured != null) {
        captured.appendBuffer(chunk);
      }
    }));
    resp.endHandler(v -> guarded(() -> {
      stopWatching();
      giveBack(!promise.future().isComplete());
      CaptureBudget.Lease held = lease;
      lease = null;
      if (held != null) {
        held.shrinkTo(received);
      }
      Response r = new Response(resp.statusCode(), resp.headers(), received, hex(sha.digest()), captured, held);
      if (!promise.tryComplete(r)) {
        r.release();
      }
    }));
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static MessageDigest copy(MessageDigest prototype) {
    try {
      return (MessageDigest) prototype.clone();
    } catch (CloneNotSupportedException e) {
      return sha256();
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String hex(byte[] b) {
    char[] out = new char[b.length * 2];
    for (int i = 0; i < b.length; i++) {
      out[2 * i] = HEX[(b[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[b[i] & 0xf];
    }
    return new String(out);
  }
}
